import Crypto
public import Events
public import TapeCore

/// The projections a configuration turns on, applied to each event in a fixed order (book,
/// then the projections that read it), so that each sees the others as of the same event.
///
/// Concrete members rather than a list of existentials: the per-event path is a type switch
/// and direct calls, with no boxing.
public struct ProjectionSet: Sendable {
    public let configuration: ProjectionConfiguration
    public let context: ProjectionContext
    public var book: BookProjection?
    public var bars: BarsProjection?
    public var features: FeaturesProjection?
    public var ledger: LedgerProjection?
    public var risk: RiskProjection?
    /// Who reads an event type's payload.
    private enum Readers: UInt8 {
        case none, book, all
    }
    /// Per event type (by ordinal), which projections read its payload: none, only the book
    /// (its diffs and snapshots), or others too.
    private var readers = [Readers](repeating: .none, count: EventType.allCases.count)
    /// The earliest receive time at which a projection acts on the clock alone (a time bar
    /// closes, a funding falls due, a risk sample is taken): before it, an event no projection
    /// reads changes nothing, and one only the book reads changes only the book.
    private var nextClock = Int64.min
    /// The risk projection's next sample time as of the last event (`.min`: unknown, so asked).
    private var nextRiskSample = Int64.min
    /// Which projections are on, asked once: `bars != nil` reads the optional out of the set,
    /// a copy of the whole projection at every event.
    private let on: (bars: Bool, features: Bool, risk: Bool)
    /// Whether only the risk projection and the ledger read trades (no bars or features, which
    /// read them from their block; the book ignores them): `apply(trade:…)` serves them.
    private let tradesReachAccountOnly: Bool

    /// The projections of `configuration` for a journal with these instruments.
    public init(configuration: ProjectionConfiguration, instruments: InstrumentTable) throws(ProjectionError) {
        self.configuration = configuration
        context = ProjectionContext(instruments: instruments)
        book = configuration.book.map { BookProjection(options: $0, instruments: instruments) }
        bars = try configuration.bars.map { (options) throws(ProjectionError) in try BarsProjection(options: options, instruments: instruments) }
        if let options = configuration.features, let barOptions = configuration.bars {
            features = try FeaturesProjection(options: options, bars: barOptions, instruments: instruments)
        }
        ledger = try configuration.ledger.map { (options) throws(ProjectionError) in try LedgerProjection(options: options, instruments: instruments) }
        risk = configuration.risk.map { RiskProjection(options: $0, instruments: instruments) }
        on = (configuration.bars != nil, features != nil, configuration.risk != nil)
        tradesReachAccountOnly = bars == nil && features == nil && (risk != nil || ledger != nil)
        let types = readTypes
        for type in types.book { readers[type.ordinal] = .book }
        for type in types.others { readers[type.ordinal] = .all }
    }

    /// The event types whose payloads the projections read; a replay decodes only these (the
    /// times, types and instruments of every event are always there).
    public var decodedTypes: Set<EventType> {
        let types = readTypes
        return types.book.union(types.others)
    }

    /// The event types the book reads, and those the other projections read.
    private var readTypes: (book: Set<EventType>, others: Set<EventType>) {
        var others = Set<EventType>()
        if bars != nil { others.formUnion([.trade, .bar]) }
        if features != nil { others.formUnion([.trade, .fundingRate, .markPrice, .openInterest, .sentiment, .onChainTransfer]) }
        if ledger != nil { others.formUnion([.trade, .markPrice, .fill, .liquidation, .fundingRate, .fundingPayment]) }
        if risk != nil { others.insert(.trade) }
        return (book != nil ? [.bookDelta, .bookSnapshot] : [], others)
    }

    /// The names of the projections on, in application order.
    public var names: [String] {
        (book != nil ? [BookProjection.name] : []) + (bars != nil ? [BarsProjection.name] : []) + (features != nil ? [FeaturesProjection.name] : [])
            + (risk != nil ? [RiskProjection.name] : []) + (ledger != nil ? [LedgerProjection.name] : [])
    }

    /// Applies the event at `index` of `block`.
    public mutating func apply(_ block: DecodedBlock, at index: Int) {
        apply(block, in: index..<index + 1)
    }

    /// Applies the events at `indices` of `block`, as one by one; faster for a fold that looks
    /// at the state only at the end. Before the clock's next deadline, an event the others do
    /// not read leaves them as they are (the bars only drop the bars closed at the last
    /// event: once, after the range, not at each such event), and one only the book reads goes
    /// to the book alone; such an event costs a time and a type compared.
    public mutating func apply(_ block: DecodedBlock, in indices: Range<Int>) {
        var closedPending = false
        for index in indices {
            if block.receiveTimes[index] < nextClock {
                switch readers[block.types[index].ordinal] {
                case .none:
                    closedPending = true
                    continue
                case .book:
                    closedPending = true
                    book?.apply(block, at: index)
                    continue
                case .all:
                    break
                }
            }
            step(block, at: index)
            closedPending = false
        }
        if closedPending { bars?.clearClosed() }
    }

    /// Applies the trade at `index` of `block`, whose instrument, receive time and fields the
    /// caller has read: the same as `apply(block, at: index)`, without reading the block again
    /// when only the account's projections read trades.
    @inline(__always)
    public mutating func apply(trade: Trade, instrument raw: Int, at time: Int64, _ block: DecodedBlock, index: Int) {
        guard tradesReachAccountOnly else { return apply(block, at: index) }
        stepAccount(at: time, clock: .max, risk: { $0.step(tradeOf: trade.size.units, instrument: raw, at: time) },
                    ledger: { $0.step(tradeOf: raw, price: trade.price.units, at: time) })
    }

    /// Applies the event at `index` to every projection; kept out of line, so that the
    /// checks before it stay small in the per-event loops.
    @inline(never)
    private mutating func step(_ block: DecodedBlock, at index: Int) {
        let time = block.receiveTimes[index]
        // Each projection is reached through a mutation of its optional (`x?.step`), which
        // Swift makes in place; a read of the optional's payload would copy the projection.
        // The steps hand back the clock deadlines.
        book?.apply(block, at: index)
        var clock = Int64.max
        // (Features are on only with bars.)
        if on.bars, let (deadline, closed) = bars?.step(block, at: index) {
            clock = deadline
            if on.features {
                features?.apply(block, at: index)
                if closed { features!.apply(closed: bars!.closed, now: time, book: book) }
            }
        }
        stepAccount(at: time, clock: clock, risk: { $0.step(block, at: index) }, ledger: { $0.step(block, at: index) })
    }

    /// The account's projections take an event received at `time` through `risk` and `ledger`
    /// (each applies it and hands back its next deadline): the risk projection samples the
    /// account as it stood before the event, then takes it, then the ledger takes it. `clock`
    /// is the earliest deadline of the projections before them; the set's next clock follows.
    /// (The ledger is handed over only when a sample is due.)
    @inline(__always)
    private mutating func stepAccount(
        at time: Int64, clock: Int64, risk riskStep: (inout RiskProjection) -> Int64, ledger ledgerStep: (inout LedgerProjection) -> Int64
    ) {
        var clock = clock
        if on.risk {
            if time >= nextRiskSample, risk!.isSampleDue(at: time) { risk!.sample(upTo: time, ledger: ledger) }
            nextRiskSample = risk?.inPlace(riskStep) ?? .max
            clock = min(clock, nextRiskSample)
        }
        nextClock = min(clock, ledger?.inPlace(ledgerStep) ?? .max)
    }

    /// Each projection's name and canonical state.
    public func states() -> [(name: String, bytes: [UInt8])] {
        var states: [(name: String, bytes: [UInt8])] = []
        if let book { states.append((BookProjection.name, book.encodedState())) }
        if let bars { states.append((BarsProjection.name, bars.encodedState())) }
        if let features { states.append((FeaturesProjection.name, features.encodedState())) }
        if let risk { states.append((RiskProjection.name, risk.encodedState())) }
        if let ledger { states.append((LedgerProjection.name, ledger.encodedState())) }
        return states
    }

    /// Each projection's name and state hash (SHA-256 of its canonical state).
    public func hashes() -> [(name: String, hash: Hash256)] {
        states().map { ($0.name, Hash256(bytes: Array(SHA256.hash(data: $0.bytes)))!) }
    }

    /// Restores every projection from `states` (names must match the projections on).
    mutating func restore(_ states: [(name: String, bytes: [UInt8])]) throws(CodecError) {
        guard states.map(\.name) == names else { throw .invalidValue(field: "projection names", offset: 0) }
        nextClock = .min
        nextRiskSample = .min
        for (name, bytes) in states {
            switch name {
            case BookProjection.name: try book!.restoreState(from: bytes)
            case BarsProjection.name: try bars!.restoreState(from: bytes)
            case FeaturesProjection.name: try features!.restoreState(from: bytes)
            case LedgerProjection.name: try ledger!.restoreState(from: bytes)
            case RiskProjection.name: try risk!.restoreState(from: bytes)
            default: throw .invalidValue(field: "projection \(name)", offset: 0)
            }
        }
    }

    /// Each projection's state as JSON, with its hash.
    public func summary() -> [(name: String, hash: Hash256, state: JSONValue)] {
        let hashes = Dictionary(uniqueKeysWithValues: hashes().map { ($0.name, $0.hash) })
        var summaries: [(name: String, hash: Hash256, state: JSONValue)] = []
        if let book { summaries.append((BookProjection.name, hashes[BookProjection.name]!, book.summary(context))) }
        if let bars { summaries.append((BarsProjection.name, hashes[BarsProjection.name]!, bars.summary(context))) }
        if let features { summaries.append((FeaturesProjection.name, hashes[FeaturesProjection.name]!, features.summary(context))) }
        if let risk {
            summaries.append((RiskProjection.name, hashes[RiskProjection.name]!, risk.summary(context, report: risk.report(ledger: ledger, book: book))))
        }
        if let ledger { summaries.append((LedgerProjection.name, hashes[LedgerProjection.name]!, ledger.summary(context))) }
        return summaries
    }
}

extension BarsProjection {
    /// Drops the bars closed at the last event, applies this one, and hands back the next
    /// deadline and whether bars closed (for `ProjectionSet.apply`).
    mutating func step(_ block: DecodedBlock, at index: Int) -> (deadline: Int64, closed: Bool) {
        clearClosed()
        apply(block, at: index)
        return (nextDeadline, !closed.isEmpty)
    }
}

extension RiskProjection {
    /// Applies the event and hands back the next sample time (for `ProjectionSet.apply`).
    mutating func step(_ block: DecodedBlock, at index: Int) -> Int64 {
        apply(block, at: index)
        return nextSample
    }

    /// Adds a trade and hands back the next sample time (for `ProjectionSet.apply(trade:…)`).
    mutating func step(tradeOf size: Int64, instrument raw: Int, at time: Int64) -> Int64 {
        add(tradeOf: size, instrument: raw, at: time)
        return nextSample
    }
}

extension LedgerProjection {
    /// Applies the event and hands back the next funding time (for `ProjectionSet.apply`).
    mutating func step(_ block: DecodedBlock, at index: Int) -> Int64 {
        apply(block, at: index)
        return nextFunding
    }

    /// Applies a trade and hands back the next funding time (for `ProjectionSet.apply(trade:…)`).
    mutating func step(tradeOf raw: Int, price: Int64, at time: Int64) -> Int64 {
        apply(tradeOf: raw, price: price, at: time)
        return nextFunding
    }
}
