#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import TapeCore

/// Runs independent jobs on worker threads. Results come back in job order, whatever order
/// they finish in, so what a study writes does not depend on the number of workers; the
/// first failure in job order is the one thrown.
enum Workers {
    /// The number of workers to use by default: one per online core.
    static var available: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// `job(0) … job(count − 1)` on `workers` threads (the calling one among them).
    static func map<T: Sendable>(_ count: Int, workers: Int, _ job: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let threads = max(1, min(workers, count))
        guard threads > 1 else { return try (0..<count).map(job) }
        let shared = Shared<T>(count: count, job: job)
        let helpers = (1..<threads).map { _ in WorkerThread.start(shared.work) }
        shared.work()
        for helper in helpers { helper.join() }
        var values: [T] = []
        for result in shared.results.withLock({ $0 }) {
            guard let result else { continue }
            values.append(try result.get())
        }
        return values
    }

    final class Shared<T: Sendable>: Sendable {
        let count: Int
        let job: @Sendable (Int) throws -> T
        let next = Atomic<Int>(0)
        let results: Mutex<[Result<T, any Error>?]>

        init(count: Int, job: @escaping @Sendable (Int) throws -> T) {
            self.count = count
            self.job = job
            results = Mutex(Array(repeating: nil, count: count))
        }

        @Sendable func work() {
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                let result = Result { try job(index) }
                results.withLock { $0[index] = result }
                // After a failure, start no new job: the study stops at it.
                if case .failure = result { next.store(count, ordering: .relaxed) }
            }
        }
    }
}
