/// A growable buffer of plain values (no references: they are never deinitialized) that hands
/// out uninitialized room, so decoders write values once instead of zero-filling first.
/// Reused across blocks.
@usableFromInline final class RawBuffer<Element>: @unchecked Sendable {
    /// (Unchecked: every diff a replay applies reads it, and a checked read of a class's
    /// property is a call into the runtime. Only `extend` writes it.)
    @exclusivity(unchecked) @usableFromInline private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1 << 16) {
        precondition(_isPOD(Element.self), "a raw buffer holds plain values")
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Extends the buffer by `extra` values and returns where they start; the caller must
    /// write them all before reading them. (Earlier pointers into the buffer may move.)
    func extend(by extra: Int) -> UnsafeMutablePointer<Element> {
        if count + extra > capacity {
            var larger = capacity * 2
            while larger < count + extra { larger *= 2 }
            let grown = UnsafeMutablePointer<Element>.allocate(capacity: larger)
            grown.update(from: base, count: count)
            base.deallocate()
            base = grown
            capacity = larger
        }
        defer { count += extra }
        return base + count
    }

    /// Appends `values` and returns where they are.
    func append(contentsOf values: some Collection<Element>) -> Range<Int> {
        let start = count
        _ = UnsafeMutableBufferPointer(start: extend(by: values.count), count: values.count).initialize(from: values)
        return start..<count
    }

    /// A buffer holding the same values.
    func copy() -> RawBuffer {
        let copy = RawBuffer(capacity: max(capacity, 1))
        copy.extend(by: count).update(from: base, count: count)
        return copy
    }

    func removeAll() { count = 0 }

    subscript(index: Int) -> Element {
        get { base[index] }
        set { base[index] = newValue }
    }
}
