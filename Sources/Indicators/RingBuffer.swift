public import TapeCore

/// The last `capacity` values of a series, oldest first; fixed storage allocated once.
public struct RingBuffer: StateCodable, Sendable, Equatable {
    public private(set) var storage: [Double]
    /// Where the next value goes.
    private var next = 0
    /// How many values are held (at most `capacity`).
    public private(set) var count = 0

    public init(capacity: Int) {
        precondition(capacity >= 1, "a ring buffer holds at least one value")
        storage = [Double](repeating: 0, count: capacity)
    }

    public var capacity: Int { storage.count }
    public var isFull: Bool { count == storage.count }

    /// Appends `value`; when full, returns the value it pushes out.
    @discardableResult
    public mutating func push(_ value: Double) -> Double? {
        let evicted: Double? = count == storage.count ? storage[next] : nil
        storage[next] = value
        next = next + 1 == storage.count ? 0 : next + 1
        if count < storage.count { count += 1 }
        return evicted
    }

    /// The value `age` steps back: 0 is the newest.
    public subscript(back age: Int) -> Double {
        precondition(age >= 0 && age < count, "no value that old")
        let index = next - 1 - age
        return storage[index >= 0 ? index : index + storage.count]
    }

    /// The values held, oldest first (copied a run at a time).
    public var values: [Double] {
        let start = next - count
        var values: [Double] = []
        values.reserveCapacity(count)
        if start < 0 { values.append(contentsOf: storage[(start + storage.count)...]) }
        values.append(contentsOf: storage[max(start, 0)..<next])
        return values
    }

    /// The oldest value held.
    public var oldest: Double { self[back: count - 1] }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        let capacity = storage.count
        try coder.code(&storage)
        try coder.code(&next)
        try coder.code(&count)
        guard storage.count == capacity, next >= 0, next < capacity, count >= 0, count <= capacity else {
            throw .invalidValue(field: "ring buffer", offset: 0)
        }
    }
}
