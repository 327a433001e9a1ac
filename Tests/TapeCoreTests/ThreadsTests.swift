import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TapeCore

@Suite("Threads")
struct ThreadsTests {
    @Test("units signalled in batches reach the semaphore when a batch is complete, or when flushed")
    func batches() {
        let semaphore = Semaphore()
        var batched = BatchedSignal(semaphore, batch: 3)
        batched.signal()
        batched.signal()
        #expect(!semaphore.tryWait())
        batched.signal()
        #expect(semaphore.tryWait() && semaphore.tryWait() && semaphore.tryWait())
        #expect(!semaphore.tryWait())
        batched.signal()
        batched.flush()
        #expect(semaphore.tryWait() && !semaphore.tryWait())
    }

    /// The other thread takes one of the held units before it signals what the waiter waits
    /// for: without the flush, both would wait for ever. (Then, after a minute, the test gives
    /// the unit itself, so that it fails rather than hangs; the minute leaves room for a slow
    /// machine running other tests beside it, under ThreadSanitizer.)
    @Test("waiting for another semaphore gives the held units back first")
    func flushesBeforeWaiting() {
        let units = Semaphore()
        let answer = Semaphore()
        let answered = Atomic<Bool>(false)
        let other = WorkerThread.start {
            units.wait()
            answer.signal()
        }
        let waiter = WorkerThread.start {
            var batched = BatchedSignal(units, batch: 4)
            batched.signal()
            batched.wait(for: answer)
            answered.store(true, ordering: .releasing)
        }
        var waited = 0
        while !answered.load(ordering: .acquiring) && waited < 60_000 {
            usleep(1_000)
            waited += 1
        }
        let flushed = answered.load(ordering: .acquiring)
        if !flushed { units.signal() }
        other.join()
        waiter.join()
        #expect(flushed, "the waiter kept its unit while it waited")
        #expect(!units.tryWait())
    }

    @Test("slots handed over through a ring, freed in batches, arrive in order and none is lost", .timeLimit(.minutes(5)))
    func handOver() {
        let depth = 4
        let count = 2_000
        let free = Semaphore(value: depth)
        let filled = Semaphore()
        let ring = Mutex([Int](repeating: -1, count: depth))
        let producer = WorkerThread.start {
            for item in 0..<count {
                free.wait()
                ring.withLock { $0[item % depth] = item }
                filled.signal()
            }
        }
        var freed = BatchedSignal(free, batch: 3)
        var received: [Int] = []
        for item in 0..<count {
            freed.wait(for: filled)
            received.append(ring.withLock { $0[item % depth] })
            freed.signal()
        }
        freed.flush()
        producer.join()
        #expect(received == Array(0..<count))
        // Every slot is free again.
        #expect((0..<depth).allSatisfy { _ in free.tryWait() } && !free.tryWait())
    }
}
