import Backtest
import Engine
import Events
import Foundation
import Journal
import TapeCore
import Testing
import TestSupport

/// Metrics against reference libraries on real data (Fixtures/PROVENANCE.md), trade
/// statistics by hand, and a run's recorded performance against its own fills.
@Suite("Metrics")
struct MetricsTests {
    static func fixture() throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/metrics.json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    static func close(_ value: Double, _ reference: Double, relative: Double = 1e-9) -> Bool {
        abs(value - reference) <= relative * max(abs(reference), 1e-12)
    }

    @Test("every return and risk metric equals empyrical / numpy / scipy on five years of real Bitcoin closes")
    func reference() throws {
        let f = try Self.fixture()
        var performance = Performance(period: 86_400_000_000_000)
        performance.equity = f["closes"] as! [Double]
        performance.times = performance.equity.indices.map { Int64($0) * 86_400_000_000_000 }
        let deflated = f["deflated_sharpe"] as! [String: Any]
        let metrics = Metrics(performance, trials: deflated["trials"] as! Int, sharpeVariance: deflated["sharpe_variance"] as! Double)
        #expect(metrics.periods == performance.equity.count - 1 && metrics.periodsPerYear == 365)
        let pairs: [(String, Double)] = [
            ("total_return", metrics.totalReturn), ("annual_return", metrics.annualReturn), ("annual_volatility", metrics.volatility),
            ("sharpe", metrics.sharpe), ("sortino", metrics.sortino), ("calmar", metrics.calmar), ("max_drawdown", metrics.maxDrawdown),
            ("tail_ratio", metrics.tailRatio), ("value_at_risk_95", metrics.valueAtRisk), ("expected_shortfall_95", metrics.expectedShortfall),
            ("skewness", metrics.skewness), ("kurtosis", metrics.kurtosis), ("probabilistic_sharpe_0", metrics.probabilisticSharpe),
        ]
        for (name, value) in pairs {
            let reference = f[name] as! Double
            #expect(Self.close(value, reference), "\(name): \(value) vs \(reference)")
        }
        #expect(metrics.maxDrawdownDuration == Int64(f["max_drawdown_periods"] as! Int) * 86_400_000_000_000)
        // The normal quantile is Acklam's approximation (≈ 1e-9): the deflated ratio to 1e-7.
        let benchmark = PerformanceMath.expectedMaximumSharpe(trials: deflated["trials"] as! Int, variance: deflated["sharpe_variance"] as! Double)
        #expect(Self.close(benchmark, deflated["expected_max_sharpe"] as! Double, relative: 1e-7))
        #expect(Self.close(metrics.deflatedSharpe, deflated["value"] as! Double, relative: 1e-7))
        #expect(metrics.deflatedSharpe < metrics.probabilisticSharpe, "trying 50 configurations lowers the confidence")
    }

    @Test("trade statistics: win rate, profit factor, expectancy, average win and loss")
    func tradeStatistics() {
        var performance = Performance(period: 60_000_000_000)
        performance.equity = [100, 101]
        for (index, profit) in [100.0, -50, 30, -20, 0].enumerated() {
            performance.trades.append(ClosedTrade(instrument: InstrumentID(rawValue: 1), side: 1, opened: Int64(index), closed: Int64(index + 1), profit: profit))
        }
        let metrics = Metrics(performance)
        #expect(metrics.trades == 5)
        #expect(metrics.winRate == 0.4)
        #expect(metrics.profitFactor == 130.0 / 70.0)
        #expect(metrics.expectancy == 12)
        #expect(metrics.averageWin == 65)
        #expect(metrics.averageLoss == -35)
        #expect(Metrics(Performance(period: 1)).winRate.isNaN, "no trades: no win rate")
    }

    @Test("a run's recorded performance agrees with its own fills: each trade's profit, the time a position was held, the notional traded; recorded during the backtest, it is the replay's to the bit")
    func recordedRun() throws {
        let directory = TemporaryDirectory("metrics-run")
        let source = try sampleJournal(directory)
        let path = directory.appending("run.yaml")
        try Data("""
            version: 1
            projections: projections.yaml
            limits: limits.yaml
            execution: {fees: {maker: "0.0002", taker: "0.0004"}, slippage: {model: fixed, bps: 1}}
            strategies: [{type: ema_cross, instrument: BTCUSDT-PERP.BINANCE, fast: 10, slow: 50, size: "0.01"}]

            """.utf8).write(to: URL(fileURLWithPath: path))
        try Data("version: 1\nledger: {currency: USDT, cash: {USDT: \"10000\"}, leverage: 10}\n".utf8)
            .write(to: URL(fileURLWithPath: directory.appending("projections.yaml")))
        try Data("version: 1\ninstruments: {default: {max_position: \"1\"}}\n".utf8).write(to: URL(fileURLWithPath: directory.appending("limits.yaml")))
        let second: Int64 = 1_000_000_000
        let (summary, live) = try Engine(configuration: RunConfiguration(path: path), codeVersion: "test").backtest(
            source: source, sourcePath: directory.appending("sample"), range: nil, output: directory.appending("run"), recording: 10 * second)
        let performance = try RunReplay(runPath: directory.appending("run"), sourcePath: nil).performance(period: 10 * second)
        func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }
        #expect(live.times == performance.times && bits(live.equity) == bits(performance.equity))
        #expect(bits(live.prices) == bits(performance.prices) && bits(live.exposure) == bits(performance.exposure))
        #expect(live.trades == performance.trades && live.exposedTime == performance.exposedTime && live.span == performance.span)
        #expect(bits([live.traded, live.fees, live.funding]) == bits([performance.traded, performance.fees, performance.funding]))

        // The reference: the run journal's fills, an average-entry position, a trade from each
        // departure from flat to the next return to flat or flip.
        var position = 0.0, entry = 0.0, profit = 0.0, traded = 0.0
        var opened: Int64 = 0, exposed: Int64 = 0
        var trades: [Double] = []
        try Journal(path: directory.appending("run")).read { snapshot in
            try snapshot.forEachEvent(filter: EventFilter(types: [.fill, .fundingPayment], instruments: nil)) { _, event in
                if case .fundingPayment(let payment) = event.body { profit += Double(payment.amount.units) / 1e8 }
                guard case .fill(let fill) = event.body else { return true }
                let time = event.receiveTime.nanosSinceEpoch
                let price = Double(fill.price.units) / 1e8
                let size = Double(fill.quantity.units) / 1e3 * (fill.side == .buy ? 1 : -1)
                traded += abs(size) * price
                profit -= Double(fill.fee.units) / 1e8
                if position != 0 && (size > 0) != (position > 0) {
                    let closing = min(abs(size), abs(position))
                    profit += closing * (price - entry) * (position > 0 ? 1 : -1)
                    let left = position + size
                    if left == 0 || (left > 0) != (position > 0) {
                        trades.append(profit)
                        profit = 0
                        exposed += time - opened
                        opened = time
                    }
                    entry = left == 0 ? 0 : abs(size) > abs(position) ? price : entry
                    position = left
                } else {
                    if position == 0 { opened = time }
                    entry = (entry * abs(position) + price * abs(size)) / abs(position + size)
                    position += size
                }
                return true
            }
        }
        #expect(trades.count > 5, "the sample should make the strategy trade: \(trades.count) trades")
        #expect(performance.trades.count == trades.count)
        for (recorded, reference) in zip(performance.trades.map(\.profit), trades) {
            #expect(abs(recorded - reference) < 1e-6, "trade profit \(recorded) vs \(reference)")
        }
        #expect(abs(performance.traded - traded) < 1e-6)
        #expect(performance.equity.first == 10_000)
        #expect(abs(performance.equity.last! - summary.equity) < 1e-9, "the curve ends at the run's equity")
        #expect(zip(performance.times, performance.times.dropFirst()).allSatisfy { $1 > $0 })
        #expect(performance.times.dropFirst().dropLast().allSatisfy { $0 % (10 * second) == 0 }, "samples on the 10 s grid")
        let end = performance.times.last!
        #expect(performance.exposedTime == exposed + (position != 0 ? end - opened : 0))
        #expect(abs(performance.fees - Double(summary.totals[0].fees) / 1e18) < 1e-9)
    }
}
