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
/// `failed` or ends, and read after the loop sees one or the other.
final class RunWriter: @unchecked Sendable {
    private enum Message {
        case events([Event])
        case end
        case abort
    }

    private struct Aborted: Error {}

    private final class Slot {
        var message = Message.end
    }

    private let slots = (0..<8).map { _ in Slot() }
    /// The next slot the loop fills, and the next the writer reads (each touched by one thread).
    private var posted = 0
    private var received = 0
    /// Slots filled, and slots free: the loop waits when the writer is this far behind.
    private let queued = Semaphore()
    private let room = Semaphore(value: 8)
    private var outcome: Result<Hash256, any Error>?
    private let failed = Atomic<Bool>(false)
    private var thread: WorkerThread?

    /// Starts the writer of `journal`: `prepare` runs first in its transaction (instruments,
    /// attachments), then the events handed over are appended in order.
    init(journal: Journal, prepare: @escaping @Sendable (inout JournalAppender) throws -> Void) {
        let target = UncheckedSendable(journal)
        thread = WorkerThread.start { [self] in write(target.value, prepare: prepare) }
    }

    /// Hands over a batch of the run's events; throws the writer's failure, if it failed.
    func send(_ events: [Event]) throws {
        try rethrowFailure()
        guard !events.isEmpty else { return }
        post(.events(events))
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

    private func post(_ message: Message) {
        room.wait()
        slots[posted].message = message
        posted = (posted + 1) % slots.count
        queued.signal()
    }

    private func receive() -> Message {
        queued.wait()
        let message = slots[received].message
        slots[received].message = .end
        received = (received + 1) % slots.count
        room.signal()
        return message
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
                    switch receive() {
                    case .events(let events):
                        for event in events {
                            try appender.append(event)
                            hasher.add(event)
                        }
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
            switch receive() {
            case .events: continue
            case .end, .abort: return
            }
        }
    }
}
