/// A growable buffer of `Int64` that hands out uninitialized room, so decoders write values
/// once instead of zero-filling first. Reused across blocks.
final class Int64Buffer {
    private(set) var base: UnsafeMutablePointer<Int64>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Extends the buffer by `extra` values and returns where they start; the caller must
    /// write them all before reading them.
    func extend(by extra: Int) -> UnsafeMutablePointer<Int64> {
        if count + extra > capacity {
            var larger = capacity * 2
            while larger < count + extra { larger *= 2 }
            let grown = UnsafeMutablePointer<Int64>.allocate(capacity: larger)
            grown.update(from: base, count: count)
            base.deallocate()
            base = grown
            capacity = larger
        }
        defer { count += extra }
        return base + count
    }

    func removeLast(_ removed: Int) {
        precondition(removed <= count, "removing more values than the buffer holds")
        count -= removed
    }

    func removeAll() { count = 0 }

    subscript(index: Int) -> Int64 {
        get { base[index] }
        set { base[index] = newValue }
    }
}

/// Raw memory reused to build payload values before one bulk append to their typed array.
final class PayloadScratch {
    private var base: UnsafeMutableRawPointer
    private var byteCapacity: Int

    init() {
        byteCapacity = 1 << 20
        base = .allocate(byteCount: byteCapacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// Uninitialized room for `count` values of `type`.
    func room<Payload>(for type: Payload.Type, count: Int) -> UnsafeMutablePointer<Payload> {
        precondition(MemoryLayout<Payload>.alignment <= 16, "payload alignment above 16")
        let needed = max(1, count) * MemoryLayout<Payload>.stride
        if needed > byteCapacity {
            base.deallocate()
            while byteCapacity < needed { byteCapacity *= 2 }
            base = .allocate(byteCount: byteCapacity, alignment: 16)
        }
        return base.bindMemory(to: Payload.self, capacity: max(1, count))
    }
}
