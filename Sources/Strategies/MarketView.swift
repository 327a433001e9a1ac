public import Events
import Projections
public import TapeCore

/// A read of the source past the event being run: what the look-ahead guard refuses.
public struct LookAheadError: Error, CustomStringConvertible, Sendable {
    /// The strategy that read (its index in the run's strategies), when known.
    public var strategy: UInt32?
    /// The source event being run.
    public let now: UInt64
    /// The source event it asked for.
    public let read: UInt64

    public var description: String {
        let who = strategy.map { "strategy \($0)" } ?? "a strategy"
        return "look-ahead: \(who), reacting to source event \(now), read source event \(read), which comes after it"
    }
}

/// What a strategy sees of the source when it reacts (specs/strategies.md): the event being
/// run, and the events before it in its block. It is lent for the call only — it cannot be
/// copied or kept — and it guards its reads: asking for an event after the current one throws
/// `LookAheadError` instead of returning it, although that event is decoded in the same block.
/// A run, a training slice and a test slice all end at their last event, so no read reaches
/// past the slice either.
public struct MarketView: ~Copyable {
    /// The current event's type.
    public let type: EventType
    /// The current event's instrument.
    public let instrument: InstrumentID
    /// The current event's sequence number.
    public let sequence: UInt64
    /// The current event's receive time, nanoseconds since the epoch.
    public let receiveTime: Int64
    @usableFromInline let currentTrade: Trade?
    @usableFromInline let block: UnsafePointer<DecodedBlock>
    @usableFromInline let index: Int

    /// The view of event `index` of the block at `address` (the engine keeps each block there
    /// while it runs it), with the fields of the event the engine has read: its trade is
    /// given when it is a trade the run decodes.
    @inlinable
    package init(
        type: EventType, instrument: InstrumentID, sequence: UInt64, receiveTime: Int64, trade: Trade?, address: UnsafePointer<DecodedBlock>, at index: Int
    ) {
        self.type = type
        self.instrument = instrument
        self.sequence = sequence
        self.receiveTime = receiveTime
        currentTrade = trade
        block = address
        self.index = index
    }

    /// The current event's trade; its type must be `.trade`.
    public var trade: Trade {
        guard let currentTrade else { preconditionFailure("event \(sequence) is not a trade the run decodes") }
        return currentTrade
    }

    /// The current event's funding rate; its type must be `.fundingRate`.
    public var fundingRate: FundingRate {
        precondition(type == .fundingRate, "event \(sequence) is not a funding rate")
        return block.pointee.payloads.fundingRates[Int(block.pointee.slots[index])]
    }

    /// The source event `sequence` — the current one or one before it in the current block —
    /// nil when it is not in the block or the run does not decode its type. Asking for an
    /// event after the current one is a look-ahead: it throws.
    public func event(sequence: UInt64) throws(LookAheadError) -> Event? {
        guard sequence <= self.sequence else { throw LookAheadError(now: self.sequence, read: sequence) }
        let first = block.pointee.firstSequence
        guard sequence >= first else { return nil }
        let at = Int(sequence - first)
        return block.pointee.isIncluded(at) ? block.pointee.event(at: at) : nil
    }
}
