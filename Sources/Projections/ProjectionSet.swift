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
    /// Per event type (by raw value), whether some projection reads its payload.
    private var reads = [Bool](repeating: false, count: 256)
    /// The earliest receive time at which a projection acts on the clock alone (a time bar
    /// closes, a funding falls due, a risk sample is taken): before it, an event no projection
    /// reads changes nothing.
    private var nextClock = Int64.min

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
        for type in decodedTypes { reads[Int(type.rawValue)] = true }
    }

    /// The event types whose payloads the projections read; a replay decodes only these (the
    /// times, types and instruments of every event are always there).
    public var decodedTypes: Set<EventType> {
        var types = Set<EventType>()
        if book != nil { types.formUnion([.bookDelta, .bookSnapshot]) }
        if bars != nil { types.formUnion([.trade, .bar]) }
        if features != nil { types.formUnion([.trade, .fundingRate, .markPrice, .openInterest, .sentiment, .onChainTransfer]) }
        if ledger != nil { types.formUnion([.trade, .markPrice, .fill, .liquidation, .fundingRate, .fundingPayment]) }
        if risk != nil { types.insert(.trade) }
        return types
    }

    /// The names of the projections on, in application order.
    public var names: [String] {
        (book != nil ? [BookProjection.name] : []) + (bars != nil ? [BarsProjection.name] : []) + (features != nil ? [FeaturesProjection.name] : [])
            + (risk != nil ? [RiskProjection.name] : []) + (ledger != nil ? [LedgerProjection.name] : [])
    }

    /// Applies the event at `index` of `block`.
    @inline(__always)
    public mutating func apply(_ block: DecodedBlock, at index: Int) {
        if !reads[Int(block.types[index].rawValue)] && block.receiveTimes[index] < nextClock {
            bars?.clearClosed()
            return
        }
        book?.apply(block, at: index)
        if bars != nil {
            bars!.clearClosed()
            bars!.apply(block, at: index)
        }
        if features != nil {
            features!.apply(block, at: index)
            if let closed = bars?.closed, !closed.isEmpty {
                features!.apply(closed: closed, now: block.receiveTimes[index], book: book)
            }
        }
        // Risk samples the account as it stood before this event, then the ledger takes it.
        // (The ledger is handed over only when a sample is due: passing it on every event
        // would copy it.)
        if risk != nil {
            let time = block.receiveTimes[index]
            if risk!.isSampleDue(at: time) { risk!.sample(upTo: time, ledger: ledger) }
            risk!.apply(block, at: index)
        }
        ledger?.apply(block, at: index)
        nextClock = min(bars?.nextDeadline ?? .max, risk?.nextSample ?? .max, ledger?.nextFunding ?? .max)
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
