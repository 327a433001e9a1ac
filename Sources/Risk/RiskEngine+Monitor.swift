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
    /// caller names them.
    public mutating func monitor(_ block: DecodedBlock, at index: Int, projections: inout ProjectionSet) -> [RiskOutcome] {
        // Runs at every price of a held position: the ledger is read in place, not bound to a
        // name (a copy each time).
        guard state.held > 0, projections.ledger != nil else { return [] }
        let price: Int64
        switch block.types[index] {
        case .trade: price = block.trade(at: index).price.units
        case .markPrice: price = block.payloads.markPrices[Int(block.slots[index])].mark.units
        default: return []
        }
        let step = RunStep(sequence: block.sequence(at: index), time: block.receiveTimes[index])
        var outcomes: [RiskOutcome] = []
        if limits.maxDrawdown != nil || limits.maxDailyLoss != nil || limits.liquidationBuffer != nil {
            let account = projections.ledger!.margin()
            if let kill = killSwitch(step: step, equity: account.equity, projections: projections) { return kill }
            if let halt = dailyLossHalt(step: step, equity: account.equity) { outcomes.append(halt) }
            outcomes += bufferReductions(step: step, equity: account.equity, maintenance: account.maintenance, ledger: projections.ledger!)
        }
        if let exit = exit(InstrumentID(rawValue: UInt32(block.instruments[index].rawValue)), price: price, step: step, projections: projections) {
            outcomes.append(exit)
        }
        return outcomes
    }

    /// Orders closing (a fraction of) each open position not already being protected.
    private func closing(_ fraction: Double, reason: Reading, step: RunStep, ledger: LedgerProjection, skipProtected: Bool) -> [RiskOutcome] {
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
    private func killSwitch(step: RunStep, equity: Double, projections: ProjectionSet) -> [RiskOutcome]? {
        guard let limit = limits.maxDrawdown, !state.killed, projections.risk != nil else { return nil }
        let drawdown = projections.risk!.drawdown.fraction(equity)
        guard drawdown >= limit else { return nil }
        var reading = Reading()
        reading.check(.drawdown, drawdown, limit)
        var outcomes = closing(1, reason: reading, step: step, ledger: projections.ledger!, skipProtected: false)
        guard !outcomes.isEmpty else { return nil }
        outcomes[0].killSwitch = KillSwitchTripped(causation: step.sequence, action: .flattenAndHalt, reason: RiskRule.drawdown.rawValue, until: .epoch)
        return outcomes
    }

    /// At the daily loss limit: a halt of trading that adds exposure, until the next UTC day.
    private func dailyLossHalt(step: RunStep, equity: Double) -> RiskOutcome? {
        guard let limit = limits.maxDailyLoss, !state.isHalted(at: step.time), state.dayStartEquity > 0 else { return nil }
        let loss = (state.dayStartEquity - equity) / state.dayStartEquity
        guard loss >= limit else { return nil }
        var reading = Reading()
        reading.check(.dailyLoss, loss, limit)
        let nextDay = (state.day + 1) * 86_400_000_000_000
        var halt = outcome(step.sequence, .none, .halt, requested: 0, approved: 0, reading: reading, step: step)
        halt.killSwitch = KillSwitchTripped(causation: step.sequence, action: .halt, reason: RiskRule.dailyLoss.rawValue, until: Timestamp(nanosSinceEpoch: nextDay))
        return halt
    }

    /// At the liquidation buffer (maintenance margin over equity): each position cut so the
    /// ratio falls to nine tenths of the buffer.
    private func bufferReductions(step: RunStep, equity: Double, maintenance: Double, ledger: LedgerProjection) -> [RiskOutcome] {
        guard let buffer = limits.liquidationBuffer, equity > 0 else { return [] }
        let ratio = maintenance / equity
        guard ratio >= buffer else { return [] }
        var reading = Reading()
        reading.check(.liquidationBuffer, ratio, buffer)
        return closing(1 - 0.9 * buffer / ratio, reason: reading, step: step, ledger: ledger, skipProtected: true)
    }

    /// The first exit an open position of `instrument` reaches at `price`.
    private func exit(_ instrument: InstrumentID, price: Int64, step: RunStep, projections: ProjectionSet) -> RiskOutcome? {
        let raw = Int(instrument.rawValue)
        guard raw > 0, raw < projections.ledger!.positions.count, projections.ledger!.positions[raw].size != 0, !state.protecting(raw) else { return nil }
        let size = projections.ledger!.positions[raw].size
        let side = size > 0 ? 1.0 : -1.0
        let entry = projections.ledger!.entryPrice(raw)
        let adverse = side * (entry - Double(price)) / entry
        var reading = Reading()
        if let limit = limits.stopLoss { reading.check(.stopLoss, adverse, limit, passed: adverse < limit) }
        if let limit = limits.takeProfit { reading.check(.takeProfit, -adverse, limit, passed: -adverse < limit) }
        if let multiple = limits.volatilityStop {
            let (_, deviation) = RiskMath.meanAndDeviation(projections.risk?.markReturnWindow(instrument) ?? [])
            let moves = deviation > 0 ? adverse / deviation : 0
            reading.check(.volatilityStop, moves, multiple, passed: moves < multiple)
        }
        if let limit = limits.trailingStop {
            let best = Double(state.best[raw])
            let retreat = best > 0 ? side * (best - Double(price)) / best : 0
            reading.check(.trailingStop, retreat, limit, passed: retreat < limit)
        }
        if let limit = limits.timeStop {
            let held = Double(step.time - state.openedAt[raw])
            reading.check(.timeStop, held, Double(limit), passed: held < Double(limit))
        }
        guard reading.checks.contains(where: { !$0.passed }) else { return nil }
        var result = outcome(step.sequence, instrument, .liquidate, requested: -size, approved: -size, reading: reading, step: step)
        result.quantity = -size
        result.reduceOnly = true
        return result
    }
}
