import Events
import Projections
import Risk
import TapeCore
import Testing

/// The engine's own decisions: each exit and account limit fires at its limit and not a tick before.
@Suite("Risk monitor")
struct RiskMonitorTests {
    /// Long 1 BTC at 20 000.
    static func long(limits: String, ledger: String? = nil) throws -> R {
        var account = try ledger.map { try R(limits: limits, ledger: $0) } ?? R(limits: limits)
        account.mark(R.btc, "20000")
        account.fill(R.btc, "1", at: "20000")
        return account
    }

    /// The monitor's outcomes after a mark at `price`.
    static func after(_ account: inout R, mark price: String, after nanoseconds: Int64 = 1_000_000) -> [RiskOutcome] {
        account.mark(R.btc, price, after: nanoseconds)
        var block = DecodedBlock()
        let stamp = Timestamp(nanosSinceEpoch: account.time)
        block.set([Event(eventTime: stamp, receiveTime: stamp, instrument: R.btc,
                         body: .markPrice(MarkPrice(mark: Price(units: R.price(price)), index: nil, estimatedSettle: nil)))], firstSequence: account.sequence)
        var outcomes: [RiskOutcome] = []
        account.engine.monitor(block, at: 0, projections: &account.projections, into: &outcomes)
        return outcomes
    }

    @Test("stop loss, take profit and the trailing stop fire when the move reaches them", arguments: [
        ("exits: {stop_loss: 0.02}", ["19600.1"], "19600", RiskRule.stopLoss),
        ("exits: {take_profit: 0.05}", ["20999.9"], "21000", RiskRule.takeProfit),
        ("exits: {trailing_stop: 0.03}", ["22000", "21340.1"], "21340", RiskRule.trailingStop),
    ])
    func exits(limits: String, before: [String], at price: String, rule: RiskRule) throws {
        var account = try Self.long(limits: limits)
        for price in before { #expect(Self.after(&account, mark: price).isEmpty, "\(rule.label) at \(price)") }
        let fired = Self.after(&account, mark: price)
        #expect(fired.map(\.summary) == ["liquidate -1"])
        #expect(fired.first?.reduceOnly == true && fired.first?.quantity == -1_000)
        #expect(fired.first?.check(rule)?.passed == false)
    }

    @Test("the time stop fires once the position has been held that long; the volatility stop at k volatilities")
    func timeAndVolatility() throws {
        var timed = try Self.long(limits: "exits: {time_stop: 1h}")
        #expect(Self.after(&timed, mark: "20000", after: 3_600_000_000_000 - 1_000_000).isEmpty)
        #expect(Self.after(&timed, mark: "20000", after: 1_000_000).map(\.summary) == ["liquidate -1"])

        var volatile = try RiskEngineTests.accountWithHistory(limits: "exits: {volatility_stop: 2}")
        let risk = volatile.projections.risk!
        let (_, deviation) = RiskMath.meanAndDeviation(risk.markReturnWindow(R.btc))
        let entry = volatile.projections.ledger!.entryPrice(1) / 1e8
        let trigger = entry * (1 - 2 * deviation)
        let tick = 0.1
        let above = ((trigger / tick).rounded(.up) + 1) * tick
        #expect(Self.after(&volatile, mark: String(format: "%.1f", above)).isEmpty)
        #expect(Self.after(&volatile, mark: String(format: "%.1f", (trigger / tick).rounded(.down) * tick)).map(\.summary) == ["liquidate -1"])
    }

    @Test("an exit is decided once: while its order works, the engine does not decide another")
    func oncePerExit() throws {
        var account = try Self.long(limits: "exits: {stop_loss: 0.02}")
        var exit = Self.after(&account, mark: "19000")[0]
        exit.decision.orderID = 5
        account.feed(R.btc, .riskDecision(exit.decision))
        account.feed(R.btc, .orderSubmitted(OrderSubmitted(orderID: 5, causation: account.sequence, side: .sell, orderType: .market,
                                                            timeInForce: .immediateOrCancel, reduceOnly: true, quantity: Quantity(units: 1_000))))
        #expect(Self.after(&account, mark: "18900").isEmpty)
        account.feed(R.btc, .orderCanceled(OrderCanceled(orderID: 5, reason: 6, causation: account.sequence)))
        #expect(Self.after(&account, mark: "18900").map(\.summary) == ["liquidate -1"])
    }

    @Test("the daily loss limit halts added exposure until the next UTC day")
    func dailyLoss() throws {
        var account = try Self.long(limits: "account: {max_daily_loss: 0.05}")
        #expect(Self.after(&account, mark: "19500.1").isEmpty)  // 4.999 % of 10 000
        let halt = Self.after(&account, mark: "19500")
        #expect(halt.map(\.summary) == ["halt 0"])
        let midnight = (account.time / 86_400_000_000_000 + 1) * 86_400_000_000_000
        #expect(halt.first?.killSwitch == KillSwitchTripped(causation: account.sequence, action: .halt, reason: RiskRule.dailyLoss.rawValue,
                                                            until: Timestamp(nanosSinceEpoch: midnight)))
    }

    @Test("the drawdown limit trips the kill switch: every position closed, trading halted")
    func drawdown() throws {
        var account = try Self.long(limits: "account: {max_drawdown: 0.1}")
        account.mark(R.eth, "1000")
        account.fill(R.eth, "-1", at: "1000")
        for _ in 0..<3 { _ = Self.after(&account, mark: "20000", after: 60_000_000_000) }  // sampled peak: equity 10 000
        #expect(Self.after(&account, mark: "19000.1").isEmpty)  // 999.9 of 10 000 down
        let kill = Self.after(&account, mark: "19000")
        #expect(kill.map(\.summary) == ["liquidate -1", "liquidate 1"])
        #expect(kill.first?.killSwitch?.action == .flattenAndHalt && kill.first?.check(.drawdown)?.measured == 0.1)
    }

    @Test("at the liquidation buffer positions are cut so the margin falls to nine tenths of it")
    func liquidationBuffer() throws {
        let ledger = "{currency: USDT, cash: {USDT: \"10000\"}, leverage: 20, maintenance: [{notional: 0, rate: 0.1, amount: 0}]}"
        var account = try R(limits: "account: {liquidation_buffer: 0.5}", ledger: ledger)
        account.mark(R.btc, "20000")
        account.fill(R.btc, "2.499", at: "20000")  // maintenance 4 998 of equity 10 000: 0.4998
        #expect(Self.after(&account, mark: "20000").isEmpty)
        account.fill(R.btc, "0.001", at: "20000")  // 5 000 of 10 000: at the buffer
        let cut = Self.after(&account, mark: "20000")
        // Keep 0.9 × 0.5 / 0.5 = 90 %: sell 10 % of 2.5.
        #expect(cut.map(\.summary) == ["liquidate -0.25"])
    }

    @Test("the account checks are read again when anything they read changes, not only the account: a protecting order that ends brings the cut back at the same price")
    func accountChecksAfterProtectionEnds() throws {
        let ledger = "{currency: USDT, cash: {USDT: \"10000\"}, leverage: 20, maintenance: [{notional: 0, rate: 0.1, amount: 0}]}"
        var account = try R(limits: "account: {liquidation_buffer: 0.5}", ledger: ledger)
        account.mark(R.btc, "20000")
        account.fill(R.btc, "2.5", at: "20000")
        var cut = Self.after(&account, mark: "20000")[0]
        cut.decision.orderID = 7
        account.feed(R.btc, .riskDecision(cut.decision))
        account.feed(R.btc, .orderSubmitted(OrderSubmitted(orderID: 7, causation: account.sequence, side: .sell, orderType: .market,
                                                            timeInForce: .immediateOrCancel, reduceOnly: true, quantity: Quantity(units: 250))))
        // While the cut works, the same account and price decide nothing, however often read.
        for _ in 0..<3 { #expect(Self.after(&account, mark: "20000").isEmpty) }
        account.feed(R.btc, .orderCanceled(OrderCanceled(orderID: 7, reason: 6, causation: account.sequence)))
        #expect(Self.after(&account, mark: "20000").map(\.summary) == ["liquidate -0.25"])
    }
}
