public import Events

/// Reads a journal's events one at a time, a block at a time, for walking two journals side
/// by side (a merge, a run beside its source). Valid only inside the `Journal.read` that made
/// its snapshot.
public struct JournalCursor {
    public let snapshot: JournalSnapshot
    private let filter: EventFilter
    private var reader = BlockReader()
    /// The sequence of the current event (past the last: exhausted).
    public private(set) var sequence: UInt64
    /// The current event's index in `block`.
    public private(set) var index = 0

    /// A cursor on the first event of `snapshot` (or `first`), decoding what `filter` passes.
    public init(_ snapshot: JournalSnapshot, from first: UInt64 = 1, filter: EventFilter = .all) throws {
        self.snapshot = snapshot
        self.filter = filter
        sequence = max(first, 1)
        try load()
    }

    /// Whether every event has been read.
    public var isExhausted: Bool { sequence > snapshot.head.lastSequence }

    /// The block holding the current event (lent, not copied: a copy retains each of its
    /// arrays, at every event of a walk).
    public var block: DecodedBlock {
        _read { yield reader.block }
    }

    /// The receive time of the current event, nil when exhausted.
    public var receiveTime: Int64? { isExhausted ? nil : reader.block.receiveTimes[index] }

    /// The current event, which must exist and pass the filter.
    public var event: Event { reader.block.event(at: index) }

    /// Moves to the next event.
    public mutating func advance() throws {
        sequence += 1
        index += 1
        if index == reader.block.count { try load() }
    }

    private mutating func load() throws {
        guard !isExhausted else { return }
        guard try snapshot.loadBlock(containing: sequence, filter: filter, using: &reader) else {
            throw JournalError.corrupt(path: snapshot.journalPath, firstSequence: sequence, lastSequence: sequence, reason: "no block holds this sequence")
        }
        index = Int(sequence - reader.block.firstSequence)
    }
}
