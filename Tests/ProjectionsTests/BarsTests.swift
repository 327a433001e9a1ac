import Foundation
import Testing
import TapeCore
import Events
import Journal
import Ingest
@testable import Projections
import TestSupport

@Suite("Bars")
struct BarsTests {
    /// Every bar closed during a replay of `journal`, with the event that closed it.
    static func bars(_ journal: Journal, _ configuration: ProjectionConfiguration) throws -> [(BarRecord, Event)] {
        var all: [(BarRecord, Event)] = []
        _ = try Replayer.run(journal: journal, configuration: configuration, range: 1...(try journal.head().lastSequence), decodeAll: true) { projections, block, index in
            for bar in projections.bars?.closed ?? [] { all.append((bar, block.event(at: index))) }
        }
        return all
    }

    /// The real trades of a journal: (sequence, receive time, event time, trade).
    static func trades(_ journal: Journal) throws -> [(UInt64, Int64, Int64, Trade)] {
        try journal.read { snapshot in
            var all: [(UInt64, Int64, Int64, Trade)] = []
            try snapshot.forEachEvent(filter: EventFilter(types: [.trade], instruments: nil)) { sequence, event in
                guard case .trade(let trade) = event.body else { return true }
                all.append((sequence, event.receiveTime.nanosSinceEpoch, event.eventTime.nanosSinceEpoch, trade))
                return true
            }
            return all
        }
    }

    @Test("1-minute bars of the real capture equal the trades grouped by minute of event time, each emitted only after its minute")
    func timeBarsOnRealTrades() throws {
        let directory = TemporaryDirectory("bars")
        let journal = try sampleJournal(directory)
        // A close delay longer than any latency in the capture, so no trade arrives after its bar closed.
        let configuration = try configuration("bars: {close_delay: 10s, series: [{name: 1m, type: time, period: 1m}]}\n")
        let emitted = try Self.bars(journal, configuration)
        let trades = try Self.trades(journal)
        let minute: Int64 = 60_000_000_000
        var expected: [Int64: (open: Int64, high: Int64, low: Int64, close: Int64, volume: Int64, buy: Int64, count: Int64, last: UInt64)] = [:]
        for (sequence, _, time, trade) in trades {
            let start = time / minute * minute
            let price = trade.price.units
            var bar = expected[start] ?? (price, price, price, price, 0, 0, 0, 0)
            bar.high = max(bar.high, price)
            bar.low = min(bar.low, price)
            bar.close = price
            bar.volume += trade.size.units
            bar.buy += trade.aggressor == .buy ? trade.size.units : 0
            bar.count += 1
            bar.last = sequence
            expected[start] = bar
        }
        let starts = expected.keys.sorted()
        // Every minute with trades except the last (still open at the journal's end) is a bar,
        // and minutes between without trades are flat bars at the previous close.
        let full = emitted.map(\.0).filter { !$0.isEmpty }
        #expect(full.map(\.start) == Array(starts.dropLast()))
        for bar in full {
            let want = expected[bar.start]!
            #expect([bar.open, bar.high, bar.low, bar.close, bar.volume, bar.buyVolume, bar.trades, bar.late]
                    == [want.open, want.high, want.low, want.close, want.volume, want.buy, want.count, 0], "bar at \(bar.start)")
            #expect(bar.end == bar.start + minute)
            #expect(bar.closedAt > want.last, "a bar closes after its last trade")
        }
        for (bar, closer) in emitted {
            // Closed by the first trade of a later minute, or by the clock at end + delay; never before.
            let byTrade = closer.type == .trade && closer.eventTime.nanosSinceEpoch >= bar.end
            let byClock = closer.receiveTime.nanosSinceEpoch >= bar.end + 10_000_000_000
            #expect(byTrade || byClock, "bar at \(bar.start) closed by \(closer)")
        }
        for (previous, next) in zip(emitted.map(\.0), emitted.map(\.0).dropFirst()) {
            #expect(next.start == previous.end, "bars follow each other without holes")
            if next.isEmpty { #expect(next.open == previous.close && next.close == previous.close) }
        }
        #expect(full.count == 3, "23:58, 23:59 and 00:00 close; 00:01 is open at the journal's end")
    }

    @Test("tick, volume and dollar bars of the real trades close on the trade that reaches the threshold")
    func thresholdBars() throws {
        let directory = TemporaryDirectory("bars")
        let journal = try sampleJournal(directory)
        let configuration = try configuration("""
            bars:
              series:
                - {name: t100, type: tick, trades: 100}
                - {name: v25, type: volume, size: "25"}
                - {name: d500k, type: dollar, notional: "500000"}
            """)
        let emitted = try Self.bars(journal, configuration).map(\.0)
        let trades = try Self.trades(journal)
        // priceScale 8, sizeScale 3 (projections/instruments.yaml).
        let thresholds: [(Int, (Int64, Int128, Int64) -> Bool)] = [
            (0, { count, _, _ in count >= 100 }),
            (1, { _, _, volume in volume >= 25_000 }),
            (2, { _, notional, _ in notional >= Int128(500_000) * 100_000_000 * 1_000 }),
        ]
        for (series, reached) in thresholds {
            var expected: [(UInt64, Int64, Int64)] = []  // closing sequence, trades, volume
            var count: Int64 = 0
            var notional: Int128 = 0
            var volume: Int64 = 0
            for (sequence, _, _, trade) in trades {
                count += 1
                volume += trade.size.units
                notional += Int128(trade.price.units) * Int128(trade.size.units)
                if reached(count, notional, volume) {
                    expected.append((sequence, count, volume))
                    (count, notional, volume) = (0, 0, 0)
                }
            }
            let got = emitted.filter { $0.series == series }
            #expect(got.map { [Int64($0.closedAt), $0.trades, $0.volume] } == expected.map { [Int64($0.0), $0.1, $0.2] }, "series \(series)")
            #expect(got.count >= 5, "series \(series)")
        }
    }

    /// A journal of trades at the given (event time, receive time, price) in seconds.
    static func tradeJournal(_ directory: TemporaryDirectory, _ trades: [(Double, Double, Int64)]) throws -> Journal {
        let journal = try Journal(path: directory.appending("synthetic"), readOnly: false, create: true)
        let catalogue = try InstrumentCatalogue(path: Paths.catalogue)
        try journal.write { appender in
            let id = try appender.add(catalogue.instrument(named: "BTCUSDT-PERP.BINANCE")!)
            for (index, (event, receive, price)) in trades.enumerated() {
                let trade = Trade(price: Price(units: price), size: Quantity(units: 1), aggressor: .buy, tradeID: UInt64(index + 1))
                try appender.append(trade, eventTime: Timestamp(nanosSinceEpoch: Int64(event * 1e9)), receiveTime: Timestamp(nanosSinceEpoch: Int64(receive * 1e9)), instrument: id)
            }
        }
        return journal
    }

    @Test("boundaries: a trade exactly on a boundary opens the next bar; the clock closes bars at end + delay; late trades join the open bar, counted; gaps make flat bars")
    func boundaries() throws {
        let directory = TemporaryDirectory("bars")
        let journal = try Self.tradeJournal(directory, [
            (60, 60.1, 100),         // 1: opens [60, 120)
            (119.999, 120.05, 101),  // 2: event time in [60, 120), received just after 120
            (120, 120.2, 102),       // 3: exactly on the boundary: belongs to [120, 180)
            (179.9, 181, 103),       // 4: event time in [120, 180), received after 180
            (250, 250, 104),         // 5: opens [240, 300); nothing traded in [180, 240)
            (239, 251, 105),         // 6: event time in [180, 240), which has closed by now
            (400, 400, 106),         // 7: opens [360, 420); nothing traded in [300, 360)
        ])
        func check(_ yaml: String, starts: [Int64], trades: [Int64], late: [Int64], open: [Int64], close: [Int64], closedAt: [UInt64]) throws {
            let bars = try Self.bars(journal, try configuration(yaml)).map(\.0)
            #expect(bars.map { $0.start / 1_000_000_000 } == starts, "\(yaml)")
            #expect(bars.map(\.trades) == trades, "\(yaml)")
            #expect(bars.map(\.late) == late, "\(yaml)")
            #expect(bars.map(\.open) == open, "\(yaml)")
            #expect(bars.map(\.close) == close, "\(yaml)")
            #expect(bars.map(\.closedAt) == closedAt, "\(yaml)")
        }
        // With a 2 s delay the next bar's first trade closes a bar (events 3, 5, 7), and 6 arrives
        // after [180, 240) was closed by the clock at 250: it joins [240, 300) as a late trade.
        try check("bars: {close_delay: 2s, series: [{name: 1m, type: time, period: 1m}]}\n",
                  starts: [60, 120, 180, 240, 300], trades: [2, 2, 0, 2, 0], late: [0, 0, 0, 1, 0],
                  open: [100, 102, 103, 104, 105], close: [101, 103, 103, 105, 105], closedAt: [3, 5, 5, 7, 7])
        // With no delay, the arrival of events 2 and 4 closes their bars by the clock first, so
        // they are late and join the next bar.
        try check("bars: {close_delay: 0s, series: [{name: 1m, type: time, period: 1m}]}\n",
                  starts: [60, 120, 180, 240, 300], trades: [1, 2, 1, 2, 0], late: [0, 1, 1, 1, 0],
                  open: [100, 101, 103, 104, 105], close: [100, 102, 103, 105, 105], closedAt: [2, 4, 5, 7, 7])
        let skipping = try configuration("bars: {close_delay: 2s, empty_bars: false, series: [{name: 1m, type: time, period: 1m}]}\n")
        #expect(try Self.bars(journal, skipping).map { $0.0.start / 1_000_000_000 } == [60, 120, 240])
    }

    @Test("venue bars of the configured interval pass through as they arrive")
    func importedBars() throws {
        let directory = TemporaryDirectory("bars")
        let journal = try Journal(path: directory.appending("klines"), readOnly: false, create: true)
        var request = ImportRequest(format: .binanceKlines, files: [Paths.repository.appendingPathComponent("Tests/IngestTests/Fixtures/binance-klines-adabtc-1m.csv").path], toolVersion: "test", importedAt: Timestamp(nanosSinceEpoch: 1))
        request.instruments = ["ADABTC.BINANCE"]
        request.catalogue = try InstrumentCatalogue(path: Paths.catalogue)
        let summary = try Importer.run(request, journal: journal)
        let configuration = try configuration("bars: {series: [{name: venue1m, type: imported, interval: 1m}, {name: venue1h, type: imported, interval: 1h}]}\n")
        let bars = try Self.bars(journal, configuration).map(\.0)
        #expect(bars.count == Int(summary.eventCount))
        #expect(bars.allSatisfy { $0.series == 0 && $0.end - $0.start == 60_000_000_000 })
        let events = try journal.read { snapshot in
            var all: [Bar] = []
            try snapshot.forEachEvent { _, event in
                if case .bar(let bar) = event.body { all.append(bar) }
                return true
            }
            return all
        }
        #expect(bars.map { [$0.open, $0.high, $0.low, $0.close, $0.volume] } == events.map { [$0.open.units, $0.high.units, $0.low.units, $0.close.units, $0.volume.units] })
    }

    @Test("an instrument the journal does not hold is an error naming it")
    func unknownInstrument() throws {
        let directory = TemporaryDirectory("bars")
        let journal = try sampleJournal(directory)
        let configuration = try configuration("bars: {instruments: [ETHUSDT-PERP.BINANCE], series: [{name: 1m, type: time, period: 1m}]}\n")
        #expect(throws: ProjectionError.unknownInstrument("ETHUSDT-PERP.BINANCE", projection: "bars")) {
            try Replayer.run(journal: journal, configuration: configuration, range: 1...10)
        }
    }
}
