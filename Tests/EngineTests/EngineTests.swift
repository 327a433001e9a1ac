@testable import Engine
import Events
import Foundation
import Ingest
import Journal
import Projections
import Risk
import Strategies
import TapeCore
import Testing
import TestSupport

/// Backtests on the bundled real capture: deterministic run journals, replays that give every
/// decision back, audits that catch a doctored decision, and an EMA cross checked against an
/// independent calculation.
@Suite("Engine")
struct EngineTests {
    /// A run configuration in `directory`: the repository's projections and limits unless given.
    static func configuration(
        _ directory: TemporaryDirectory, run: String, projections: String? = nil, limits: String? = nil
    ) throws -> RunConfiguration {
        let projectionsPath = projections.map { text in
            let path = directory.appending("projections.yaml")
            try! Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        } ?? Paths.defaultProjections
        let limitsPath = limits.map { text in
            let path = directory.appending("limits.yaml")
            try! Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        } ?? Paths.repository.appendingPathComponent("projections/limits.yaml").path
        let path = directory.appending("run.yaml")
        let text = "version: 1\nprojections: \(projectionsPath)\nlimits: \(limitsPath)\n" + run
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try RunConfiguration(path: path)
    }

    static let emaCross = """
        seed: 7
        execution: {fees: {maker: "0.0002", taker: "0.0004"}, latency: {submit: 5ms, cancel: 5ms}, slippage: {model: spread, fraction: 0.5}}
        strategies:
          - {type: ema_cross, instrument: BTCUSDT-PERP.BINANCE, fast: 10, slow: 50, size: "0.01"}
          - {type: breakout, channel: bollinger, instrument: BTCUSDT-PERP.BINANCE, period: 200, k: 2, size: "0.005"}

        """

    @Test("two runs of the same backtest write the same run journal, event for event, hashed as written; its replay gives every decision back")
    func deterministic() throws {
        let directory = TemporaryDirectory("engine")
        let source = try sampleJournal(directory)
        let configuration = try Self.configuration(directory, run: Self.emaCross)
        let engine = Engine(configuration: configuration, codeVersion: "test")
        let first = try engine.backtest(source: source, sourcePath: directory.appending("sample"), range: nil, output: directory.appending("run1"))
        let second = try engine.backtest(source: source, sourcePath: directory.appending("sample"), range: nil, output: directory.appending("run2"))
        #expect(first.runHash == second.runHash && first.runID == second.runID && first.runEvents == second.runEvents)
        // The hash the engine took as it appended is the written journal's, read back.
        #expect(first.runHash == (try RunSummary.contentHash(of: Journal(path: directory.appending("run1")))))
        #expect(first.signals > 20 && first.fills > 20, "the sample should make the strategies trade: \(first.signals) signals, \(first.fills) fills")
        let decisions = try Journal(path: directory.appending("run1")).head().count(of: .riskDecision)
        #expect(decisions == UInt64(first.decisions.reduce(0) { $0 + $1.count }))

        // The audit re-derives every decision, from the source and the run journal alone.
        let replay = try RunReplay(runPath: directory.appending("run1"), sourcePath: nil)
        var auditor = Auditor()
        let fold = try replay.replay(visitor: &auditor)
        #expect(auditor.report.checked == Int(decisions))
        #expect(auditor.report.isClean, "\(auditor.report.mismatches.prefix(3).map { $0.mismatch ?? "" }) \(auditor.report.missing.prefix(3))")
        // The replayed ledger is the run's.
        #expect(abs(fold.projections.ledger!.valuation().equity - first.equity) < 1e-9)
        #expect(fold.projections.ledger!.positions[1].fills == first.positions[0].fills)
    }

    @Test("a decision doctored in a copy of the run journal makes the audit fail, naming it")
    func doctored() throws {
        let directory = TemporaryDirectory("engine-doctored")
        let source = try sampleJournal(directory)
        let configuration = try Self.configuration(directory, run: Self.emaCross)
        _ = try Engine(configuration: configuration, codeVersion: "test").backtest(
            source: source, sourcePath: directory.appending("sample"), range: nil, output: directory.appending("run"))
        // Copy the run, changing the measured value of one rule of the fifth decision.
        let original = try Journal(path: directory.appending("run"))
        let copy = try Journal(path: directory.appending("copy"), readOnly: false, create: true)
        var doctoredSequence: UInt64 = 0
        try original.read { snapshot in
            try copy.write { appender in
                for instrument in snapshot.instruments.instruments { _ = try appender.add(instrument) }
                for name in [Engine.Attachment.run, Engine.Attachment.projections, Engine.Attachment.limits, Engine.Attachment.source, Engine.Attachment.paths] {
                    if let bytes = try snapshot.attachment(name) { try appender.attach(bytes, name: name) }
                }
                var seen = 0
                try snapshot.forEachEvent { sequence, event in
                    var event = event
                    if case .riskDecision(var decision) = event.body {
                        seen += 1
                        if seen == 5 {
                            decision.rules[decision.rules.count - 1].measured *= 0.5
                            event.body = .riskDecision(decision)
                            doctoredSequence = sequence
                        }
                    }
                    try appender.append(event)
                    return true
                }
            }
        }
        #expect(doctoredSequence > 0)
        let replay = try RunReplay(runPath: directory.appending("copy"), sourcePath: nil)
        var auditor = Auditor()
        try replay.replay(visitor: &auditor)
        #expect(auditor.report.mismatches.map(\.sequence) == [doctoredSequence])
        #expect(auditor.report.mismatches.first?.mismatch?.contains("journaled") == true)
    }
}

extension EngineTests {
    @Test("an EMA(10)/EMA(50) cross on the real trades matches an independent calculation: fills, position, fees and PnL to the cent")
    func emaCrossReference() throws {
        let directory = TemporaryDirectory("engine-ema")
        let sample = try sampleJournal(directory)
        // The capture's trades alone: market orders then fill at the last trade price.
        let trades = try Journal(path: directory.appending("trades"), readOnly: false, create: true)
        var prices: [Double] = []
        try sample.read { snapshot in
            try trades.write { appender in
                for instrument in snapshot.instruments.instruments { _ = try appender.add(instrument) }
                try snapshot.forEachEvent(filter: EventFilter(types: [.trade], instruments: nil)) { _, event in
                    if case .trade(let trade) = event.body { prices.append(Double(trade.price.units) / 1e8) }
                    try appender.append(event)
                    return true
                }
            }
        }
        let configuration = try Self.configuration(
            directory, run: """
                execution: {fees: {maker: "0.0002", taker: "0.0004"}, slippage: {model: fixed, bps: 0}}
                strategies: [{type: ema_cross, instrument: BTCUSDT-PERP.BINANCE, fast: 10, slow: 50, size: "0.01"}]

                """,
            projections: "version: 1\nledger: {currency: USDT, cash: {USDT: \"10000\"}, leverage: 10}\n",
            limits: "version: 1\ninstruments: {default: {max_position: \"1\"}}\n")
        let summary = try Engine(configuration: configuration, codeVersion: "test").backtest(
            source: trades, sourcePath: directory.appending("trades"), range: nil, output: directory.appending("run"))

        // The reference: EMAs seeded with the mean of their first values (as TA-Lib), a target of
        // ±0.01 BTC on each change of sign of fast − slow, filled at that trade's price, taker fee
        // 0.04 % of the notional, average-entry PnL.
        struct EMA {
            let period: Int
            var values: [Double] = []
            var value = Double.nan
            mutating func add(_ x: Double) -> Double {
                if values.count < period {
                    values.append(x)
                    if values.count == period { value = values.reduce(0, +) / Double(period) }
                } else {
                    value += 2 / Double(period + 1) * (x - value)
                }
                return value
            }
        }
        var fast = EMA(period: 10)
        var slow = EMA(period: 50)
        var target = 0.0
        var position = 0.0
        var entry = 0.0
        var realized = 0.0
        var fees = 0.0
        var fills = 0
        for price in prices {
            let f = fast.add(price)
            let s = slow.add(price)
            guard !s.isNaN, f != s else { continue }
            let wanted = f > s ? 0.01 : -0.01
            guard wanted != target else { continue }
            target = wanted
            let order = wanted - position
            fills += 1
            fees += abs(order) * price * 0.0004
            if position != 0 && (order > 0) != (position > 0) {
                let closed = min(abs(order), abs(position))
                realized += closed * (price - entry) * (position > 0 ? 1 : -1)
                let left = position + order
                if abs(order) > abs(position) { entry = price } else if left == 0 { entry = 0 }
                position = left
            } else {
                entry = (entry * abs(position) + price * abs(order)) / abs(position + order)
                position += order
            }
        }
        let last = prices.last!
        let unrealized = position * (last - entry)
        let reported = summary.positions[0]
        #expect(fills > 10)
        #expect(summary.fills == fills)
        #expect(Double(reported.size) / 1e3 == position)
        #expect(abs(Double(reported.fees) / 1e18 - fees) < 0.005, "fees \(Double(reported.fees) / 1e18) vs \(fees)")
        #expect(abs(Double(reported.realized) / 1e18 - realized) < 0.005, "realized \(Double(reported.realized) / 1e18) vs \(realized)")
        #expect(abs(Double(reported.unrealized) / 1e18 - unrealized) < 0.005, "unrealized \(Double(reported.unrealized) / 1e18) vs \(unrealized)")
        #expect(abs(summary.equity - (10_000 + realized + unrealized - fees)) < 0.01)
    }
}

extension EngineTests {
    static let start: Int64 = 1_680_652_800_000_000_000
    static let second: Int64 = 1_000_000_000

    /// A new source journal in `directory` of the catalogue's `names`; `body` appends its
    /// events, given the instruments' ids.
    static func handBuilt(_ directory: TemporaryDirectory, instruments names: [String], _ body: (inout JournalAppender, [InstrumentID]) throws -> Void) throws -> Journal {
        let catalogue = try InstrumentCatalogue(path: Paths.catalogue)
        let source = try Journal(path: directory.appending("source"), readOnly: false, create: true)
        try source.write { appender in
            let ids = try names.map { try appender.add(catalogue.instrument(named: $0)!) }
            try body(&appender, ids)
        }
        return source
    }

    /// Appends a trade of one lot of `id` at `price` whole units, at `time`.
    static func trade(_ appender: inout JournalAppender, _ id: InstrumentID, _ price: Int64, at time: Int64) throws {
        let stamp = Timestamp(nanosSinceEpoch: time)
        try appender.append(Trade(price: Price(units: price * 100_000_000), size: Quantity(units: 1), aggressor: .buy, tradeID: UInt64(time)),
                            eventTime: stamp, receiveTime: stamp, instrument: id)
    }

    @Test("funding settled on a held position is journaled as paid, and a mark through the liquidation price liquidates it there")
    func fundingAndLiquidation() throws {
        let directory = TemporaryDirectory("engine-liquidation")
        let (start, second) = (Self.start, Self.second)
        let source = try Self.handBuilt(directory, instruments: ["BTCUSDT-PERP.BINANCE"]) { appender, ids in
            let id = ids[0]
            func trade(_ price: Int64, at time: Int64) throws { try Self.trade(&appender, id, price, at: time) }
            // Rising: the EMA(2)/EMA(3) cross goes long 0.1 at the third trade (20 020).
            for step in 0..<4 { try trade(20_000 + 10 * Int64(step), at: start + Int64(step) * second) }
            // A funding of 0.1 % due at start + 10 s, settled at the next trade.
            let announced = Timestamp(nanosSinceEpoch: start + 5 * second)
            try appender.append(FundingRate(rate: Rate(units: 1_000_000_000_000_000), fundingTime: Timestamp(nanosSinceEpoch: start + 10 * second),
                                            intervalNanos: 8 * 3_600 * second), eventTime: announced, receiveTime: announced, instrument: id)
            try trade(20_030, at: start + 11 * second)
            // 100 USDT behind 2 002 of notional: the liquidation price is about 19 120; the mark gaps to 18 000.
            try trade(18_000, at: start + 12 * second)
        }
        let configuration = try Self.configuration(
            directory, run: """
                execution: {fees: {maker: "0", taker: "0"}}
                strategies: [{type: ema_cross, instrument: BTCUSDT-PERP.BINANCE, fast: 2, slow: 3, size: "0.1", long_only: true}]

                """,
            projections: "version: 1\nledger: {currency: USDT, cash: {USDT: \"100\"}, leverage: 20}\n",
            limits: "version: 1\ninstruments: {default: {max_position: \"1\"}}\n")
        let summary = try Engine(configuration: configuration, codeVersion: "test").backtest(
            source: source, sourcePath: directory.appending("source"), range: nil, output: directory.appending("run"))
        #expect(summary.fills == 1 && summary.fundingPayments == 1 && summary.liquidations == 1)

        var funding: [FundingPaid] = []
        var liquidations: [PositionLiquidated] = []
        try Journal(path: directory.appending("run")).read { snapshot in
            try snapshot.forEachEvent { _, event in
                if case .fundingPayment(let paid) = event.body { funding.append(paid) }
                if case .liquidation(let liquidation) = event.body { liquidations.append(liquidation) }
                return true
            }
        }
        // Long 0.1 at a mark of 20 030 pays 0.1 % of 2 003 USDT (money at the price scale).
        #expect(funding.map(\.amount.units) == [-2_003_000_00] && funding.first?.position.units == 100)
        // The mark gapped past the liquidation price: closed at the mark, the whole position.
        #expect(liquidations.map(\.price.units) == [18_000_00_000_000] && liquidations.first?.side == .sell && liquidations.first?.quantity.units == 100)
        #expect(summary.positions.first?.size == 0)

        var auditor = Auditor()
        try RunReplay(runPath: directory.appending("run"), sourcePath: nil).replay(visitor: &auditor)
        #expect(auditor.report.isClean && auditor.report.checked == summary.decisions.reduce(0) { $0 + $1.count })
    }
}

extension EngineTests {
    @Test("with an execution algorithm, the orders placed for signals at or over its minimum are parents worked by it (children fill them; a reduction's are reduce-only) and the rest go as they are; the run audits clean; a minimum over every order works none")
    func workedOrders() throws {
        let directory = TemporaryDirectory("engine-algorithm")
        let source = try sampleJournal(directory)
        func run(_ name: String, minimum: String, longOnly: Bool = false) throws -> (summary: RunSummary, orders: [OrderSubmitted], fills: [UInt64: Int64]) {
            let configuration = try Self.configuration(directory, run: """
                execution: {fees: {maker: "0.0002", taker: "0.0004"}, algorithm: {type: twap, min_quantity: "\(minimum)"}, twap: {duration: 20s, slices: 4}}
                strategies: [{type: ema_cross, instrument: BTCUSDT-PERP.BINANCE, fast: 10, slow: 50, size: "0.01", long_only: \(longOnly)}]

                """)
            let summary = try Engine(configuration: configuration, codeVersion: "test").backtest(
                source: source, sourcePath: directory.appending("sample"), range: nil, output: directory.appending(name))
            var orders: [OrderSubmitted] = []
            var fills: [UInt64: Int64] = [:]
            try Journal(path: directory.appending(name)).read { snapshot in
                try snapshot.forEachEvent { _, event in
                    if case .orderSubmitted(let order) = event.body { orders.append(order) }
                    if case .fill(let fill) = event.body { fills[fill.orderID, default: 0] += fill.quantity.units }
                    return true
                }
            }
            #expect(try RunReplay(runPath: directory.appending(name), sourcePath: nil).audit().isClean)
            return (summary, orders, fills)
        }
        // Every signal's order is 0.01 (a flip 0.02): all are worked.
        let worked = try run("worked", minimum: "0.01")
        let parents = worked.orders.filter { $0.algorithm == .twap }
        let children = worked.orders.filter { $0.parentOrderID != 0 }
        #expect(parents.count > 5 && children.count >= parents.count)
        #expect(parents.allSatisfy { $0.parentOrderID == 0 && !$0.reduceOnly }, "flips and entries add exposure")
        #expect(children.allSatisfy { child in child.algorithm == .none && parents.contains { $0.orderID == child.parentOrderID } })
        // Parents never trade themselves; their children's fills add up to no more than each parent.
        #expect(parents.allSatisfy { worked.fills[$0.orderID] == nil })
        for parent in parents {
            let filled = children.filter { $0.parentOrderID == parent.orderID }.reduce(Int64(0)) { $0 + (worked.fills[$1.orderID] ?? 0) }
            #expect(filled <= parent.quantity.units)
        }
        // Only the flips (0.02) are worked at a minimum of 0.015.
        let some = try run("some", minimum: "0.015")
        #expect(some.orders.filter { $0.algorithm == .twap }.allSatisfy { $0.quantity.units == 20 })
        #expect(some.orders.contains { $0.algorithm == .twap } && some.orders.contains { $0.parentOrderID == 0 && $0.algorithm == .none && $0.quantity.units == 10 })
        // Long only, the exits to flat are reduce-only parents, and so are their children.
        let exits = try run("exits", minimum: "0.01", longOnly: true)
        let reducing = exits.orders.filter { $0.algorithm == .twap && $0.reduceOnly }
        #expect(!reducing.isEmpty && exits.orders.filter { $0.parentOrderID != 0 && reducing.map(\.orderID).contains($0.parentOrderID) }.allSatisfy(\.reduceOnly))
        // A minimum over every order: none is worked.
        let none = try run("none", minimum: "1")
        #expect(none.orders.allSatisfy { $0.algorithm == .none && $0.parentOrderID == 0 })
    }
}

extension EngineTests {
    /// Asks for one order at its `at`-th trade, placed as `terms` say, `ticks` price ticks
    /// (0.1 USDT) from that trade's price for its limit and trigger.
    struct OneOrder: Strategy {
        let at: Int
        let quantity: Int64
        let type: OrderType
        let timeInForce: TimeInForce
        let limitTicks: Int64?
        let triggerTicks: Int64?
        let postOnly: Bool
        let display: Int64
        var seen = 0

        var readTypes: Set<EventType> { [.trade] }

        mutating func react(to view: borrowing MarketView, projections: ProjectionSet, strategy: UInt32, into signals: inout [StrategySignal]) throws(LookAheadError) {
            guard view.type == .trade else { return }
            seen += 1
            guard seen == at else { return }
            let price = view.trade.price.units
            signals.append(StrategySignal(instrument: view.instrument, signal: SignalEmitted(
                strategy: strategy, causation: view.sequence, kind: .orderIntent, quantity: Quantity(units: quantity),
                price: Price(units: limitTicks.map { price + $0 * 10_000_000 } ?? 0), strength: 1, features: [], orderType: type,
                timeInForce: timeInForce, triggerPrice: Price(units: triggerTicks.map { price + $0 * 10_000_000 } ?? 0), postOnly: postOnly,
                displayQuantity: Quantity(units: display))))
        }
    }

    @Test("an order intent is placed as its signal asks — stop, stop-limit, post-only, immediate-or-cancel, iceberg — and its signal carries the terms; the run audits clean")
    func orderTerms() throws {
        let directory = TemporaryDirectory("engine-order-terms")
        let source = try sampleJournal(directory)
        let configuration = try Self.configuration(directory, run: """
            execution: {fees: {maker: "0.0002", taker: "0.0004"}}

            """)
        let strategies: [any Strategy] = [
            OneOrder(at: 100, quantity: 10, type: .stop, timeInForce: .goodTillCanceled, limitTicks: nil, triggerTicks: 20, postOnly: false, display: 0),
            OneOrder(at: 200, quantity: -10, type: .stopLimit, timeInForce: .goodTillCanceled, limitTicks: -25, triggerTicks: -20, postOnly: false, display: 0),
            OneOrder(at: 300, quantity: 20, type: .limit, timeInForce: .goodTillCanceled, limitTicks: -30, triggerTicks: nil, postOnly: true, display: 5),
            OneOrder(at: 400, quantity: -10, type: .limit, timeInForce: .immediateOrCancel, limitTicks: -5, triggerTicks: nil, postOnly: false, display: 0),
        ]
        _ = try Engine(configuration: configuration, codeVersion: "test", strategies: strategies).backtest(
            source: source, sourcePath: directory.appending("sample"), range: nil, output: directory.appending("run"))
        var signals: [SignalEmitted] = []
        var orders: [OrderSubmitted] = []
        try Journal(path: directory.appending("run")).read { snapshot in
            try snapshot.forEachEvent { _, event in
                if case .signal(let signal) = event.body { signals.append(signal) }
                if case .orderSubmitted(let order) = event.body, order.parentOrderID == 0 { orders.append(order) }
                return true
            }
        }
        #expect(signals.map(\.orderType) == [.stop, .stopLimit, .limit, .limit])
        #expect(orders.count == 4, "every intent approved: \(orders.map(\.orderType.label))")
        for (signal, order) in zip(signals, orders) {
            #expect(order.orderType == signal.orderType && order.timeInForce == signal.timeInForce && order.postOnly == signal.postOnly)
            #expect(order.price == signal.price && order.triggerPrice == signal.triggerPrice && order.displayQuantity == signal.displayQuantity)
            #expect(order.quantity.units == abs(signal.quantity.units) && order.algorithm == .none)
        }
        #expect(orders[0].triggerPrice.units > 0 && orders[0].price == .zero && orders[1].price.units > 0 && orders[2].displayQuantity.units == 5)
        #expect(try RunReplay(runPath: directory.appending("run"), sourcePath: nil).audit().isClean)
    }
}

extension EngineTests {
    @Test("with two positions on one cross-margined wallet, a crash in one moves the other's liquidation price past its mark: both are liquidated at the crash, though the other's price did not move")
    func crossMarginLiquidation() throws {
        let directory = TemporaryDirectory("engine-cross-liquidation")
        let (start, second) = (Self.start, Self.second)
        var crash: UInt64 = 0
        let source = try Self.handBuilt(directory, instruments: ["BTCUSDT-PERP.BINANCE", "ETHUSDT-PERP.BINANCE"]) { appender, ids in
            let (btc, eth) = (ids[0], ids[1])
            func trade(_ id: InstrumentID, _ price: Int64, at time: Int64) throws { try Self.trade(&appender, id, price, at: time) }
            // Both rise: the EMA(2)/EMA(3) crosses go long 0.01 BTC (about 200 USDT) and 0.1 ETH (about 200 USDT).
            for step in 0..<4 {
                try trade(btc, 20_000 + 10 * Int64(step), at: start + Int64(2 * step) * second)
                try trade(eth, 2_000 + Int64(step), at: start + Int64(2 * step + 1) * second)
            }
            // ETH halves: its 0.1 loses about 100 USDT, the whole wallet. BTC trades no more.
            crash = appender.nextSequence
            try trade(eth, 1_000, at: start + 10 * second)
        }
        let configuration = try Self.configuration(
            directory, run: """
                execution: {fees: {maker: "0", taker: "0"}}
                strategies:
                  - {type: ema_cross, instrument: BTCUSDT-PERP.BINANCE, fast: 2, slow: 3, size: "0.01", long_only: true}
                  - {type: ema_cross, instrument: ETHUSDT-PERP.BINANCE, fast: 2, slow: 3, size: "0.1", long_only: true}

                """,
            projections: "version: 1\nledger: {currency: USDT, cash: {USDT: \"100\"}, leverage: 20, margin: cross}\n",
            limits: "version: 1\ninstruments: {default: {max_position: \"1\"}}\n")
        let summary = try Engine(configuration: configuration, codeVersion: "test").backtest(
            source: source, sourcePath: directory.appending("source"), range: nil, output: directory.appending("run"))
        #expect(summary.fills == 2, "both went long")

        var liquidations: [(instrument: UInt32, liquidation: PositionLiquidated)] = []
        try Journal(path: directory.appending("run")).read { snapshot in
            try snapshot.forEachEvent { _, event in
                if case .liquidation(let liquidation) = event.body { liquidations.append((event.instrument.rawValue, liquidation)) }
                return true
            }
        }
        // Both closed at the ETH crash, in id order; BTC at its own last mark (its liquidation price passed it).
        #expect(liquidations.map(\.instrument) == [1, 2])
        #expect(liquidations.allSatisfy { $0.liquidation.causation == crash && $0.liquidation.side == .sell })
        #expect(liquidations.first?.liquidation.price.units == 20_030_00_000_000 && liquidations.first?.liquidation.quantity.units == 10)
        #expect(summary.positions.allSatisfy { $0.size == 0 })
        #expect(try RunReplay(runPath: directory.appending("run"), sourcePath: nil).audit().isClean)
    }
}

extension EngineTests {
    @Test("the audit's field-by-field comparison of decisions agrees with comparing their encodings: on random decisions, on their own decoding (NaN measures included), and on every decodable one-bit change of their frames")
    func decisionComparison() throws {
        let (generator, note) = testGenerator()
        var random = RandomEvents(generator: generator)
        func decision(_ event: Event) -> RiskDecided? { if case .riskDecision(let decided) = event.body { decided } else { nil } }
        var changed = 0
        for _ in 0..<200 {
            var a = decision(Event(eventTime: .epoch, receiveTime: .epoch, instrument: .none, body: random.body(.riskDecision)))!
            if !a.rules.isEmpty && random.bool() { a.rules[0].measured = .nan }
            let frame = EventCodec.frame(Event(eventTime: .epoch, receiveTime: .epoch, instrument: .none, body: .riskDecision(a)))
            #expect(Auditor.difference(a, decision(try EventCodec.decodeFrame(frame))!) == nil, "\(note)")
            let bit = Int(random.uint32() % UInt32(frame.count * 8))
            var flipped = frame
            flipped[bit / 8] ^= 1 << UInt8(bit % 8)
            guard let b = (try? EventCodec.decodeFrame(flipped)).flatMap(decision) else { continue }
            let same = EventCodec.frame(Event(eventTime: .epoch, receiveTime: .epoch, instrument: .none, body: .riskDecision(b))) == frame
            #expect((Auditor.difference(a, b) == nil) == same, "\(note): bit \(bit)")
            if !same { changed += 1 }
        }
        #expect(changed > 50, "enough changed decisions decoded (\(changed)) for the check to mean something")
    }
}
