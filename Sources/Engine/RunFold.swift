public import Events
public import Projections
public import Risk
public import TapeCore

/// What a run's events fold into: the projections and the risk engine's state. A run, its
/// replay and its audit all fold source and run events through here, in the same order, so
/// they agree on every state at every point.
public struct RunFold: Sendable {
    public var projections: ProjectionSet
    public var risk: RiskEngine
    /// Whether the projections keep a ledger (asked once: reading the optional copies it).
    public let hasLedger: Bool

    public init(configuration: RunConfiguration, instruments: InstrumentTable) throws {
        projections = try ProjectionSet(configuration: configuration.projections, instruments: instruments)
        risk = try RiskEngine(limits: configuration.limits, instruments: instruments)
        hasLedger = projections.ledger != nil
    }

    /// Folds in the event at `index` of `block` (source or run).
    @inline(__always)
    public mutating func take(_ block: DecodedBlock, at index: Int) {
        projections.apply(block, at: index)
        guard hasLedger else { return }
        risk.observe(block, at: index, size: projections.ledger?.positions[Int(block.instruments[index].rawValue)].size ?? 0,
                     equity: projections.ledger?.margin().equity ?? .nan)
    }

    /// Folds in the trade at `index` of `block` (its instrument `raw`, received at `time`),
    /// which the caller has read: the same as `take(block, at: index)`.
    @inline(__always)
    public mutating func take(trade: Trade, instrument raw: Int, at time: Int64, _ block: DecodedBlock, index: Int) {
        projections.apply(trade: trade, instrument: raw, at: time, block, index: index)
        guard hasLedger else { return }
        risk.observe(tradeOf: raw, price: trade.price.units, at: time, equity: projections.ledger?.margin().equity ?? .nan)
    }

    /// Whether the source event at `index` is one a run reads: market and alternative data.
    /// A source's own decisions, orders, fills and run events (a live session's account) are
    /// not the run's, and are skipped.
    @inline(__always)
    public static func isMarketEvent(_ block: DecodedBlock, at index: Int) -> Bool {
        block.types[index].rawValue < EventType.signal.rawValue
    }

    /// The event types whose payloads the fold reads from the source.
    public var decodedTypes: Set<EventType> {
        projections.decodedTypes.union([.trade, .markPrice])
    }
}
