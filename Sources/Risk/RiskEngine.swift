import Crypto
public import Events
public import Projections
public import TapeCore

/// What the risk engine decided: the `RiskDecided` event, the order to place (if any), and a
/// kill switch it tripped.
public struct RiskOutcome: Sendable, Equatable {
    public var instrument: InstrumentID
    public var decision: RiskDecided
    /// The order: signed size in size units (0: none), limit price (0: none), reduce-only.
    public var quantity: Int64
    public var price: Int64
    public var reduceOnly: Bool
    public var killSwitch: KillSwitchTripped?
    /// How the order is placed, as its signal asked (the engine's own orders are market orders):
    /// type, time in force, trigger price (0: none), post-only, displayed size (0: all).
    public var orderType = OrderType.market
    public var timeInForce = TimeInForce.goodTillCanceled
    public var triggerPrice: Int64 = 0
    public var postOnly = false
    public var displayQuantity: Int64 = 0
}

/// Why a risk engine cannot be made.
public struct RiskError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
}

/// The pre-trade risk engine (specs/risk.md): it sizes every signal, checks it against the
/// limits and resizes or rejects it, and watches open positions for exits and the account for
/// its loss, drawdown and margin limits. A decision is a function of the projections, the
/// engine's state (itself folded from events) and the signal, so a replay re-derives it.
public struct RiskEngine: Sendable {
    public let limits: RiskLimits
    let table: InstrumentTable
    /// Per instrument id: the maximum position in size units and notional (infinite: none).
    private let maxPosition: [Int64]
    private let maxNotional: [Double]
    public private(set) var state: RiskState
    /// The value at risk and expected shortfall the tail limits read, and the risk
    /// projection's sample count they were measured at: the return window changes only when a
    /// sample is taken, so they are measured once per sample, not once per decision.
    private var tails = (valueAtRisk: 0.0, expectedShortfall: 0.0)
    private var tailsSample = UInt64.max
    /// What the monitor's account checks (drawdown, daily loss, liquidation buffer) last read
    /// when none reached its limit: read the same again, none reaches it again (`monitor`).
    var quietAccount: AccountInputs?
    /// Per instrument id: the prices at which the position's exits all pass, for the position
    /// they were found for (`monitor`; only when every configured exit reads the price alone).
    var exitBands: [ExitBand]

    /// Everything the account checks read, up to the point where one trips.
    struct AccountInputs: Equatable {
        /// The ledger's revision (its equity and maintenance margin) and the risk projection's
        /// samples (its drawdown peak moves only when it samples).
        var ledger: UInt64
        var samples: UInt64
        var killed: Bool
        var halted: Bool
        var dayStartEquity: UInt64
    }

    public init(limits: RiskLimits, instruments: InstrumentTable) throws(RiskError) {
        self.limits = limits
        table = instruments
        var positions = [Int64](repeating: .max, count: instruments.count + 1)
        var notionals = [Double](repeating: .infinity, count: instruments.count + 1)
        func resolve(_ limit: RiskLimits.InstrumentLimits, raw: Int, name: String) throws(RiskError) {
            if let text = limit.maxPosition {
                do {
                    positions[raw] = try FixedPoint.parse(text, scale: instruments.instruments[raw - 1].sizeScale)
                } catch {
                    throw RiskError(description: "\(limits.source): max_position of \(name) '\(text)': \(error)")
                }
            }
            if let notional = limit.maxNotional { notionals[raw] = notional }
        }
        for raw in 1..<(instruments.count + 1) {
            try resolve(limits.defaults, raw: raw, name: instruments.instruments[raw - 1].name)
        }
        for (name, limit) in limits.instruments {
            guard let id = instruments.id(named: name) else {
                throw RiskError(description: "\(limits.source): instrument \(name) is not in the journal")
            }
            try resolve(limit, raw: Int(id.rawValue), name: name)
        }
        maxPosition = positions
        maxNotional = notionals
        state = RiskState(instruments: instruments.count)
        exitBands = Array(repeating: ExitBand(), count: instruments.count + 1)
    }

    /// Folds in the event at `index` of `block` (source or run), after the projections.
    /// `size` is the account's position in the event's instrument, read only at a fill or a
    /// liquidation; `equity` its equity, read only when the event starts a UTC day. (Scalars
    /// rather than the projections, read only when needed: reading the ledger out of the
    /// projections copies it.)
    public mutating func observe(_ block: DecodedBlock, at index: Int, size: @autoclosure () -> Int64, equity: @autoclosure () -> Double) {
        let dayEquity = state.startsDay(at: block.receiveTimes[index]) ? equity() : .nan
        state.observe(block, at: index, size: size, equity: dayEquity, orderWindow: limits.orderRate?.window)
    }

    /// `observe` of a trade at `price` of instrument `raw` received at `time`, for a caller
    /// that has read it.
    @inline(__always)
    public mutating func observe(tradeOf raw: Int, price: Int64, at time: Int64, equity: @autoclosure () -> Double) {
        let dayEquity = state.startsDay(at: time) ? equity() : .nan
        state.observe(tradeOf: raw, price: price, at: time, equity: dayEquity, orderWindow: limits.orderRate?.window)
    }

    /// The measures a decision read, with their values, for its report and state hash.
    struct Reading {
        var checks: [RiskDecided.RuleCheck] = []
        var sizing: [RiskDecided.SizingInput] = []

        private static let rules = RiskRule.allCases.count
        private static let factors = SizingFactor.allCases.count

        /// An empty reading with room for every rule and sizing input a signal's decision may
        /// report (grown from empty, its lists were reallocated at each doubling).
        static var forSignal: Reading {
            var reading = Reading()
            reading.checks.reserveCapacity(rules)
            reading.sizing.reserveCapacity(factors)
            return reading
        }

        mutating func check(_ rule: RiskRule, _ measured: Double, _ limit: Double, passed: Bool? = nil) {
            checks.append(.init(rule: rule.rawValue, passed: passed ?? !(measured > limit), measured: measured, limit: limit))
        }

        mutating func input(_ factor: SizingFactor, _ value: Double) {
            sizing.append(.init(input: factor.rawValue, value: value))
        }
    }

    /// Decides `signal` for `instrument` at `step`: sizes it, checks every configured rule at
    /// the size asked, and approves, resizes (to the largest size every limit allows), rejects
    /// or halts it. The order an approval places has no id yet (0): the caller names it.
    public mutating func decide(_ signal: SignalEmitted, instrument: InstrumentID, step: RunStep, projections: inout ProjectionSet) -> RiskOutcome {
        precondition(projections.ledger != nil, "the risk engine reads the ledger")
        measureTails(&projections)
        let ledger = projections.ledger!
        let raw = Int(instrument.rawValue)
        var reading = Reading.forSignal
        let position = ledger.positions[raw].size
        let pending = state.pending(raw)
        let current = position + pending
        // Priced at the order's limit, else its trigger, else the mark.
        let price = signal.price.units > 0 ? signal.price.units : signal.triggerPrice.units > 0 ? signal.triggerPrice.units : ledger.positions[raw].mark
        reading.input(.position, Double(position))
        reading.input(.pending, Double(pending))
        guard price > 0 else {
            reading.check(.priceKnown, 1, 0)
            return outcome(signal.causation, instrument, .reject, requested: 0, approved: 0, reading: reading, step: step)
        }
        let valuation = ledger.valuation()
        let equity = valuation.equity
        let target = sizedTarget(signal, raw: raw, current: current, price: price, equity: equity, projections: &projections, reading: &reading)
        let requested = target - current
        guard requested != 0 else {
            return outcome(signal.causation, instrument, .approve, requested: 0, approved: 0, reading: reading, step: step)
        }
        let direction: Int64 = requested > 0 ? 1 : -1
        // Moving toward flat is always allowed; only what goes beyond adds exposure.
        let reduction = current * direction < 0 ? min(abs(current), abs(requested)) : 0
        let adds = abs(requested) > reduction
        let halted = state.isHalted(at: step.time)
        reading.check(.halted, halted ? 1 : 0, 0, passed: !(halted && adds))
        let gatesPass = gates(adds: adds, reading: &reading)
        var allowed = caps(raw: raw, current: current, direction: direction, requested: abs(requested), reduction: reduction,
                           price: price, valuation: valuation, projections: &projections, reading: &reading)
        if halted || !gatesPass { allowed = min(allowed, reduction) }
        let lot = table.instruments[raw - 1].sizeIncrement.units
        let approved = min(abs(requested), allowed) / lot * lot
        let verdict: RiskVerdict = approved == abs(requested) ? .approve : halted && adds ? .halt : approved == 0 ? .reject : .resize
        var result = outcome(signal.causation, instrument, verdict, requested: requested, approved: direction * approved, reading: reading, step: step)
        if approved > 0 {
            result.quantity = direction * approved
            result.price = signal.price.units
            result.reduceOnly = approved <= reduction
            result.orderType = signal.orderType
            result.timeInForce = signal.timeInForce
            result.triggerPrice = signal.triggerPrice.units
            result.postOnly = signal.postOnly
            result.displayQuantity = signal.displayQuantity.units
        }
        return result
    }

    /// The signed target position a signal asks for, after the sizing policy.
    private func sizedTarget(
        _ signal: SignalEmitted, raw: Int, current: Int64, price: Int64, equity: Double, projections: inout ProjectionSet, reading: inout Reading
    ) -> Int64 {
        let lot = table.instruments[raw - 1].sizeIncrement.units
        let asked = signal.quantity.units
        switch signal.kind {
        case .exit: return 0
        case .targetPosition, .orderIntent:
            var size = abs(asked)
            if limits.sizing != .signal && asked != 0 {
                let strength = signal.strength.isFinite ? min(max(signal.strength, 0), 1) : 1
                reading.input(.equity, equity)
                reading.input(.price, Double(price))
                reading.input(.strength, strength)
                let perUnit = projections.ledger!.exposure(raw, size: 1, price: price)
                let notional = sizedNotional(raw: raw, direction: asked > 0 ? 1 : -1, equity: equity, projections: &projections, reading: &reading)
                size = perUnit > 0 && notional.isFinite ? Int64((strength * notional / perUnit / Double(lot)).rounded(.down)) * lot : 0
            }
            let signed = asked >= 0 ? size : -size
            let target = signal.kind == .targetPosition ? signed : current + signed
            reading.input(.target, Double(target))
            return target
        }
    }

    /// The notional (valuation currency) the sizing policy allots to a new position.
    private func sizedNotional(raw: Int, direction: Double, equity: Double, projections: inout ProjectionSet, reading: inout Reading) -> Double {
        switch limits.sizing {
        case .signal:
            return .nan
        case .fixedFraction(let fraction):
            let distance = limits.stopLoss ?? 1
            reading.input(.fraction, fraction)
            reading.input(.stopDistance, distance)
            return fraction * equity / distance
        case .volatilityTarget(let target):
            let (_, deviation) = RiskMath.meanAndDeviation(markReturns(raw, &projections))
            let annual = deviation * (projections.risk?.inPlace { $0.samplesPerYear } ?? .nan).squareRoot()
            reading.input(.fraction, target)
            reading.input(.volatility, deviation)
            return annual > 0 ? target * equity / annual : .nan
        case .kelly(let fraction):
            let (mean, deviation) = RiskMath.meanAndDeviation(markReturns(raw, &projections))
            let variance = deviation * deviation
            reading.input(.fraction, fraction)
            reading.input(.meanReturn, mean)
            reading.input(.returnVariance, variance)
            // The Kelly leverage mean / variance, on the signal's side only.
            guard variance > 0, mean * direction > 0 else { return 0 }
            return fraction * abs(mean) / variance * equity
        }
    }

    private func markReturns(_ raw: Int, _ projections: inout ProjectionSet) -> [Double] {
        projections.risk?.inPlace { $0.markReturnWindow(InstrumentID(rawValue: UInt32(raw))) } ?? []
    }

    private mutating func measureTails(_ projections: inout ProjectionSet) {
        let samples = projections.risk?.inPlace { $0.samples } ?? 0
        guard samples != tailsSample else { return }
        tailsSample = samples
        let returns = projections.risk?.inPlace { $0.returnWindow } ?? []
        func measure(_ limit: RiskLimits.TailLimit?, shortfall: Bool) -> Double {
            guard let limit, returns.count >= 2 else { return 0 }
            return limit.measure(returns, shortfall: shortfall)
        }
        tails = (measure(limits.valueAtRisk, shortfall: false), measure(limits.expectedShortfall, shortfall: true))
    }

    /// The gates an order adding exposure must pass: order rate, value at risk, shortfall.
    private func gates(adds: Bool, reading: inout Reading) -> Bool {
        var pass = true
        if let (count, _) = limits.orderRate {
            let placed = Double(state.orderTimes.count + 1)
            reading.check(.orderRate, placed, Double(count), passed: !adds || placed <= Double(count))
            pass = pass && (!adds || placed <= Double(count))
        }
        // (Two calls rather than a loop over a list of the two: the list was allocated at every decision.)
        func tail(_ rule: RiskRule, _ limit: RiskLimits.TailLimit?, _ measured: Double) {
            guard let limit else { return }
            let ok = !adds || !(measured > limit.maximum)
            reading.check(rule, measured, limit.maximum, passed: ok)
            pass = pass && ok
        }
        tail(.valueAtRisk, limits.valueAtRisk, tails.valueAtRisk)
        tail(.expectedShortfall, limits.expectedShortfall, tails.expectedShortfall)
        return pass
    }

    /// The largest size (size units, in the order's direction) every resizing limit allows;
    /// each rule is reported at the size asked.
    private func caps(
        raw: Int, current: Int64, direction: Int64, requested: Int64, reduction: Int64, price: Int64, valuation: LedgerProjection.Valuation,
        projections: inout ProjectionSet, reading: inout Reading
    ) -> Int64 {
        let ledger = projections.ledger!
        let equity = valuation.equity
        let target = current + direction * requested
        let perUnit = ledger.exposure(raw, size: 1, price: price)
        let targetExposure = Double(abs(target)) * perUnit
        // Room measured in equity is none without positive equity.
        let capital = equity > 0 ? equity : 0
        var allowed = requested
        // A bound on |position| as exposure `room` (valuation currency) or size units.
        func positionCap(_ units: Double) -> Int64 {
            guard units.isFinite else { return .max }
            let bound = Int64(max(0, min(units, Double(Int64.max / 2))))
            return current * direction < 0 ? abs(current) + bound : max(0, bound - abs(current))
        }
        func cap(_ units: Int64) { allowed = min(allowed, max(units, reduction)) }

        if maxPosition[raw] != .max {
            reading.check(.maxPosition, Double(abs(target)), Double(maxPosition[raw]), passed: abs(target) <= maxPosition[raw] || requested <= reduction)
            cap(positionCap(Double(maxPosition[raw])))
        }
        if maxNotional[raw].isFinite {
            reading.check(.maxNotional, targetExposure, maxNotional[raw], passed: targetExposure <= maxNotional[raw] || requested <= reduction)
            cap(positionCap(maxNotional[raw] / perUnit))
        }
        let own = Double(abs(ledger.positions[raw].size)) * perUnit
        let otherGross = valuation.grossExposure - own
        if let limit = limits.maxConcentration {
            reading.check(.concentration, targetExposure / equity, limit, passed: targetExposure / equity <= limit || requested <= reduction)
            cap(positionCap(limit * capital / perUnit))
        }
        if let limit = limits.maxGrossLeverage {
            let measured = (otherGross + targetExposure) / equity
            reading.check(.grossLeverage, measured, limit, passed: measured <= limit || requested <= reduction)
            cap(positionCap((limit * capital - otherGross) / perUnit))
        }
        if let limit = limits.maxNetLeverage {
            let ownSigned = ledger.positions[raw].size >= 0 ? own : -own
            let otherNet = valuation.netExposure - ownSigned
            let net = otherNet + Double(target) * perUnit
            reading.check(.netLeverage, abs(net) / equity, limit, passed: abs(net) / equity <= limit || requested <= reduction)
            // Net exposure moves by perUnit per unit in the order's direction.
            let room = Double(direction) * (Double(direction) * limit * capital - otherNet) / perUnit - Double(direction * current)
            cap(room.isFinite ? Int64(max(0, min(room, Double(Int64.max / 2)))) : .max)
        }
        if let (threshold, limit) = limits.correlation, let risk = projections.risk {
            let mine = risk.markReturnWindow(InstrumentID(rawValue: UInt32(raw)))
            var correlated = 0.0
            for other in risk.instruments where Int(other.rawValue) != raw && ledger.positions[Int(other.rawValue)].size != 0 {
                let theirs = risk.markReturnWindow(other)
                let n = min(mine.count, theirs.count)
                guard n >= 2, RiskMath.correlation(Array(mine.suffix(n)), Array(theirs.suffix(n))) >= threshold else { continue }
                correlated += ledger.exposure(Int(other.rawValue), size: ledger.positions[Int(other.rawValue)].size, price: ledger.positions[Int(other.rawValue)].mark)
            }
            let measured = (correlated + targetExposure) / equity
            reading.check(.correlatedExposure, measured, limit, passed: measured <= limit || requested <= reduction)
            cap(positionCap((limit * capital - correlated) / perUnit))
        }
        if let fraction = limits.maxVolumeFraction, let volume = projections.risk?.inPlace({ $0.tradedVolume(InstrumentID(rawValue: UInt32(raw))) }) {
            let measured = volume > 0 ? Double(requested) / volume : .infinity
            reading.check(.volumeParticipation, measured, fraction, passed: measured <= fraction || requested <= reduction)
            cap(reduction + Int64(max(0, fraction * volume - Double(reduction))))
        }
        if let fraction = limits.maxDepthFraction, let book = projections.book?.book(InstrumentID(rawValue: UInt32(raw))),
           let depth = book.depth(withinBasisPoints: projections.risk?.inPlace({ $0.options.depthBasisPoints }) ?? 10) {
            let available = Double(direction > 0 ? depth.asks : depth.bids)
            let measured = available > 0 ? Double(requested) / available : .infinity
            reading.check(.depthParticipation, measured, fraction, passed: measured <= fraction || requested <= reduction)
            cap(reduction + Int64(max(0, fraction * available - Double(reduction))))
        }
        return allowed
    }

    /// Assembles an outcome and its state hash: SHA-256 of what the decision read (the
    /// engine's state for the instrument, the checks and the sizing inputs).
    func outcome(
        _ causation: UInt64, _ instrument: InstrumentID, _ verdict: RiskVerdict, requested: Int64, approved: Int64,
        reading: Reading, step: RunStep
    ) -> RiskOutcome {
        // Put together on the stack (a writer of its own was an allocation per decision): the
        // time, the state, then the checks and sizing inputs encoded as in the event.
        let lists = RiskDecided.RuleCheck.maximumBytes * reading.checks.count + RiskDecided.SizingInput.maximumBytes * reading.sizing.count
        let hash = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10 + RiskState.maximumBytes + lists) { buffer in
            let output = RawOutput(buffer)
            var position = output.writeVarint(ZigZag.encode(step.time), at: 0)
            position = state.write(into: output, at: position, raw: Int(instrument.rawValue))
            position = RiskDecided.write(reading.sizing, into: output, at: RiskDecided.write(reading.checks, into: output, at: position))
            // (Read from the digest in place: copying it into an array walked it a byte at a time.)
            return SHA256.hash(data: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[..<position])).withUnsafeBytes { Hash256(bytes: $0)! }
        }
        let decision = RiskDecided(
            causation: causation, orderID: 0, verdict: verdict, requestedQuantity: Quantity(units: requested),
            approvedQuantity: Quantity(units: approved), rules: reading.checks, sizing: reading.sizing, stateHash: hash)
        return RiskOutcome(instrument: instrument, decision: decision, quantity: 0, price: 0, reduceOnly: false, killSwitch: nil)
    }
}
