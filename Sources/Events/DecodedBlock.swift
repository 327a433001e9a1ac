public import TapeCore

/// The events of one block, decoded into flat per-event arrays and typed payload arrays.
///
/// Reading an event's type, times or payload is an array load; nothing is boxed or
/// allocated per event (except for the few payload types that hold strings or lists).
/// Reuse one `DecodedBlock` for every block: decoding keeps its buffers.
public struct DecodedBlock: Sendable {
    /// The sequence number of the block's first event; set by whoever read the block.
    public var firstSequence: UInt64 = 0
    /// The number of events in the block, filtered out ones included.
    public internal(set) var count = 0
    /// Each event's type.
    public internal(set) var types: [EventType] = []
    /// Each event's instrument.
    public internal(set) var instruments: [InstrumentID] = []
    /// Each event's event time in nanoseconds (0 for events filtered out).
    public internal(set) var eventTimes: [Int64] = []
    /// Each event's receive time in nanoseconds.
    public internal(set) var receiveTimes: [Int64] = []
    /// Each event's index in its type's payload array; -1 when filtered out.
    public internal(set) var slots: [Int32] = []
    /// The payloads, by type.
    public internal(set) var payloads = PayloadStore()

    /// Creates an empty block.
    public init() {}

    mutating func reset(count: Int) {
        self.count = count
        types.removeAll(keepingCapacity: true)
        instruments.removeAll(keepingCapacity: true)
        // Event times that are the receive times' own storage (`BlockDecoder` shares them when
        // they are the same) are let go: emptied in place, they would be copied first.
        if eventTimes.withUnsafeBufferPointer({ $0.baseAddress }) == receiveTimes.withUnsafeBufferPointer({ $0.baseAddress }) {
            eventTimes = []
        } else {
            eventTimes.removeAll(keepingCapacity: true)
        }
        slots.removeAll(keepingCapacity: true)
        payloads.removeAll()
    }

    /// Makes this the block of `events`, the first at sequence `firstSequence`, as a decoder
    /// would have made it (every event included): for events a run makes in memory, which its
    /// projections read before they are stored. (A slice, not any collection: the generic
    /// version was not specialized across modules.)
    /// - Complexity: O(events).
    public mutating func set(_ events: ArraySlice<Event>, firstSequence: UInt64) {
        reset(count: 0)
        self.firstSequence = firstSequence
        receiveTimes.removeAll(keepingCapacity: true)
        append(events)
    }

    /// Adds `events` after the block's events, as `set` makes them (each at the next
    /// sequence), and returns their indices: a run adds each step's events to the block of
    /// those it made before in the same source block, rather than emptying its dozens of
    /// arrays at every step.
    /// - Complexity: O(events).
    @discardableResult
    public mutating func append(_ events: ArraySlice<Event>) -> Range<Int> {
        let start = count
        for event in events {
            types.append(event.type)
            instruments.append(event.instrument)
            eventTimes.append(event.eventTime.nanosSinceEpoch)
            receiveTimes.append(event.receiveTime.nanosSinceEpoch)
            slots.append(Int32(payloads.append(event.body)))
        }
        count += events.count
        return start..<count
    }

    /// The sequence number of the event at `index`.
    @inlinable public func sequence(at index: Int) -> UInt64 { firstSequence + UInt64(index) }

    /// Whether the event at `index` passed the decoding filter.
    @inlinable public func isIncluded(_ index: Int) -> Bool { slots[index] >= 0 }

    /// The event at `index`, which must be included.
    public func event(at index: Int) -> Event {
        precondition(isIncluded(index), "event \(index) was filtered out")
        return Event(
            eventTime: Timestamp(nanosSinceEpoch: eventTimes[index]),
            receiveTime: Timestamp(nanosSinceEpoch: receiveTimes[index]),
            instrument: instruments[index],
            body: payloads.body(types[index], at: Int(slots[index]))
        )
    }

    /// The trade at `index`; its type must be `.trade`.
    @inlinable @inline(__always) public func trade(at index: Int) -> Trade {
        payloads.trades[slot(index, of: .trade)]
    }

    /// The quote at `index`; its type must be `.quote`.
    @inlinable @inline(__always) public func quote(at index: Int) -> Quote {
        payloads.quotes[slot(index, of: .quote)]
    }

    /// Calls `body` with the book delta at `index` (its type must be `.bookDelta`) lent as a
    /// view: its level lists point into the block's storage, with no copy and no reference
    /// counted, and are valid only inside `body`.
    @inlinable @inline(__always) public func withBookDelta<Result>(at index: Int, _ body: (BookDeltaView) -> Result) -> Result {
        payloads.withBookDelta(at: slot(index, of: .bookDelta), body)
    }

    /// The book snapshot level at `index`; its type must be `.bookSnapshot`.
    @inlinable @inline(__always) public func bookSnapshot(at index: Int) -> BookSnapshot {
        payloads.bookSnapshots[slot(index, of: .bookSnapshot)]
    }

    /// The payload slot of event `index`, which must be an included event of `type`. (The
    /// failure is kept out of line, so that the accessors inline into every per-event loop:
    /// a trade is read five times an event in a backtest.)
    @inlinable @inline(__always) func slot(_ index: Int, of type: EventType) -> Int {
        let slot = slots[index]
        if _slowPath(types[index] != type || slot < 0) { Self.notIncluded(index, type) }
        return Int(slot)
    }

    @usableFromInline @inline(never) static func notIncluded(_ index: Int, _ type: EventType) -> Never {
        preconditionFailure("event \(index) is not an included \(type.label)")
    }
}

/// Which events a decoder materialises; the others are skipped without decoding their columns.
public struct EventFilter: Sendable, Equatable {
    private var typeBits: (UInt64, UInt64)
    private var instrumentSet: Set<InstrumentID>?

    /// Every event.
    public static let all = EventFilter(types: nil, instruments: nil)

    /// Events of the given types (all when nil) for the given instruments (all when nil).
    public init(types: Set<EventType>?, instruments: Set<InstrumentID>?) {
        if let types {
            typeBits = (0, 0)
            for type in types {
                if type.rawValue < 64 { typeBits.0 |= 1 << UInt64(type.rawValue) } else { typeBits.1 |= 1 << UInt64(type.rawValue - 64) }
            }
        } else {
            typeBits = (.max, .max)
        }
        instrumentSet = instruments
    }

    /// Whether events of `type` for `instrument` pass.
    public func includes(_ type: EventType, _ instrument: InstrumentID) -> Bool {
        let bit = type.rawValue < 64 ? typeBits.0 >> UInt64(type.rawValue) : typeBits.1 >> UInt64(type.rawValue - 64)
        guard bit & 1 == 1 else { return false }
        return instrumentSet?.contains(instrument) ?? true
    }

    public static func == (lhs: EventFilter, rhs: EventFilter) -> Bool {
        lhs.typeBits == rhs.typeBits && lhs.instrumentSet == rhs.instrumentSet
    }
}
