public import Events
public import Projections
import TapeCore

/// The engine's own decisions: exits, and the account's loss, drawdown and margin limits.
extension RiskEngine {
    /// What the engine decides on its own at the event at `index` of `block`, once the
    /// projections, the simulator and `observe` have taken it: the kill switch at the drawdown
    /// limit (flatten and halt), a halt at the daily loss limit, reductions at the liquidation
    /// buffer, and the exits of the event's instrument. Only price events (trades, marks) of
    /// an account with positions are looked at. The outcomes' orders have no id yet (0): the
    /// caller names them. They are appended to `outcomes` (the caller's buffer, reused: an
    /// array returned at every price was released at every price, even empty).
    ///
    /// (It and its helpers are `mutating` and take the projections `inout` though they change
    /// neither: so Swift passes both by address, where it would copy them — 1.6 KB — into a
    /// temporary at each call. The same holds for `decide` and `StrategySet.react`.)
    ///
    /// (Inlined into the caller's loop, so that an account without positions — most events —
    /// costs a comparison, not a call.)
    @inlinable
    public mutating func monitor(_ block: DecodedBlock, at index: Int, projections: inout ProjectionSet, into outcomes: inout [RiskOutcome]) {
        guard state.held > 0 else { return }
        monitorHeld(block, at: index, projections: &projections, into: &outcomes)
    }

    /// `monitor` of an account holding positions.
    @usableFromInline
    mutating func monitorHeld(_ block: DecodedBlock, at index: Int, projections: inout ProjectionSet, into outcomes: inout [RiskOutcome]) {
        // Runs at every price of a held position (so with a ledger). Reading a projection out
        // of the set copies it (its arrays retained): the projections are read in place, and
        // the ledger copied only for an order.
        let price: Int64
        switch block.types[index] {
        case .trade: price = block.trade(at: index).price.units
        case .markPrice: price = block.payloads.markPrices[Int(block.slots[index])].mark.units
        default: return
        }
        let step = RunStep(sequence: block.sequence(at: index), time: block.receiveTimes[index])
        if limits.maxDrawdown != nil || limits.maxDailyLoss != nil || limits.liquidationBuffer != nil {
            // Most trades repeat the last price: the account has not moved, and checks that
            // reached no limit at the last price reach none again.
            let inputs = AccountInputs(
                ledger: projections.ledger!.inPlace { $0.revision }, samples: projections.risk?.inPlace { $0.samples } ?? 0, killed: state.killed,
                halted: state.isHalted(at: step.time), dayStartEquity: state.dayStartEquity.bitPattern)
            if inputs != quietAccount {
                quietAccount = nil
                let account = projections.ledger!.inPlace { $0.margin() }
                // Whether a check reached its limit, whatever it then ordered (a buffer reached
                // with every position already being protected orders nothing, yet may order
                // something once the protecting order ends, at the same account).
                var reached = false
                if limits.maxDrawdown != nil, let drawdown = projections.risk?.inPlace({ $0.drawdown.fraction(account.equity) }),
                   let kill = killSwitch(step: step, drawdown: drawdown, projections: &projections, reached: &reached) {
                    outcomes += kill
                    return
                }
                dailyLossHalt(step: step, equity: account.equity, into: &outcomes, reached: &reached)
                bufferReductions(step: step, equity: account.equity, maintenance: account.maintenance, projections: &projections, into: &outcomes, reached: &reached)
                if !reached { quietAccount = inputs }
            }
        }
        let instrument = InstrumentID(rawValue: UInt32(block.instruments[index].rawValue))
        let raw = Int(instrument.rawValue)
        let (size, fills) = projections.ledger!.inPlace { ledger in
            raw > 0 && raw < ledger.positions.count ? (ledger.positions[raw].size, ledger.positions[raw].fills) : (0, 0)
        }
        guard size != 0 else { return }
        // Inside the band found for this position, no exit is reached: the exits read nothing else.
        if exitBands[raw].holds(size: size, fills: fills, price: price) { return }
        let entry = projections.ledger!.inPlace { $0.entryPrice(raw) }
        let deviation = limits.volatilityStop == nil ? 0 : RiskMath.meanAndDeviation(projections.risk?.inPlace { $0.markReturnWindow(instrument) } ?? []).deviation
        let before = outcomes.count
        exit(instrument, size: size, entry: entry, price: price, step: step, deviation: deviation, into: &outcomes)
        // A band is found when the exits passed at this price (not when a protecting order
        // only held them back), and only when every exit reads the price alone.
        let side = size > 0 ? 1.0 : -1.0
        if outcomes.count == before, limits.volatilityStop == nil, limits.trailingStop == nil, limits.timeStop == nil,
           ExitBand.passes(side: side, entry: entry, price: price, stopLoss: limits.stopLoss, takeProfit: limits.takeProfit) {
            exitBands[raw] = ExitBand(size: size, fills: fills, side: side, entry: entry, stopLoss: limits.stopLoss, takeProfit: limits.takeProfit)
        }
    }

    /// Orders closing (a fraction of) each open position not already being protected.
    private mutating func closing(_ fraction: Double, reason: Reading, step: RunStep, ledger: LedgerProjection, skipProtected: Bool) -> [RiskOutcome] {
        var outcomes: [RiskOutcome] = []
        for raw in 1..<ledger.positions.count where ledger.positions[raw].size != 0 && !(skipProtected && state.protecting(raw)) {
            let size = ledger.positions[raw].size
            let lot = table.instruments[raw - 1].sizeIncrement.units
            let close = fraction >= 1 ? abs(size) : Int64((Double(abs(size)) * fraction / Double(lot)).rounded(.up)) * lot
            guard close > 0 else { continue }
            let signed = size > 0 ? -min(close, size) : min(close, -size)
            var result = outcome(step.sequence, InstrumentID(rawValue: UInt32(raw)), .liquidate, requested: signed, approved: signed, reading: reason, step: step)
            result.quantity = signed
            result.reduceOnly = true
            outcomes.append(result)
        }
        return outcomes
    }

    /// At the drawdown limit: the kill switch, and every position closed.
    private mutating func killSwitch(step: RunStep, drawdown: Double, projections: inout ProjectionSet, reached: inout Bool) -> [RiskOutcome]? {
        guard let limit = limits.maxDrawdown, !state.killed, drawdown >= limit else { return nil }
        reached = true
        var reading = Reading()
        reading.check(.drawdown, drawdown, limit)
        var outcomes = closing(1, reason: reading, step: step, ledger: projections.ledger!, skipProtected: false)
        guard !outcomes.isEmpty else { return nil }
        outcomes[0].killSwitch = KillSwitchTripped(causation: step.sequence, action: .flattenAndHalt, reason: RiskRule.drawdown.rawValue, until: .epoch)
        return outcomes
    }

    /// At the daily loss limit: a halt of trading that adds exposure, until the next UTC day.
    /// (The outcomes here and in `exit` are appended, not returned: returning an optional
    /// outcome moved its 144 bytes at every price, even when there was none.)
    private mutating func dailyLossHalt(step: RunStep, equity: Double, into outcomes: inout [RiskOutcome], reached: inout Bool) {
        guard let limit = limits.maxDailyLoss, !state.isHalted(at: step.time), state.dayStartEquity > 0 else { return }
        let loss = (state.dayStartEquity - equity) / state.dayStartEquity
        guard loss >= limit else { return }
        reached = true
        var reading = Reading()
        reading.check(.dailyLoss, loss, limit)
        let nextDay = (state.day + 1) * 86_400_000_000_000
        var halt = outcome(step.sequence, .none, .halt, requested: 0, approved: 0, reading: reading, step: step)
        halt.killSwitch = KillSwitchTripped(causation: step.sequence, action: .halt, reason: RiskRule.dailyLoss.rawValue, until: Timestamp(nanosSinceEpoch: nextDay))
        outcomes.append(halt)
    }

    /// At the liquidation buffer (maintenance margin over equity): each position cut so the
    /// ratio falls to nine tenths of the buffer.
    private mutating func bufferReductions(
        step: RunStep, equity: Double, maintenance: Double, projections: inout ProjectionSet, into outcomes: inout [RiskOutcome], reached: inout Bool
    ) {
        guard let buffer = limits.liquidationBuffer, equity > 0 else { return }
        let ratio = maintenance / equity
        guard ratio >= buffer else { return }
        reached = true
        var reading = Reading()
        reading.check(.liquidationBuffer, ratio, buffer)
        outcomes += closing(1 - 0.9 * buffer / ratio, reason: reading, step: step, ledger: projections.ledger!, skipProtected: true)
    }

    /// The first exit the open position of `instrument` (`size`, average `entry`) reaches at
    /// `price`, if any; `deviation` is the deviation of its mark's returns (for the volatility stop).
    private mutating func exit(
        _ instrument: InstrumentID, size: Int64, entry: Double, price: Int64, step: RunStep, deviation: Double, into outcomes: inout [RiskOutcome]
    ) {
        let raw = Int(instrument.rawValue)
        guard !state.protecting(raw) else { return }
        let side = size > 0 ? 1.0 : -1.0
        let adverse = ExitBand.adverse(side: side, entry: entry, price: price)
        let best = Double(state.best[raw])
        let retreat = best > 0 ? side * (best - Double(price)) / best : 0
        let held = Double(step.time - state.openedAt[raw])
        // Each configured exit: its rule, measure and limit, and whether it passed.
        func exits(_ body: (RiskRule, Double, Double, Bool) -> Void) {
            if let limit = limits.stopLoss { body(.stopLoss, adverse, limit, adverse < limit) }
            if let limit = limits.takeProfit { body(.takeProfit, -adverse, limit, -adverse < limit) }
            if let multiple = limits.volatilityStop {
                let moves = deviation > 0 ? adverse / deviation : 0
                body(.volatilityStop, moves, multiple, moves < multiple)
            }
            if let limit = limits.trailingStop { body(.trailingStop, retreat, limit, retreat < limit) }
            if let limit = limits.timeStop { body(.timeStop, held, Double(limit), held < Double(limit)) }
        }
        // At nearly every price none is reached: the reading is built only when one is.
        var reached = false
        exits { _, _, _, passed in reached = reached || !passed }
        guard reached else { return }
        var reading = Reading()
        exits { rule, measured, limit, passed in reading.check(rule, measured, limit, passed: passed) }
        var result = outcome(step.sequence, instrument, .liquidate, requested: -size, approved: -size, reading: reading, step: step)
        result.quantity = -size
        result.reduceOnly = true
        outcomes.append(result)
    }
}

/// The prices at which a position's stop loss and take profit both pass, found when the
/// position last changed (its size and fill count name it), so that a price inside is answered
/// with two compares. The band is found by bisection on the very expression `exit` evaluates
/// (`adverse`), which is monotone in the price, so inside it every exit passes exactly as
/// `exit` would find; outside it, `exit` decides. Exits that read more than the price (the
/// volatility, trailing and time stops) make no band.
struct ExitBand: Sendable {
    private var size: Int64 = 0
    private var fills: UInt64 = 0
    private var low = Int64.max
    private var high = Int64.min

    init() {}

    init(size: Int64, fills: UInt64, side: Double, entry: Double, stopLoss: Double?, takeProfit: Double?) {
        guard entry > 0, entry.isFinite else { return }
        // Prices of ±2⁵³ and between (exact as doubles). The stop loss passes above a price for
        // a long (below for a short), the take profit below (above).
        var band: ClosedRange<Int64>? = -(1 << 53)...(1 << 53)
        if let limit = stopLoss {
            band = Self.narrow(band, passesAbove: side > 0) { Self.adverse(side: side, entry: entry, price: $0) < limit }
        }
        if let limit = takeProfit {
            band = Self.narrow(band, passesAbove: side < 0) { Self.profit(side: side, entry: entry, price: $0) < limit }
        }
        guard let band else { return }
        self.size = size
        self.fills = fills
        low = band.lowerBound
        high = band.upperBound
    }

    /// Whether `price` lies in the band found for this position.
    @inline(__always)
    func holds(size: Int64, fills: UInt64, price: Int64) -> Bool {
        price >= low && price <= high && size == self.size && fills == self.fills
    }

    /// The position's adverse move at `price`, a fraction of its entry: what the stop loss,
    /// take profit and volatility stop read.
    @inline(__always)
    static func adverse(side: Double, entry: Double, price: Int64) -> Double {
        side * (entry - Double(price)) / entry
    }

    /// The move in the position's favour: what the take profit reads.
    @inline(__always)
    static func profit(side: Double, entry: Double, price: Int64) -> Double {
        -adverse(side: side, entry: entry, price: price)
    }

    /// Whether the stop loss and the take profit both pass at `price`.
    static func passes(side: Double, entry: Double, price: Int64, stopLoss: Double?, takeProfit: Double?) -> Bool {
        (stopLoss.map { adverse(side: side, entry: entry, price: price) < $0 } ?? true)
            && (takeProfit.map { profit(side: side, entry: entry, price: price) < $0 } ?? true)
    }

    /// `band` cut to the prices where `passes` holds, given that it holds from some price up
    /// (`passesAbove`) or up to some price; nil when nowhere in the band.
    private static func narrow(_ band: ClosedRange<Int64>?, passesAbove: Bool, _ passes: (Int64) -> Bool) -> ClosedRange<Int64>? {
        guard let band else { return nil }
        var (low, high) = (band.lowerBound, band.upperBound)
        if passesAbove {
            guard passes(high) else { return nil }
            guard !passes(low) else { return band }
            // passes(low) is false, passes(high) true: the first passing price.
            while high - low > 1 {
                let middle = low + (high - low) / 2
                if passes(middle) { high = middle } else { low = middle }
            }
            return high...band.upperBound
        }
        guard passes(low) else { return nil }
        guard !passes(high) else { return band }
        // passes(low) is true, passes(high) false: the last passing price.
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if passes(middle) { low = middle } else { high = middle }
        }
        return band.lowerBound...low
    }
}
