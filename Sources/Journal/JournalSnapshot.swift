public import TapeCore
public import Events
import Synchronization

/// A consistent view of a journal, valid only inside `Journal.read`.
public struct JournalSnapshot {
    let journal: Journal
    let transaction: LMDBTransaction
    /// The head at the snapshot.
    public let head: JournalHead
    /// The instrument table at the snapshot.
    public let instruments: InstrumentTable

    /// The journal's directory, for messages.
    public var journalPath: String { journal.path }

    init(journal: Journal, transaction: LMDBTransaction) throws(JournalError) {
        self.journal = journal
        self.transaction = transaction
        head = try Journal.readHead(transaction, journal.meta, journal.path)
        instruments = try Journal.readInstruments(transaction, journal.meta, journal.path)
    }

    /// The imports recorded so far, oldest first.
    public func importHistory() throws(JournalError) -> [ImportRecord] {
        try journal.importHistory(transaction)
    }

    /// The bytes attached under `name`, nil when there are none.
    public func attachment(_ name: String) throws(JournalError) -> [UInt8]? {
        try transaction.get(journal.meta, key: Array((Journal.MetaKey.attachmentPrefix + name).utf8))
    }

    /// Decodes, in order, every block holding events in `first…last`, and calls `body` with
    /// each; `body` returns false to stop. The block holds whole blocks: restrict to the range
    /// with `DecodedBlock.indices(from:through:)`.
    /// - Complexity: O(log b) to find the first block, then O(events read).
    public func scan(
        from first: UInt64 = 1, through last: UInt64 = .max, filter: EventFilter = .all,
        using reader: inout BlockReader, _ body: (DecodedBlock) throws -> Bool
    ) throws {
        let path = journal.path
        try forEachBlock(from: first, through: last) { (frame, key) throws(JournalError) in
            try reader.load(frame: frame, key: key, filter: filter, journalPath: path)
        } deliver: {
            try body(reader.block)
        }
    }

    /// As `scan`, with the blocks decoded on a thread of their own, up to two ahead of the
    /// one `body` is reading: decompression and decoding overlap the caller's work on a
    /// second core. `body` must not use this snapshot (its transaction is the reading
    /// thread's until the scan returns). Errors and the blocks reach `body` in the same order
    /// as from `scan`.
    public func scanAhead(
        from first: UInt64 = 1, through last: UInt64 = .max, filter: EventFilter = .all, _ body: (DecodedBlock) throws -> Bool
    ) throws {
        let pipeline = ReadAhead(depth: 3)
        let shared = UncheckedSendable(self)
        let reading = WorkerThread.start { pipeline.produce(shared.value, from: first, through: last, filter: filter) }
        defer {
            pipeline.stop()
            reading.join()
        }
        try pipeline.consume(body)
    }

    /// `scanAhead` when `readAhead`, else `scan` on this thread alone.
    public func scan(from first: UInt64, through last: UInt64, filter: EventFilter, readAhead: Bool, _ body: (DecodedBlock) throws -> Bool) throws {
        if readAhead {
            try scanAhead(from: first, through: last, filter: filter, body)
        } else {
            var reader = BlockReader()
            try scan(from: first, through: last, filter: filter, using: &reader, body)
        }
    }

    /// Each stored block holding events in `first…last`, in order: `load` takes its frame and
    /// key (a failure is reported naming the whole block), then `deliver` returns false to stop.
    fileprivate func forEachBlock(
        from first: UInt64, through last: UInt64, load: (UnsafeRawBufferPointer, UInt64) throws(JournalError) -> Void, deliver: () throws -> Bool
    ) throws {
        guard head.eventCount > 0, first <= last, first <= head.lastSequence else { return }
        let start = max(first, 1)
        let head = head
        var failure: (any Error)?
        var resident = ResidentBudget()
        try transaction.withCursor(journal.blocks) { (cursor: inout LMDBCursor) throws(JournalError) in
            var entry = try Self.blockEntry(containing: start, cursor: &cursor)
            while let current = entry {
                let key = Journal.readBigEndian(current.key)
                if key > last { break }
                resident.read(current.value)
                do throws(JournalError) {
                    try load(current.value, key)
                } catch {
                    throw Self.corruption(error, key: key, cursor: &cursor, head: head)
                }
                do {
                    if try !deliver() { return }
                } catch {
                    failure = error
                    return
                }
                entry = try cursor.next()
            }
        }
        if let failure { throw failure }
    }

    /// Decodes the block holding `sequence` into `reader` (its `block`); false when the
    /// journal has no such sequence. For readers that pull blocks one at a time, such as a
    /// merge of several journals.
    /// - Complexity: O(log b) to find the block, then O(events in it).
    public func loadBlock(containing sequence: UInt64, filter: EventFilter = .all, using reader: inout BlockReader) throws(JournalError) -> Bool {
        guard sequence >= 1, sequence <= head.lastSequence else { return false }
        let path = journal.path
        let head = head
        return try transaction.withCursor(journal.blocks) { (cursor: inout LMDBCursor) throws(JournalError) -> Bool in
            guard let entry = try Self.blockEntry(containing: sequence, cursor: &cursor) else { return false }
            let key = Journal.readBigEndian(entry.key)
            do throws(JournalError) {
                try reader.load(frame: entry.value, key: key, filter: filter, journalPath: path)
            } catch {
                throw Self.corruption(error, key: key, cursor: &cursor, head: head)
            }
            return true
        }
    }

    /// The sequence of the first event received at or after `time`, or nil when every event
    /// is earlier. Reads one index entry and one block's timeline; no scan.
    /// - Complexity: O(log b) index lookup plus O(events in one block).
    public func sequence(atOrAfter time: Timestamp, using reader: inout BlockReader) throws(JournalError) -> UInt64? {
        let key = Journal.timeKey(lastReceiveTime: time.nanosSinceEpoch, firstSequence: 0)
        let path = journal.path
        let blocks = journal.blocks
        let found: (UInt64, UInt64)? = try transaction.withCursor(journal.times) { (cursor: inout LMDBCursor) throws(JournalError) -> (UInt64, UInt64)? in
            let result: Result<LMDBCursor.Entry?, JournalError> = key.withUnsafeBytes { raw in
                do throws(JournalError) { return .success(try cursor.seek(atOrAfter: raw)) } catch { return .failure(error) }
            }
            guard let entry = try result.get(), entry.key.count == 16 else { return nil }
            return (Journal.readBigEndian(entry.key, at: 8), 0)
        }
        guard let (blockSequence, _) = found else { return nil }
        let index = try transaction.withValue(blocks, key: Journal.blockKey(blockSequence)) { (value: UnsafeRawBufferPointer?) throws(JournalError) -> Int in
            guard let value else {
                throw .corrupt(path: path, firstSequence: blockSequence, lastSequence: blockSequence, reason: "time index names a missing block")
            }
            return try reader.firstIndex(atOrAfter: time, frame: value, key: blockSequence, journalPath: path)
        }
        // The index names the first block whose last event is at or after `time`, so the
        // answer is in it.
        return blockSequence + UInt64(index)
    }

    /// Calls `body` with every event in `first…last` that passes `filter`, in order, with its
    /// sequence; `body` returns false to stop.
    public func forEachEvent(
        from first: UInt64 = 1, through last: UInt64 = .max, filter: EventFilter = .all,
        _ body: (UInt64, Event) throws -> Bool
    ) throws {
        var reader = BlockReader()
        try scan(from: first, through: last, filter: filter, using: &reader) { block in
            for index in block.indices(from: first, through: last) where block.isIncluded(index) {
                if try !body(block.sequence(at: index), block.event(at: index)) { return false }
            }
            return true
        }
    }

    /// Positions `cursor` on the block holding `sequence`.
    static func blockEntry(containing sequence: UInt64, cursor: inout LMDBCursor) throws(JournalError) -> LMDBCursor.Entry? {
        let key = Journal.blockKey(sequence)
        let result: Result<LMDBCursor.Entry?, JournalError> = key.withUnsafeBytes { raw in
            do throws(JournalError) { return .success(try cursor.seek(atOrAfter: raw)) } catch { return .failure(error) }
        }
        if let entry = try result.get(), Journal.readBigEndian(entry.key) == sequence { return entry }
        // The block holding `sequence` starts before it: the previous entry (or the last one).
        if try result.get() == nil { return try cursor.last() }
        return try cursor.previous()
    }

    /// Names the whole damaged block: from its key to the key before the next block.
    static func corruption(_ error: JournalError, key: UInt64, cursor: inout LMDBCursor, head: JournalHead) -> JournalError {
        guard case .corrupt(let path, _, _, let reason) = error else { return error }
        var last = head.lastSequence
        if let next = try? cursor.next(), next.key.count == 8 {  // a second failure changes nothing: the range stays conservative
            last = Journal.readBigEndian(next.key) - 1
        }
        return .corrupt(path: path, firstSequence: key, lastSequence: max(key, last), reason: reason)
    }
}

extension DecodedBlock {
    /// The indices of this block's events whose sequences lie in `first…last`.
    public func indices(from first: UInt64, through last: UInt64) -> Range<Int> {
        let lower = first > firstSequence ? Int(min(first - firstSequence, UInt64(count))) : 0
        let upper = last >= firstSequence ? Int(min(last - firstSequence + 1, UInt64(count))) : 0
        return lower..<max(lower, upper)
    }
}

/// The hand-over between `scanAhead`'s reading thread and its caller: a ring of block readers,
/// each the reader's to fill while free and the caller's to read once filled. Two semaphores
/// order every access to a slot, so its contents are never touched by both threads at once.
private final class ReadAhead: @unchecked Sendable {
    enum State {
        case block
        case end
        case failed(any Error)
    }

    final class Slot {
        var reader = BlockReader()
        var state = State.end
    }

    private let slots: [Slot]
    private let free: Semaphore
    private let filled = Semaphore()
    private let stopped = Atomic<Bool>(false)

    init(depth: Int) {
        slots = (0..<depth).map { _ in Slot() }
        free = Semaphore(value: depth)
    }

    /// The reading thread: fills slots in turn until the range ends, an error, or `stop`.
    func produce(_ snapshot: JournalSnapshot, from first: UInt64, through last: UInt64, filter: EventFilter) {
        var index = 0
        free.wait()
        let path = snapshot.journalPath
        do {
            try snapshot.forEachBlock(from: first, through: last) { (frame, key) throws(JournalError) in
                try slots[index].reader.load(frame: frame, key: key, filter: filter, journalPath: path)
            } deliver: {
                slots[index].state = .block
                filled.signal()
                index = (index + 1) % slots.count
                free.wait()
                return !stopped.load(ordering: .relaxed)
            }
            slots[index].state = .end
        } catch {
            slots[index].state = .failed(error)
        }
        filled.signal()
    }

    /// The caller's side: hands each filled block to `body`, in order.
    func consume(_ body: (DecodedBlock) throws -> Bool) throws {
        var index = 0
        while true {
            filled.wait()
            switch slots[index].state {
            case .end: return
            case .failed(let error): throw error
            case .block:
                let more = try body(slots[index].reader.block)
                free.signal()
                if !more { return }
            }
            index = (index + 1) % slots.count
        }
    }

    /// Tells the reading thread to stop at its next block, and wakes it if it waits for a slot.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        free.signal()
    }
}
