#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

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
        var handles: [pthread_t] = []
        for _ in 1..<threads {
            var handle = pthread_t()
            let context = Unmanaged.passRetained(Task(shared.work)).toOpaque()
            let created = pthread_create(&handle, nil, { context in
                Unmanaged<Task>.fromOpaque(context!).takeRetainedValue().body()
                return nil
            }, context)
            precondition(created == 0, "pthread_create failed (\(created))")
            handles.append(handle)
        }
        shared.work()
        for handle in handles { pthread_join(handle, nil) }
        var values: [T] = []
        for result in shared.results.withLock({ $0 }) {
            guard let result else { continue }
            values.append(try result.get())
        }
        return values
    }

    /// What a thread runs (not generic: a C thread entry cannot carry a generic context).
    final class Task: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
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

/// A value handed to another thread whose safety the caller vouches for.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
