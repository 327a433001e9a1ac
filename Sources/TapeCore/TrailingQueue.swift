/// A first-in first-out queue for trailing windows (trades of the last hour, say): values
/// are appended at the back and dropped from the front as they age out.
///
/// One array with a moving start: dropping from the front moves an index and touches no
/// storage, and the dropped part is cut away only once it is at least half the array (and
/// 1 024 elements or more), so each operation costs amortised O(1) with at most one
/// uniqueness check. (`Deque`'s ring pays several checks and calls per operation, at every
/// trade of a backtest.)
public struct TrailingQueue<Element>: RandomAccessCollection, MutableCollection {
    @usableFromInline var storage: [Element] = []
    @usableFromInline var start = 0

    public init() {}

    public init(repeating element: Element, count: Int) {
        storage = Array(repeating: element, count: count)
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { storage.count - start }

    @inlinable public subscript(position: Int) -> Element {
        get { storage[start + position] }
        set { storage[start + position] = newValue }
    }

    /// Appends `element` at the back.
    @inlinable public mutating func append(_ element: Element) {
        if start >= 1_024 && start * 2 >= storage.count {
            storage.removeFirst(start)
            start = 0
        }
        storage.append(element)
    }

    /// Drops the front element (the queue must not be empty).
    @inlinable public mutating func removeFirst() {
        precondition(start < storage.count, "removeFirst on an empty queue")
        start += 1
    }
}

extension TrailingQueue: Sendable where Element: Sendable {}
