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

/// A counting semaphore (a POSIX mutex and condition): `wait` takes one unit, blocking while
/// there is none; `signal` gives one back. For handing work between a thread of one's own and
/// its caller, without Dispatch.
public final class Semaphore: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Guarded by `mutex`.
    private var value: Int

    public init(value: Int = 0) {
        self.value = value
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Takes one unit, waiting until there is one.
    public func wait() {
        pthread_mutex_lock(mutex)
        while value == 0 { pthread_cond_wait(condition, mutex) }
        value -= 1
        pthread_mutex_unlock(mutex)
    }

    /// Gives one unit back, waking a waiter.
    public func signal() {
        pthread_mutex_lock(mutex)
        value += 1
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }
}
