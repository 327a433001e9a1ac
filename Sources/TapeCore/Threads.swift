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
/// there is none (`tryWait` does not block); `signal` gives units back. For handing work
/// between a thread of one's own and its caller, without Dispatch.
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

    /// Takes one unit if there is one, without waiting; false when there is none.
    public func tryWait() -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard value > 0 else { return false }
        value -= 1
        return true
    }

    /// Gives `count` units back, waking a waiter (every waiter, for more than one unit).
    public func signal(count: Int = 1) {
        pthread_mutex_lock(mutex)
        value += count
        if count > 1 { pthread_cond_broadcast(condition) } else { pthread_cond_signal(condition) }
        pthread_mutex_unlock(mutex)
    }
}

/// Units of a semaphore given back in batches: a thread that frees many small things for
/// another wakes it once a batch rather than once a thing. Before it waits for the other
/// thread (`wait(for:)`) it gives back the units it holds, so that the other is not left
/// waiting for them meanwhile (or for ever, if it needs them to answer).
public struct BatchedSignal {
    private let semaphore: Semaphore
    private let batch: Int
    private var held = 0

    public init(_ semaphore: Semaphore, batch: Int) {
        precondition(batch >= 1, "a batch holds at least one unit")
        self.semaphore = semaphore
        self.batch = batch
    }

    /// Gives one unit back, when it completes a batch with those held.
    public mutating func signal() {
        held += 1
        if held >= batch { flush() }
    }

    /// Gives back every unit held.
    public mutating func flush() {
        guard held > 0 else { return }
        semaphore.signal(count: held)
        held = 0
    }

    /// Takes a unit of `other`, giving back the units held first if it has to wait.
    public mutating func wait(for other: Semaphore) {
        if other.tryWait() { return }
        flush()
        other.wait()
    }
}
