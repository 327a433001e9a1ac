import Events
import Execution
import Projections
import Risk
import Strategies
import TapeCore

/// Why a run could not be made or read.
public struct RunError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One run in progress: the fold, the simulator, and the run events of the current source
/// event. The strategies are the caller's, lent to each step: kept apart, they read the
/// projections in place while they change themselves (a sibling of the projections would make
/// Swift copy the projections at every call).
struct RunLoop {
    var fold: RunFold
    var simulator: Simulator
    let table: InstrumentTable
    /// Run events made at this step and not yet written.
    private var pending: [RunEvent] = []
    /// The run events made since the last hand-over, in which the fold reads them.
    private var block = DecodedBlock()
    /// Per instrument id: the liquidation price last computed (NaN: none), valid until the
    /// account changes.
    private var liquidationPrices: [Double]
    private var liquidationValid = false
    /// The ledger's next funding time, read again after the events that can move it (a funding
    /// rate, a settlement): reading it out of the projections at every event copies the ledger.
    private var nextFunding = Int64.max
    /// Decisions by verdict code, for the summary (the run journal counts the rest).
    private var decisions = [Int](repeating: 0, count: 8)
    /// The sequence the next run event gets in the run journal.
    private(set) var nextSequence: UInt64 = 1
    /// Run events made and not yet handed to the writer.
    private var outgoing: [Event] = []
    /// The risk engine's decisions to place at this step: its own, or one on a signal (empty
    /// between them; its storage serves every step).
    private var outcomes: [RiskOutcome] = []

    init(configuration: RunConfiguration, instruments: InstrumentTable) throws {
        fold = try RunFold(configuration: configuration, instruments: instruments)
        // The run's only VWAP parents are the ones its execution algorithm routes.
        var execution = configuration.execution
        execution.vwapOrders = execution.algorithm == .vwap
        simulator = Simulator(options: execution, instruments: instruments)
        table = instruments
        liquidationPrices = Array(repeating: .nan, count: instruments.count + 1)
    }

    /// The event types the run decodes with `strategies`.
    func decodedTypes(_ strategies: StrategySet) -> Set<EventType> {
        fold.decodedTypes.union(Simulator.readTypes).union(strategies.readTypes)
    }

    /// Runs the source event at `index` of `source`, whose address is `address` (the
    /// strategies read it there, in place).
    @inline(__always)
    mutating func step(
        _ source: DecodedBlock, at index: Int, address: UnsafePointer<DecodedBlock>, strategies: inout StrategySet, visitor: inout some RunVisitor
    ) throws {
        let time = source.receiveTimes[index]
        let type = source.types[index]
        // (Nil rather than an empty array when no funding is due: an array is released at
        // every event, even the empty one.)
        let fundingBefore = nextFunding <= time ? fundingSnapshot() : nil
        // The event's fields, read once for the fold, the simulator and the strategies' view
        // (a run decodes every trade).
        let instrument = source.instruments[index]
        let trade: Trade? = type == .trade ? source.trade(at: index) : nil
        let step = RunStep(sequence: source.sequence(at: index), time: time)
        try visitor.beginStep(source, at: index, fold: &fold)
        // The fold takes the event, then the simulator.
        if let trade {
            fold.take(trade: trade, instrument: Int(instrument.rawValue), at: time, source, index: index)
            simulator.step(trade: trade, raw: Int(instrument.rawValue), time: time, sequence: step.sequence, books: fold.projections.book, into: &pending)
        } else {
            fold.take(source, at: index)
            simulator.step(source, at: index, books: fold.projections.book, into: &pending)
        }
        if fundingBefore != nil || type == .fundingRate { nextFunding = fold.projections.ledger?.nextFunding ?? .max }
        if let fundingBefore { reportFunding(since: fundingBefore, step: step) }
        checkLiquidation(source, at: index, step: step)
        if !pending.isEmpty { try flush(step, source, index, visitor: &visitor) }

        fold.risk.monitor(source, at: index, projections: &fold.projections, into: &outcomes)
        if !outcomes.isEmpty { try placeOutcomes(step, source, index, visitor: &visitor) }

        // The strategies read the source through a view that refuses reads past this event.
        try strategies.react(to: MarketView(type: type, instrument: instrument, sequence: step.sequence, receiveTime: time, trade: trade, address: address, at: index),
                             projections: &fold.projections)
        if !strategies.signals.isEmpty {
            for signal in strategies.signals {
                pending.append(RunEvent(instrument: signal.instrument, body: .signal(signal.signal)))
                try flush(step, source, index, visitor: &visitor)
                outcomes.append(fold.risk.decide(signal.signal, instrument: signal.instrument, step: step, projections: &fold.projections))
                try placeOutcomes(step, source, index, visitor: &visitor)
            }
            strategies.signals.removeAll(keepingCapacity: true)
        }
        try visitor.endStep(source, at: index, fold: &fold)
    }

    /// Journals the decisions in `outcomes` (and a kill switch one trips), naming the order of
    /// each that places one, then submits those orders; leaves `outcomes` empty.
    private mutating func placeOutcomes(_ step: RunStep, _ source: DecodedBlock, _ sourceIndex: Int, visitor: inout some RunVisitor) throws {
        // Taken out while they are placed (placing changes the loop) and put back emptied.
        var outcomes: [RiskOutcome] = []
        swap(&outcomes, &self.outcomes)
        defer {
            outcomes.removeAll(keepingCapacity: true)
            swap(&outcomes, &self.outcomes)
        }
        for index in outcomes.indices {
            if outcomes[index].quantity != 0 { outcomes[index].decision.orderID = simulator.newOrderID() }
            record(outcomes[index])
        }
        try flush(step, source, sourceIndex, visitor: &visitor)
        for outcome in outcomes where outcome.quantity != 0 {
            submit(outcome, id: outcome.decision.orderID, step: step)
        }
        if !pending.isEmpty { try flush(step, source, sourceIndex, visitor: &visitor) }
    }

    private mutating func record(_ outcome: RiskOutcome) {
        decisions[Int(outcome.decision.verdict.rawValue)] += 1
        pending.append(RunEvent(instrument: outcome.instrument, body: .riskDecision(outcome.decision)))
        if let kill = outcome.killSwitch { pending.append(RunEvent(instrument: .none, body: .killSwitch(kill))) }
    }

    /// Places an outcome's order as its signal asked: a market order for a signal goes to the
    /// configured execution algorithm when it is large enough (specs/execution.md).
    private mutating func submit(_ outcome: RiskOutcome, id: UInt64, step: RunStep) {
        let raw = Int(outcome.instrument.rawValue)
        let worked = outcome.orderType == .market && (outcome.decision.verdict == .approve || outcome.decision.verdict == .resize)
            ? simulator.options.algorithm(forQuantity: outcome.quantity, sizeScale: table.instruments[raw - 1].sizeScale) : .none
        let request = OrderRequest(
            instrument: outcome.instrument, side: outcome.quantity > 0 ? .buy : .sell, type: outcome.orderType, timeInForce: outcome.timeInForce,
            quantity: Quantity(units: abs(outcome.quantity)), price: Price(units: outcome.price), triggerPrice: Price(units: outcome.triggerPrice),
            reduceOnly: outcome.reduceOnly, postOnly: outcome.postOnly, displayQuantity: Quantity(units: outcome.displayQuantity), algorithm: worked)
        simulator.submit(request, id: id, step: step, books: fold.projections.book, into: &pending)
    }

    /// Stamps the pending run events with the step's time and adds them to those for the
    /// journal, then folds them in; the visitor sees each before the fold takes it, as in a
    /// replay.
    private mutating func flush(_ step: RunStep, _ source: DecodedBlock, _ sourceIndex: Int, visitor: inout some RunVisitor) throws {
        let stamp = Timestamp(nanosSinceEpoch: step.time)
        let first = outgoing.count
        for event in pending {
            outgoing.append(Event(eventTime: stamp, receiveTime: stamp, instrument: event.instrument, body: event.body))
            if case .liquidation(let liquidation) = event.body {
                simulator.adjustPosition(event.instrument, by: liquidation.side == .buy ? liquidation.quantity.units : -liquidation.quantity.units)
            }
        }
        pending.removeAll(keepingCapacity: true)
        // The block goes on from the last event it holds, unless an event was added in between
        // (the run's start) or it was handed over.
        if block.firstSequence + UInt64(block.count) != nextSequence { block.set([], firstSequence: nextSequence) }
        let added = block.append(outgoing[first...])
        nextSequence += UInt64(added.count)
        for index in added {
            try visitor.run(block, at: index, source: source, at: sourceIndex, fold: &fold)
            fold.take(block, at: index)
        }
        liquidationValid = false
    }

    /// Adds a run event to those for the run journal.
    mutating func append(_ event: Event) {
        outgoing.append(event)
        nextSequence += 1
    }

    /// Hands the run events made so far to `writer`, and empties the block the fold read them
    /// in (kept, it would grow through the run).
    mutating func handOver(to writer: RunWriter) throws {
        try writer.send(&outgoing)
        block.set([], firstSequence: nextSequence)
    }

    // MARK: Funding and liquidation

    /// Each position's funding total and pending rate before funding may settle.
    private func fundingSnapshot() -> [(funding: Int128, rate: Int64)] {
        let ledger = fold.projections.ledger!
        return ledger.positions.indices.map { (ledger.positions[$0].funding, ledger.positions[$0].pendingRate) }
    }

    /// Reports the funding the ledger settled at this event: one `FundingPaid` per position.
    private mutating func reportFunding(since before: [(funding: Int128, rate: Int64)], step: RunStep) {
        let ledger = fold.projections.ledger!
        for raw in 1..<ledger.positions.count where ledger.positions[raw].funding != before[raw].funding {
            let amount = ledger.positions[raw].funding - before[raw].funding
            let toMoney = Int128(FixedPoint.powersOfTen[FixedPoint.maximumScale - table.instruments[raw - 1].priceScale])
            pending.append(RunEvent(instrument: InstrumentID(rawValue: UInt32(raw)), body: .fundingPayment(FundingPaid(
                causation: step.sequence, position: Quantity(units: ledger.positions[raw].size), markPrice: Price(units: ledger.positions[raw].mark),
                rate: Rate(units: before[raw].rate), amount: Money(units: amount / toMoney)))))
        }
        liquidationValid = false
    }

    /// The venue's rule: a position whose mark reaches its liquidation price is closed there.
    /// With several positions held, a price of one moves the others' liquidation prices too
    /// (cross margin counts every position's PnL), so each held position is checked, in id
    /// order. (Runs at every price of a held position: the ledger is read in place, and only
    /// for an instrument held. Inlined, so that an account without positions costs no call.)
    @inline(__always)
    private mutating func checkLiquidation(_ source: DecodedBlock, at index: Int, step: RunStep) {
        guard fold.risk.state.held > 0 else { return }
        checkHeldLiquidation(source, at: index, step: step)
    }

    @inline(never)
    private mutating func checkHeldLiquidation(_ source: DecodedBlock, at index: Int, step: RunStep) {
        let type = source.types[index]
        guard type == .trade || type == .markPrice else { return }
        let raw = Int(source.instruments[index].rawValue)
        guard raw > 0, raw < liquidationPrices.count, fold.risk.state.side[raw] != 0 else { return }
        let held = fold.risk.state.held
        fold.projections.ledger?.inPlace { ledger in
            if !liquidationValid || held > 1 {
                for other in 1..<ledger.positions.count {
                    liquidationPrices[other] = ledger.positions[other].size != 0 ? ledger.liquidationPrice(other) : .nan
                }
                liquidationValid = true
            }
            for checked in held > 1 ? 1..<ledger.positions.count : raw..<(raw + 1) {
                if let liquidation = Self.liquidation(checked, step: step, ledger: &ledger, table: table, bound: liquidationPrices[checked]) {
                    pending.append(liquidation)
                }
            }
        }
    }

    /// The liquidation of position `raw` if its mark has reached `bound`, its liquidation price.
    private static func liquidation(_ raw: Int, step: RunStep, ledger: inout LedgerProjection, table: InstrumentTable, bound: Double) -> RunEvent? {
        let size = ledger.positions[raw].size
        let mark = Double(ledger.positions[raw].mark)
        guard size != 0, !bound.isNaN, size > 0 ? mark <= bound : mark >= bound else { return nil }
        let instrument = table.instruments[raw - 1]
        let tick = instrument.priceIncrement.units
        // At the liquidation price, on the tick grid toward the position's loss.
        // A mark that jumped past it closes at the mark.
        let level = size > 0 ? min(bound, mark) : max(bound, mark)
        let price = size > 0 ? Int64((level / Double(tick)).rounded(.up)) * tick : Int64((level / Double(tick)).rounded(.down)) * tick
        let entry = ledger.entryPrice(raw)
        let loss = Double(abs(size)) * abs(entry - Double(price)) / Double(FixedPoint.powersOfTen[instrument.sizeScale])
            * Double(instrument.multiplier.units) / Double(FixedPoint.powersOfTen[instrument.multiplier.scale])
        return RunEvent(instrument: InstrumentID(rawValue: UInt32(raw)), body: .liquidation(PositionLiquidated(
            causation: step.sequence, side: size > 0 ? .sell : .buy, quantity: Quantity(units: abs(size)), price: Price(units: max(price, tick)),
            loss: Money(units: Int128(loss.rounded())))))
    }

    func summary(sourceEvents: UInt64) -> RunSummary {
        RunSummary(decisions: decisions, sourceEvents: sourceEvents, ledger: fold.projections.ledger!, table: table)
    }
}
