import Foundation
import Events
import Projections
import Risk
import TapeCore
import Testing

typealias R = RiskHarness

/// Each rule once just inside its limit (passes) and once just past it (resizes, rejects or
/// fires), with the measured value and the limit it reports.
@Suite("Risk engine")
struct RiskEngineTests {
    @Test("max position and max notional resize to the limit; at the limit they pass; reducing always passes")
    func positionAndNotional() throws {
        var account = try R(limits: "instruments: {default: {max_position: \"1\", max_notional: 30000}}")
        account.mark(R.btc, "25000")
        #expect(account.decide(R.btc, .targetPosition, "1").summary == "approve 1")
        let over = account.decide(R.btc, .targetPosition, "1.001")
        #expect(over.summary == "resize 1")
        #expect(over.check(.maxPosition).map { [$0.measured, $0.limit] } == [1_001, 1_000] && over.check(.maxPosition)?.passed == false)
        account.mark(R.btc, "30000")
        #expect(account.decide(R.btc, .targetPosition, "1").summary == "approve 1")
        let notional = account.decide(R.btc, .targetPosition, "-1.001")
        #expect(notional.summary == "resize -1")
        #expect(notional.check(.maxNotional)?.measured == 30_030 && notional.check(.maxNotional)?.passed == false)
        account.fill(R.btc, "2", at: "30000")  // already over both limits
        #expect(account.decide(R.btc, .targetPosition, "1.5").summary == "approve -0.5")
        #expect(account.decide(R.btc, .targetPosition, "2.5").summary == "reject 0")
        #expect(account.decide(R.btc, .targetPosition, "-1.5").summary == "resize -3", "flat, then short up to the limit")
    }

    @Test("gross and net leverage and concentration measure exposure after the order against equity")
    func leverage() throws {
        var account = try R(limits: "account: {max_gross_leverage: 2, max_net_leverage: 1.5, max_concentration: 1.2}")
        account.mark(R.btc, "10000")
        account.mark(R.eth, "2000")
        account.fill(R.eth, "5", at: "2000")  // long 10 000 of ETH; equity 10 000
        // Net: 10 000 + 5 000 = 15 000 = 1.5 × equity.
        #expect(account.decide(R.btc, .targetPosition, "0.5").summary == "approve 0.5")
        let net = account.decide(R.btc, .targetPosition, "0.501")
        #expect(net.summary == "resize 0.5" && net.check(.netLeverage)?.passed == false)
        // Short BTC: net falls, gross grows: gross 2 × 10 000 allows 10 000 more = 1 BTC.
        #expect(account.decide(R.btc, .targetPosition, "-1").summary == "approve -1")
        let gross = account.decide(R.btc, .targetPosition, "-1.001")
        #expect(gross.summary == "resize -1" && gross.check(.grossLeverage).map { $0.measured } == 2.001)
        // Concentration: one instrument at most 1.2 × equity; ETH already holds 1.0.
        #expect(account.decide(R.eth, .orderIntent, "1").summary == "approve 1")
        #expect(account.decide(R.eth, .orderIntent, "1.001").summary == "resize 1")
    }

    @Test("value at risk and expected shortfall gate added exposure at the limit, never reductions")
    func tails() throws {
        let returns = try Self.accountWithHistory(limits: "")
        let measured = RiskMath.historical(returns.projections.risk!.returnWindow, level: 0.95)
        #expect(measured.valueAtRisk > 0)
        for (key, value, rule) in [("var", measured.valueAtRisk, RiskRule.valueAtRisk), ("es", measured.expectedShortfall, .expectedShortfall)] {
            var at = try Self.accountWithHistory(limits: "account: {\(key): {level: 0.95, method: historical, max: \(value)}}")
            let pass = at.decide(R.btc, .targetPosition, "1.5")
            #expect(pass.summary == "approve 0.5" && pass.check(rule)?.measured == value)
            var below = try Self.accountWithHistory(limits: "account: {\(key): {level: 0.95, method: historical, max: \(value * 0.999)}}")
            #expect(below.decide(R.btc, .targetPosition, "1.5").summary == "reject 0")
            #expect(below.decide(R.btc, .targetPosition, "0.5").summary == "approve -0.5")
        }
    }

    /// Long 1 BTC with an hour of minute marks moving ±0.5 %, so the risk projection holds returns.
    @Test("a decision reads the value at risk of the return window as of its own sample, not an earlier decision's")
    func tailsFollowSamples() throws {
        var account = try Self.accountWithHistory(limits: "account: {var: {level: 0.95, method: historical, max: 1}}")
        let before = try #require(account.decide(R.btc, .targetPosition, "1.5").check(.valueAtRisk)?.measured)
        #expect(account.decide(R.btc, .targetPosition, "1.5").check(.valueAtRisk)?.measured == before, "no sample between: the same window")
        for price in ["19000", "18000", "17000", "16000", "15000", "15000"] { account.mark(R.btc, price, after: 60_000_000_000) }
        let after = try #require(account.decide(R.btc, .targetPosition, "1.5").check(.valueAtRisk)?.measured)
        #expect(after == RiskMath.historical(account.projections.risk!.returnWindow, level: 0.95).valueAtRisk)
        #expect(after > before * 2, "five minutes of 5 % losses in the window raise the value at risk")
    }

    static func accountWithHistory(limits: String) throws -> R {
        var account = try R(limits: limits)
        account.mark(R.btc, "20000")
        account.fill(R.btc, "1", at: "20000")
        var price = 20_000.0
        for minute in 0..<60 {
            price *= minute % 3 == 0 ? 0.995 : 1.004
            account.mark(R.btc, String(format: "%.1f", price), after: 60_000_000_000)
        }
        return account
    }

    @Test("correlated exposure counts the positions whose returns move with the order's instrument")
    func correlation() throws {
        var account = try R(limits: "account: {correlation: {threshold: 0.9, max_exposure: 1.5}}")
        account.mark(R.btc, "10000")
        account.mark(R.eth, "1000")
        account.fill(R.eth, "5", at: "1000")  // 5 000 of ETH
        for minute in 1...30 {
            let move = minute % 2 == 0 ? 1.01 : 0.995
            account.mark(R.btc, String(format: "%.1f", 10_000 * move), after: 60_000_000_000)
            account.mark(R.eth, String(format: "%.1f", 1_000 * move))
        }
        account.mark(R.btc, "10000")
        account.mark(R.eth, "1000")
        // ETH moves with BTC: 5 000 + BTC ≤ 15 000 → 1 BTC.
        #expect(account.decide(R.btc, .targetPosition, "1").summary == "approve 1")
        let over = account.decide(R.btc, .targetPosition, "1.001")
        #expect(over.summary == "resize 1" && (over.check(.correlatedExposure)?.measured ?? 0) > 1.5)
    }

    @Test("liquidity: the order against the traded volume of the window and against the book's depth")
    func liquidity() throws {
        var volume = try R(limits: "account: {liquidity: {max_volume_fraction: 0.1}}")
        volume.mark(R.btc, "20000")
        for _ in 0..<10 { volume.trade(R.btc, "20000", "1") }
        #expect(volume.decide(R.btc, .targetPosition, "1").summary == "approve 1")
        let over = volume.decide(R.btc, .targetPosition, "1.001")
        #expect(over.summary == "resize 1" && over.check(.volumeParticipation)?.passed == false)

        var depth = try R(limits: "account: {liquidity: {max_depth_fraction: 0.5}}")
        depth.mark(R.btc, "20000")
        depth.book(R.btc, bids: [("19999.9", "3")], asks: [("20000", "1"), ("20010", "1"), ("20100", "9")])  // 2 within 10 bps
        #expect(depth.decide(R.btc, .targetPosition, "1").summary == "approve 1")
        #expect(depth.decide(R.btc, .targetPosition, "1.001").summary == "resize 1")
        #expect(depth.decide(R.btc, .targetPosition, "-1.5").summary == "approve -1.5")
    }

    @Test("the order rate counts the orders placed in the window; the one past the limit is rejected")
    func orderRate() throws {
        var account = try R(limits: "account: {max_orders: {count: 3, per: 1m}}")
        account.mark(R.btc, "20000")
        for id in 1...2 {
            account.feed(R.btc, .orderSubmitted(OrderSubmitted(orderID: UInt64(id), causation: account.sequence, side: .buy, orderType: .market,
                                                                timeInForce: .immediateOrCancel, quantity: Quantity(units: 1))))
            account.feed(R.btc, .orderCanceled(OrderCanceled(orderID: UInt64(id), reason: 2, causation: account.sequence)))
        }
        #expect(account.decide(R.btc, .targetPosition, "1").summary == "approve 1")
        account.feed(R.btc, .orderSubmitted(OrderSubmitted(orderID: 3, causation: account.sequence, side: .buy, orderType: .market,
                                                            timeInForce: .immediateOrCancel, quantity: Quantity(units: 1))))
        account.feed(R.btc, .orderCanceled(OrderCanceled(orderID: 3, reason: 2, causation: account.sequence)))
        let fourth = account.decide(R.btc, .targetPosition, "1")
        #expect(fourth.summary == "reject 0" && fourth.check(.orderRate).map { [$0.measured, $0.limit] } == [4, 3])
        account.mark(R.btc, "20000", after: 60_000_000_000)
        #expect(account.decide(R.btc, .targetPosition, "1").summary == "approve 1", "a minute later the window is empty")
    }

    @Test("sizing: a fixed fraction over the stop distance, a volatility target, fractional Kelly; scaled by strength")
    func sizing() throws {
        var fixed = try R(limits: "sizing: {policy: fixed_fraction, fraction: 0.02}\nexits: {stop_loss: 0.04}")
        fixed.mark(R.btc, "20000")
        // 2 % of 10 000 at risk over a 4 % stop: 5 000 of notional = 0.25 BTC; half strength 0.125.
        #expect(fixed.decide(R.btc, .targetPosition, "1").summary == "approve 0.25")
        #expect(fixed.decide(R.btc, .targetPosition, "-1", strength: 0.5).summary == "approve -0.125")

        for (policy, expected) in [("{policy: volatility_target, target: 0.5}", { (mean: Double, deviation: Double, perYear: Double) in 0.5 * 10_000 / (deviation * perYear.squareRoot()) }),
                                   ("{policy: kelly, fraction: 0.5}", { (mean: Double, deviation: Double, _: Double) in 0.5 * mean / (deviation * deviation) * 10_000 })] {
            var account = try Self.accountWithHistory(limits: "sizing: \(policy)")
            account.fill(R.btc, "-1", at: "20000")
            let risk = account.projections.risk!
            let (mean, deviation) = RiskMath.meanAndDeviation(risk.markReturnWindow(R.btc))
            let equity = account.projections.ledger!.valuation().equity
            let notional = expected(mean, deviation, risk.samplesPerYear) * equity / 10_000
            let mark = Double(account.projections.ledger!.positions[1].mark) / 1e8
            let units = Int64((notional / mark * 1_000).rounded(.down))
            let outcome = account.decide(R.btc, .targetPosition, mean > 0 ? "1" : "-1")
            #expect(abs(outcome.decision.approvedQuantity.units) == units, "\(policy): \(outcome.summary), expected \(units) units")
        }
    }

    @Test("a decision without a price to value it is rejected; a halt stops added exposure but not reductions")
    func gates() throws {
        var account = try R(limits: "")
        #expect(account.decide(R.btc, .targetPosition, "1").summary == "reject 0")
        account.mark(R.btc, "20000")
        account.fill(R.btc, "1", at: "20000")
        account.feed(.none, .killSwitch(KillSwitchTripped(causation: account.sequence, action: .halt, reason: 12, until: Timestamp(nanosSinceEpoch: account.time + 60_000_000_000))))
        let added = account.decide(R.btc, .targetPosition, "2")
        #expect(added.summary == "halt 0" && added.check(.halted)?.passed == false)
        #expect(account.decide(R.btc, .targetPosition, "0.5").summary == "approve -0.5")
        #expect(account.decide(R.btc, .targetPosition, "-1").summary == "halt -1", "the reducing part goes through")
        account.mark(R.btc, "20000", after: 60_000_000_000)
        #expect(account.decide(R.btc, .targetPosition, "2").summary == "approve 1")
    }
}
