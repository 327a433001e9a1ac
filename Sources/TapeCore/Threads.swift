#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread of its own running one closure: started with `start`, waited for with `join`.
/// (Plain POSIX threads: the work handed to them is CPU-bound loops, not tasks to schedule.)
public struct WorkerThread {
    private let handle: pthread_t

    /// Starts a thread running `body`.
    public static func start(_ body: @escaping @Sendable () -> Void) -> WorkerThread {
        var handle = pthread_t()
        let context = Unmanaged.passRetained(Entry(body)).toOpaque()
        let created = pthread_create(&handle, nil, { context in
            Unmanaged<Entry>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
        precondition(created == 0, "pthread_create failed (\(created))")
        return WorkerThread(handle: handle)
    }

    /// Waits until the thread's closure has returned.
    public func join() {
        pthread_join(handle, nil)
    }

    /// What the thread runs (not generic: a C thread entry cannot carry a generic context).
    private final class Entry: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}

/// A value handed to another thread whose safety the caller vouches for.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
