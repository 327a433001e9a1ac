import Foundation
import Synchronization

/// Runs independent jobs on worker threads. Results come back in job order, whatever order
/// they finish in, so what a study writes does not depend on the number of workers; the
/// first failure in job order is the one thrown.
enum Workers {
    /// The number of workers to use by default: one per active core.
    static var available: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// `job(0) … job(count − 1)` on `workers` threads (the calling one among them).
    static func map<T: Sendable>(_ count: Int, workers: Int, _ job: @Sendable (Int) throws -> T) throws -> [T] {
        let threads = max(1, min(workers, count))
        guard threads > 1 else { return try (0..<count).map(job) }
        let next = Atomic<Int>(0)
        let results = Mutex<[Result<T, any Error>?]>(Array(repeating: nil, count: count))
        func work() {
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                let result = Result { try job(index) }
                results.withLock { $0[index] = result }
                // After a failure, start no new job: the study stops at it.
                if case .failure = result { next.store(count, ordering: .relaxed) }
            }
        }
        withoutActuallyEscaping(work) { work in
            let group = DispatchGroup()
            let box = UncheckedSendable(work)
            for _ in 1..<threads {
                DispatchQueue.global().async(group: group) { box.value() }
            }
            work()
            group.wait()
        }
        var values: [T] = []
        for result in results.withLock({ $0 }) {
            guard let result else { continue }
            values.append(try result.get())
        }
        return values
    }
}

/// A value handed to another thread whose safety the caller vouches for.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
