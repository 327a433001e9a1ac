import Foundation
import Testing
import TapeCore
import Events
import Journal
import Ingest
import Indicators
@testable import Projections
import TestSupport

@Suite("Features")
struct FeaturesTests {
    /// Every feature row of a replay of `journal` with `configuration`.
    static func rows(_ journal: Journal, _ configuration: ProjectionConfiguration) throws -> [FeatureRow] {
        var rows: [FeatureRow] = []
        _ = try Replayer.run(journal: journal, configuration: configuration, range: 1...(try journal.head().lastSequence), recordFeatures: true) { projections, _, _ in
            rows += projections.features?.takeRows() ?? []
        }
        return rows
    }

    /// A configuration with every indicator of the catalogue (defaults) and every stream source
    /// on 1-second bars of the sample.
    static func everything() throws -> ProjectionConfiguration {
        var list = IndicatorCatalog.all.map { kind in
            let other = kind.inputs.contains("other") ? ", other: BTCUSDT-PERP.BINANCE" : ""
            return "    - {name: f_\(kind.name), indicator: \(kind.name)\(other)}"
        }
        for source in StreamFeature.allCases {
            var options = ""
            if source.needsWindow { options += ", window: 30s" }
            if source.needsBasisPoints { options += ", bps: 10" }
            if source.isGlobal { options += source.rawValue.hasPrefix("whale") ? ", instrument: BTC.BITCOIN" : ", instrument: FEAR_GREED.ALTERNATIVE_ME" }
            list.append("    - {name: s_\(source.rawValue), source: \(source.rawValue)\(options)}")
        }
        return try configuration("""
            book: {}
            bars:
              instruments: [BTCUSDT-PERP.BINANCE]
              series: [{name: 1s, type: time, period: 1s}]
            features:
              sample: 1s
              list:
            \(list.joined(separator: "\n"))
            """)
    }

    /// A journal holding events 1 … `count` of `source`.
    static func truncated(_ source: Journal, through count: UInt64, into path: String) throws -> Journal {
        let journal = try Journal(path: path, readOnly: false, create: true, options: .init(blockEvents: 1_000))
        try source.read { snapshot in
            try journal.write { appender in
                for instrument in snapshot.instruments.instruments { _ = try appender.add(instrument) }
                try snapshot.forEachEvent(from: 1, through: count) { _, event in
                    try appender.append(event)
                    return true
                }
            }
        }
        return journal
    }

    static func identical(_ a: [FeatureRow], _ b: [FeatureRow]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in
            x.instrument == y.instrument && x.time == y.time && x.sequence == y.sequence
                && x.values.map(\.bitPattern) == y.values.map(\.bitPattern)
        }
    }

    @Test("truncation: the features of a journal cut at any point equal the full run's rows up to it, for every indicator and source")
    func truncation() throws {
        let directory = TemporaryDirectory("features")
        // Whale and sentiment instruments must be in the journal for the global sources.
        let journal = try sampleJournal(directory)
        let catalogue = try InstrumentCatalogue(path: Paths.catalogue)
        try journal.write { appender in
            _ = try appender.add(catalogue.instrument(named: "BTC.BITCOIN")!)
            _ = try appender.add(catalogue.instrument(named: "FEAR_GREED.ALTERNATIVE_ME")!)
        }
        let configuration = try Self.everything()
        let full = try Self.rows(journal, configuration)
        #expect(full.count > 150, "1-second bars of a 3.5-minute capture")
        let columns = configuration.features!.columns
        // Every column has values somewhere (nothing is silently always undefined), except the
        // sources with no data in the capture (sentiment, on-chain, open interest).
        let empty = Set(["s_open_interest_change", "s_sentiment", "s_sentiment_change"])
        for (index, column) in columns.enumerated() where !empty.contains(column) {
            #expect(full.contains { !$0.values[index].isNaN }, "\(column) is never defined")
        }
        for cut: UInt64 in [5_000, 13_483, 20_000, 27_777] {
            let cutJournal = try Self.truncated(journal, through: cut, into: directory.appending("cut-\(cut)"))
            let rows = try Self.rows(cutJournal, configuration)
            #expect(Self.identical(rows, full.filter { $0.sequence <= cut }), "cut at \(cut)")
        }
    }

    @Test("trade windows: each row's trade features are those of the trades received in (now − window, now], summed directly")
    func tradeWindows() throws {
        let directory = TemporaryDirectory("features")
        let journal = try sampleJournal(directory)
        let configuration = try configuration("""
            bars: {instruments: [BTCUSDT-PERP.BINANCE], series: [{name: 1s, type: time, period: 1s}]}
            features:
              sample: 1s
              list:
                - {name: imbalance, source: trade_imbalance, window: 2s}
                - {name: signed, source: signed_volume, window: 30s}
                - {name: count, source: trade_count, window: 2s}
                - {name: count_30s, source: trade_count, window: 30s}
                - {name: vwap, source: vwap_deviation_bps, window: 30s}
            """)
        let rows = try Self.rows(journal, configuration)
        var times: [UInt64: Int64] = [:]
        var trades: [(time: Int64, trade: Trade)] = []
        try journal.read { snapshot in
            try snapshot.forEachEvent(from: 1, through: try journal.head().lastSequence) { sequence, event in
                times[sequence] = event.receiveTime.nanosSinceEpoch
                if case .trade(let trade) = event.body { trades.append((event.receiveTime.nanosSinceEpoch, trade)) }
                return true
            }
        }
        #expect(rows.count > 150)
        var checked = 0
        for row in rows {
            let now = times[row.sequence]!
            func window(_ seconds: Int64) -> [Trade] { trades.filter { $0.time > now - seconds * 1_000_000_000 && $0.time <= now }.map(\.trade) }
            let short = window(2)
            let long = window(30)
            let bought = short.filter { $0.aggressor == .buy }.reduce(0) { $0 + $1.size.units }
            let sold = short.filter { $0.aggressor != .buy }.reduce(0) { $0 + $1.size.units }
            let longBought = long.filter { $0.aggressor == .buy }.reduce(0) { $0 + $1.size.units }
            let longSold = long.filter { $0.aggressor != .buy }.reduce(0) { $0 + $1.size.units }
            #expect(row.values[2] == Double(short.count) && row.values[3] == Double(long.count), "counts at \(row.sequence)")
            if short.isEmpty {
                #expect(row.values[0].isNaN)
            } else {
                #expect(row.values[0] == Double(bought - sold) / Double(bought + sold), "imbalance at \(row.sequence)")
            }
            #expect(row.values[1] == Double(longBought - longSold) / 1e3, "signed volume at \(row.sequence)")
            if let last = long.last {
                // Exact notional: the sum of price × size in integers, as a reference would do it.
                let notional = long.reduce(Int128(0)) { $0 + Int128($1.price.units) * Int128($1.size.units) }
                let vwap = Double(notional) / Double(longBought + longSold)
                #expect(row.values[4] == (Double(last.price.units) - vwap) / vwap * 10_000, "vwap deviation at \(row.sequence)")
                checked += 1
            } else {
                #expect(row.values[4].isNaN)
            }
        }
        #expect(checked > 150, "rows with trades in the window")
    }

    @Test("a feature's value is the indicator run on the closed bars, and the row carries the bar's end and closing sequence")
    func rowsFollowBars() throws {
        let directory = TemporaryDirectory("features")
        let journal = try sampleJournal(directory)
        let configuration = try configuration("""
            bars: {series: [{name: 5s, type: time, period: 5s}]}
            features: {sample: 5s, list: [{name: sma, indicator: sma, period: 6}, {name: bands, indicator: bbands, period: 5}]}
            """)
        var bars: [BarRecord] = []
        var rows: [FeatureRow] = []
        _ = try Replayer.run(journal: journal, configuration: configuration, range: 1...(try journal.head().lastSequence), recordFeatures: true) { projections, _, _ in
            bars += projections.bars?.closed ?? []
            rows += projections.features?.takeRows() ?? []
        }
        #expect(rows.count == bars.count)
        var sma = try IndicatorCatalog.make("sma", parameters: ["period": 6])
        var bands = try IndicatorCatalog.make("bbands", parameters: ["period": 5])
        for (bar, row) in zip(bars, rows) {
            let input = IndicatorInput(value: Double(bar.close) / 1e8)
            let expected = [sma.update(input).first] + { let b = bands.update(input); return [b.first, b.second, b.third] }()
            #expect(row.values.map(\.bitPattern) == expected.map(\.bitPattern))
            #expect(row.time == bar.end && row.sequence == bar.closedAt)
        }
        #expect(configuration.features!.columns == ["sma", "bands.upper", "bands.middle", "bands.lower"])
    }

    @Test("alternative data is visible from its receive time, never its source time; windows count only what arrived in them")
    func alternativeDataAtReceiveTime() throws {
        let directory = TemporaryDirectory("features")
        let journal = try Journal(path: directory.appending("alt"), readOnly: false, create: true)
        let catalogue = try InstrumentCatalogue(path: Paths.catalogue)
        func at(_ seconds: Double) -> Timestamp { Timestamp(nanosSinceEpoch: Int64(seconds * 1e9)) }
        try journal.write { appender in
            let perpetual = try appender.add(catalogue.instrument(named: "BTCUSDT-PERP.BINANCE")!)
            let index = try appender.add(catalogue.instrument(named: "FEAR_GREED.ALTERNATIVE_ME")!)
            let chain = try appender.add(catalogue.instrument(named: "BTC.BITCOIN")!)
            for second in 0..<200 {
                if second == 70 {
                    // Published for 0:10 and 0:30, received at 1:10: rows before 1:10 must not see them.
                    try appender.append(SentimentReading(value: 55), eventTime: at(10), receiveTime: at(70), instrument: index)
                    let transfer = OnChainTransfer(transactionID: Hash256(words: (1, 2, 3, 4)), amount: Quantity(units: 250_000_000_000), fee: .zero, flow: .inflow, inputCount: 1, outputCount: 2)
                    try appender.append(transfer, eventTime: at(30), receiveTime: at(70), instrument: chain)
                }
                let trade = Trade(price: Price(units: 2_800_000_000_000 + Int64(second) * 10_000_000), size: Quantity(units: 1_000), aggressor: second % 3 == 0 ? .sell : .buy, tradeID: UInt64(second + 1))
                try appender.append(trade, eventTime: at(Double(second)), receiveTime: at(Double(second) + 0.01), instrument: perpetual)
            }
        }
        let configuration = try configuration("""
            bars: {instruments: [BTCUSDT-PERP.BINANCE], series: [{name: 1m, type: time, period: 1m}]}
            features:
              sample: 1m
              list:
                - {name: fng, source: sentiment, instrument: FEAR_GREED.ALTERNATIVE_ME}
                - {name: inflow, source: whale_inflow, window: 1m, instrument: BTC.BITCOIN}
                - {name: imbalance, source: trade_imbalance, window: 1m}
                - {name: count, source: trade_count, window: 1m}
            """)
        let rows = try Self.rows(journal, configuration)
        #expect(rows.map { $0.time / 1_000_000_000 } == [60, 120, 180])
        #expect(rows[0].values[0].isNaN && rows[0].values[1] == 0, "at 1:00 the reading and the transfer (received at 1:10) are unknown")
        #expect(rows[1].values[0] == 55 && rows[1].values[1] == 2_500, "at 2:00 both are known")
        #expect(rows[2].values[1] == 0, "the transfer left the 1-minute window by 3:00")
        // Each row closes at the first trade of the next minute (received at m:00.01): the window
        // (now − 1m, now] holds 60 trades, a third of them sells.
        #expect(rows.allSatisfy { $0.values[3] == 60 })
        #expect(rows.allSatisfy { abs($0.values[2] - 1.0 / 3.0) < 1e-12 })
    }

    @Test("feature configuration mistakes name the file and line")
    func configurationErrors() throws {
        let cases: [(String, String)] = [
            ("features: {sample: 1m, list: [{name: a, indicator: rsi}]}\n", "test.yaml:2: features need a bars section (their rows are the closes of a bar series)"),
            ("bars: {series: [{name: 1m, type: time, period: 1m}]}\nfeatures: {sample: 5m, list: [{name: a, indicator: rsi}]}\n",
             "test.yaml:3: features sample 5m is not a bar series (1m)"),
            ("bars: {series: [{name: 1m, type: time, period: 1m}]}\nfeatures: {sample: 1m, list: [{name: a, indicator: rsx}]}\n",
             "test.yaml:3: no indicator named 'rsx' (tape features --list shows them)"),
            ("bars: {series: [{name: 1m, type: time, period: 1m}]}\nfeatures: {sample: 1m, list: [{name: a, indicator: rsi, period: 0}]}\n",
             "test.yaml:3: rsi period must be a whole number from 1.0 to 100000.0, not 0.0"),
            ("bars: {series: [{name: 1m, type: time, period: 1m}]}\nfeatures: {sample: 1m, list: [{name: a, source: spread_bps}]}\n",
             "test.yaml:3: feature a reads the order book: add a book section"),
            ("bars: {series: [{name: 1m, type: time, period: 1m}]}\nfeatures: {sample: 1m, list: [{name: a, source: trade_count}]}\n",
             "test.yaml:3: source trade_count needs a window (e.g. 5m)"),
            ("bars: {series: [{name: 1m, type: time, period: 1m}]}\nfeatures: {sample: 1m, list: [{name: a, source: tides}]}\n",
             "test.yaml:3: source 'tides' is not one of \(StreamFeature.allCases.map(\.rawValue).joined(separator: ", "))"),
        ]
        for (yaml, message) in cases {
            do {
                _ = try configuration(yaml)
                Issue.record("accepted: \(yaml)")
            } catch {
                #expect("\(error)" == message)
            }
        }
    }
}
