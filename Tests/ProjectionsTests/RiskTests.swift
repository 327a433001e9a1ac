import Foundation
import Testing
import TapeCore
import Events
import Journal
import Ingest
@testable import Projections
import TestSupport

@Suite("Risk")
struct RiskTests {
    nonisolated(unsafe) static let fixture: [String: Any] = {  // read-only after its lazy initialization
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/risk.json")
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    static func close(_ value: Double, _ reference: Double, _ what: String) {
        #expect(abs(value - reference) <= 1e-9 * max(abs(reference), 1e-3), "\(what): \(value) vs numpy/scipy \(reference)")
    }

    @Test("VaR, ES (historical, parametric, Cornish–Fisher), moments, drawdown and correlation equal numpy/scipy on real Bitcoin returns")
    func matchesScipy() {
        let returns = Self.fixture["btc_returns"] as! [Double]
        let spx = Self.fixture["spx_returns"] as! [Double]
        #expect(returns.count == 1_027)
        let (mean, deviation) = RiskMath.meanAndDeviation(returns)
        Self.close(mean, Self.fixture["mean"] as! Double, "mean")
        Self.close(deviation, Self.fixture["deviation"] as! Double, "deviation")
        let (skew, kurtosis) = RiskMath.skewAndKurtosis(returns)
        Self.close(skew, Self.fixture["skew"] as! Double, "skew")
        Self.close(kurtosis, Self.fixture["kurtosis"] as! Double, "kurtosis")
        for tail in Self.fixture["tails"] as! [[String: Any]] {
            let level = tail["level"] as! Double
            for (name, measure) in [("historical", RiskMath.historical), ("parametric", RiskMath.parametric), ("cornish_fisher", RiskMath.cornishFisher)] {
                let reference = tail[name] as! [Double]
                let (valueAtRisk, shortfall) = measure(returns, level)
                Self.close(valueAtRisk, reference[0], "\(name) VaR \(level)")
                Self.close(shortfall, reference[1], "\(name) ES \(level)")
                #expect(shortfall >= valueAtRisk - 1e-12, "ES is at least VaR")
            }
        }
        let drawdown = RiskMath.drawdown(Self.fixture["equity"] as! [Double])
        Self.close(drawdown.peak, Self.fixture["peak"] as! Double, "peak")
        Self.close(drawdown.current, Self.fixture["drawdown"] as! Double, "drawdown")
        Self.close(drawdown.maximum, Self.fixture["max_drawdown"] as! Double, "max drawdown")
        #expect(drawdown.duration == Self.fixture["samples_since_peak"] as! Int)
        Self.close(RiskMath.correlation(returns, spx), Self.fixture["correlation"] as! Double, "correlation")
        for pair in Self.fixture["normal_quantiles"] as! [[Double]] {
            #expect(abs(RiskMath.normalQuantile(pair[0]) - pair[1]) <= 1e-12 * max(1, abs(pair[1])), "Φ⁻¹(\(pair[0]))")
        }
    }

    @Test("the volume window's total is the sum of the trades in the last trade's bucket and the 3 599 before it, at every trade and through coding at any point, coding as the same window never coded does")
    func volumeWindow() throws {
        var generator = SeededGenerator(seed: 17)
        for trial in 0..<12 {
            let window = [3_600_000_000_000, 60_000_000_000, 1_000_000, 7_200][trial % 4] as Int64
            let buckets = VolumeWindow.buckets(of: window)
            let width = buckets.period
            #expect(width == max(1, window / 3_600))
            func bucket(_ time: Int64) -> Int64 { Int64((Double(time) / Double(width)).rounded(.down)) }
            var volume = VolumeWindow()
            // The same trades into a window never coded: at every coding, the two code alike.
            var twin = VolumeWindow()
            var trades: [(time: Int64, size: Double)] = []
            var time = Int64.random(in: -5 * window...5 * window, using: &generator)
            for step in 0..<4_000 {
                // Runs of equal times, steps within a bucket, across buckets, and past the whole window.
                time += [0, 1, width / 3, width, Int64.random(in: 0...(window / 50 + 1), using: &generator), window + width][Int.random(in: 0..<6, using: &generator)]
                let size = Double(Int.random(in: 1...1_000_000, using: &generator))
                volume.add(size, at: time, buckets: buckets)
                twin.add(size, at: time, buckets: buckets)
                trades.append((time, size))
                // The trades in the window, kept by a plain filter on their buckets.
                trades = trades.filter { bucket($0.time) > bucket(time) - 3_600 }
                let expected = trades.reduce(0.0) { $0 + $1.size }
                #expect(volume.total == expected, "trial \(trial), trade \(step)")
                if step % 397 == 0 {
                    // Encoded and decoded (as a snapshot does), the window goes on as before.
                    var coder = StateCoder()
                    try volume.code(&coder, buckets: buckets)
                    let bytes = coder.bytes
                    var twinCoder = StateCoder()
                    try twin.code(&twinCoder, buckets: buckets)
                    let codedAlike = twinCoder.bytes == bytes
                    #expect(codedAlike, "trial \(trial), trade \(step)")
                    var restored = VolumeWindow()
                    try bytes.withBytes { (raw: UnsafeRawBufferPointer) throws(CodecError) in
                        var decoder = StateCoder(decoding: raw)
                        try restored.code(&decoder, buckets: buckets)
                    }
                    #expect(restored.total == expected)
                    volume = restored
                }
            }
        }
    }

    @Test("historical VaR and ES from the smallest returns alone are bit for bit those of the whole window sorted, ties included")
    func historicalPartialSort() {
        func sortedAll(_ returns: [Double], _ level: Double) -> (Double, Double) {
            let sorted = returns.sorted()
            let position = (1 - level) * Double(sorted.count - 1)
            let lower = Int(position.rounded(.down))
            let upper = min(lower + 1, sorted.count - 1)
            let quantile = sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
            let tail = sorted.filter { $0 <= quantile }
            return (-quantile, tail.isEmpty ? -quantile : -(tail.reduce(0, +) / Double(tail.count)))
        }
        var generator = SeededGenerator(seed: 11)
        for trial in 0..<400 {
            let count = Int.random(in: 2...300, using: &generator)
            // Coarse values make ties (and signed zeros) common; fine ones make them rare.
            let coarse = trial % 2 == 0
            let returns = (0..<count).map { _ in
                coarse ? Double(Int.random(in: -6...6, using: &generator)) / 1_000 * (Bool.random(using: &generator) ? 1 : -1)
                       : Double.random(in: -0.05...0.05, using: &generator)
            }
            for level in [0.5, 0.9, 0.95, 0.99, 0.999] {
                let (valueAtRisk, shortfall) = RiskMath.historical(returns, level: level)
                let reference = sortedAll(returns, level)
                #expect(valueAtRisk.bitPattern == reference.0.bitPattern && shortfall.bitPattern == reference.1.bitPattern,
                        "trial \(trial), level \(level): \(valueAtRisk), \(shortfall) vs \(reference)")
            }
        }
    }

    @Test("the projection samples equity on its time grid before each event, and its window feeds the measures")
    func sampling() throws {
        let directory = TemporaryDirectory("risk")
        let journal = try Journal(path: directory.appending("j"), readOnly: false, create: true)
        let catalogue = try InstrumentCatalogue(path: Paths.catalogue)
        // A position of 1 BTC marked every 10 s at prices following the real Bitcoin returns.
        let returns = Self.fixture["btc_returns"] as! [Double]
        var price = 30_000.0
        try journal.write { appender in
            let id = try appender.add(catalogue.instrument(named: "BTCUSDT-PERP.BINANCE")!)
            let start = Timestamp(nanosSinceEpoch: 1_700_000_000_000_000_000)
            try appender.append(FillRecorded(orderID: 1, fillID: 1, causation: 0, side: .buy, price: Price(units: 3_000_000_000_000), quantity: Quantity(units: 1_000), fee: .zero, liquidity: .taker),
                                eventTime: start, receiveTime: start, instrument: id)
            for (step, r) in returns.prefix(300).enumerated() {
                price *= 1 + r
                let at = Timestamp(nanosSinceEpoch: start.nanosSinceEpoch + Int64(step + 1) * 10_000_000_000)
                try appender.append(MarkPrice(mark: Price(units: Int64((price * 10).rounded()) * 10_000_000), index: nil, estimatedSettle: nil),
                                    eventTime: at, receiveTime: at, instrument: id)
            }
        }
        let configuration = try configuration("ledger: {currency: USDT, cash: {USDT: \"100000\"}}\nrisk: {sample: 10s, window: 100}\n")
        let outcome = try Replayer.run(journal: journal, configuration: configuration, range: 1...(try journal.head().lastSequence))
        let risk = try #require(outcome.projections.risk)
        let report = risk.report(ledger: outcome.projections.ledger, book: nil)
        #expect(risk.samples == 300, "one sample per 10-second grid point, each before the mark of that instant")
        #expect(report.returns == 100)
        #expect(report.volatility > 0 && report.tails.count == 2)
        #expect(report.largestWeight == 1 && report.herfindahl == 1)
        #expect(report.tails[1].historical.0 >= report.tails[0].historical.0, "99 % VaR is at least 95 % VaR")
        #expect(report.maximumDrawdown > 0 && report.maximumDrawdown < 1)
    }
}
