import Events
import Journal
import Synchronization
import TapeCore

/// Writes a run journal on a thread of its own: the run loop hands it its events in batches
/// (one per source block), and it appends them and takes the run hash while the loop goes on.
/// Encoding, compression and hashing leave the loop's core; the events, their order and the
/// journal are the same as written in line.
///
/// The whole write transaction lives on the writer's thread, as LMDB requires. It commits
/// when `finish` is called, and rolls back when the run fails (`abort`) or the writer does:
/// then nothing of the run is kept. A writer's failure reaches the loop at its next hand-over.
///
/// The loop and the writer share a ring of eight message slots, each the loop's to fill while
/// free and the writer's to read once filled; two counting semaphores order every access to a
/// slot, as in `JournalSnapshot.scanAhead`. The writer's outcome is set before it raises
/// `failed` or ends, and read after the loop sees one or the other. The loop tells the writer
/// of its batches four at a time (and at once before it waits for room, and at the end), so
/// the writer wakes once for four source blocks rather than for each.
///
/// A slot is free again only when the writer is done with its batch, and the loop takes the
/// batch back when it fills the slot next: the events (and the lists some hold) are freed on
/// the loop's thread, where they were made, and the batch's storage serves again. Freed on the
/// writer's thread, each took the allocator's lock of the loop's thread, which the loop was
/// using: the two threads waited on each other.
final class RunWriter: @unchecked Sendable {
    private enum Message {
        case events
        case end
        case abort
    }

    private struct Aborted: Error {}

    private final class Slot {
        var message = Message.end
        var events: [Event] = []
    }

    private let slots = (0..<8).map { _ in Slot() }
    /// The next slot the loop fills, and the next the writer reads (each touched by one thread).
    private var posted = 0
    private var received = 0
    /// Slots filled, and slots free: the loop waits when the writer is this far behind.
    private let queued = Semaphore()
    private let room = Semaphore(value: 8)
    /// The loop's posts, told to the writer four at a time.
    private var posts: BatchedSignal
    private var outcome: Result<Hash256, any Error>?
    private let failed = Atomic<Bool>(false)
    private var thread: WorkerThread?

    /// Starts the writer of `journal`: `prepare` runs first in its transaction (instruments,
    /// attachments), then the events handed over are appended in order.
    init(journal: Journal, prepare: @escaping @Sendable (inout JournalAppender) throws -> Void) {
        posts = BatchedSignal(queued, batch: 4)
        let target = UncheckedSendable(journal)
        thread = WorkerThread.start { [self] in write(target.value, prepare: prepare) }
    }

    /// Hands over a batch of the run's events, and leaves in `events` an empty batch (with the
    /// storage of one the writer is done with); throws the writer's failure, if it failed.
    func send(_ events: inout [Event]) throws {
        try rethrowFailure()
        guard !events.isEmpty else { return }
        post(.events, events: &events)
        events.removeAll(keepingCapacity: true)
    }

    /// Ends the run: waits for every event to be appended and committed, and returns the run
    /// hash (SHA-256 over every event's codec frame, in order).
    func finish() throws -> Hash256 {
        post(.end)
        join()
        return try outcome!.get()
    }

    /// Abandons the run: the writer rolls its transaction back.
    func abort() {
        post(.abort)
        join()
    }

    /// Fills the next free slot with `message` and, for a batch, swaps `events` with the batch
    /// the slot held.
    private func post(_ message: Message, events: inout [Event]) {
        posts.wait(for: room)
        slots[posted].message = message
        swap(&slots[posted].events, &events)
        posted = (posted + 1) % slots.count
        posts.signal()
        if message != .events { posts.flush() }
    }

    private func post(_ message: Message) {
        var none: [Event] = []
        post(message, events: &none)
    }

    /// Waits for the next filled slot; the writer reads it, then calls `release`.
    private func receive() -> Slot {
        queued.wait()
        return slots[received]
    }

    /// Frees the slot `receive` returned, its batch read.
    private func release() {
        received = (received + 1) % slots.count
        room.signal()
    }

    private func join() {
        thread?.join()
        thread = nil
    }

    private func rethrowFailure() throws {
        guard failed.load(ordering: .acquiring), case .failure(let error)? = outcome else { return }
        throw error
    }

    /// The writer's thread.
    private func write(_ journal: Journal, prepare: (inout JournalAppender) throws -> Void) {
        var hasher = ContentHasher()
        let result = Result { () throws -> Hash256 in
            try journal.write { appender in
                try prepare(&appender)
                while true {
                    let slot = receive()
                    switch slot.message {
                    case .events:
                        // (Freed even when the batch fails: the slot is then the next one the
                        // loop fills, and the writer takes the loop's next message from the one after.)
                        defer { release() }
                        try Self.append(slot, to: &appender, hashing: &hasher)
                    case .end: return hasher.digest
                    case .abort: throw Aborted()
                    }
                }
            }
        }
        outcome = result
        guard case .failure(let error) = result else { return }
        failed.store(true, ordering: .releasing)
        // The loop may still hand over events before it sees the failure: take them until it
        // ends or abandons the run.
        if error is Aborted { return }
        while true {
            switch receive().message {
            case .events: release()
            case .end, .abort: return
            }
        }
    }

    /// Appends and hashes a slot's batch, reading it in place. (Its own function, so that
    /// nothing of the batch is held on the writer's thread once the slot is released.)
    @inline(never)
    private static func append(_ slot: Slot, to appender: inout JournalAppender, hashing hasher: inout ContentHasher) throws {
        for event in slot.events {
            try appender.append(event)
            hasher.add(event)
        }
    }
}
