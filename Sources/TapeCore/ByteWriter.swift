/// An append-only byte buffer with the primitive encodings Tape's formats are built from:
/// little-endian fixed-width integers, LEB128 varints and zigzag varints.
///
/// The buffer keeps its capacity across `removeAll()`, so a writer reused for every block
/// allocates only while it grows to the largest block.
///
/// It is a value: a copy shares the storage until one of them writes (copy on write). It
/// keeps its own storage, not an array: a write checks once that the storage is its own and
/// has room, then stores through a pointer, where an array append pays its own checks and
/// calls for every byte or run of bytes (an encoding writes several fields per event).
public struct ByteWriter: Sendable {
    @usableFromInline var storage: Storage
    @usableFromInline var used = 0
    /// The number of bytes written so far.
    @inlinable public var count: Int { used }

    /// The writer's memory. Immutable once made: growing makes a new one.
    @usableFromInline final class Storage: @unchecked Sendable {  // written only by its one owner (checked before each write)
        @usableFromInline let base: UnsafeMutablePointer<UInt8>
        @usableFromInline let capacity: Int

        @usableFromInline init(capacity: Int) {
            self.capacity = capacity
            base = .allocate(capacity: capacity)
        }

        deinit { base.deallocate() }

        /// The storage of every writer made without room: never written (it has none), so
        /// that making an empty writer allocates nothing, as an empty array does not.
        static let empty = Storage(capacity: 0)
    }

    /// Creates an empty writer with room for `capacity` bytes.
    public init(capacity: Int = 0) {
        storage = capacity > 0 ? Storage(capacity: capacity) : .empty
    }

    /// The bytes written so far (a copy).
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Forgets the bytes written, keeping the buffer's capacity.
    public mutating func removeAll() {
        used = 0
    }

    /// Room for `needed` more bytes in storage of its own; returns where they go. The caller
    /// writes them and adds them to `count`.
    @inlinable @inline(__always)
    mutating func reserve(_ needed: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(used + needed > storage.capacity || !isKnownUniquelyReferenced(&storage)) { grow(needed) }
        return storage.base + used
    }

    /// Moves the bytes to storage of its own with room for `needed` more (at least double).
    @usableFromInline mutating func grow(_ needed: Int) {
        let capacity = used + needed > storage.capacity ? max(2 * storage.capacity, used + needed, 16) : storage.capacity
        let moved = Storage(capacity: capacity)
        moved.base.update(from: storage.base, count: used)
        storage = moved
    }

    /// Appends one byte.
    @inlinable public mutating func write(_ byte: UInt8) {
        reserve(1).pointee = byte
        used += 1
    }

    /// Appends raw bytes.
    @inlinable public mutating func write<Bytes: Sequence>(contentsOf other: Bytes) where Bytes.Element == UInt8 {
        if other.withContiguousStorageIfAvailable({ write(UnsafeRawBufferPointer($0)) }) == nil {
            for byte in other { write(byte) }
        }
    }

    /// Appends the bytes of `buffer`.
    @inlinable public mutating func write(_ buffer: UnsafeRawBufferPointer) {
        guard buffer.count > 0 else { return }
        let target = reserve(buffer.count)
        UnsafeMutableRawPointer(target).copyMemory(from: buffer.baseAddress!, byteCount: buffer.count)
        used += buffer.count
    }

    /// Appends `value` as 2 little-endian bytes.
    @inlinable public mutating func writeLittleEndian(_ value: UInt16) {
        append(of: value.littleEndian)
    }

    /// Appends `value` as 4 little-endian bytes.
    @inlinable public mutating func writeLittleEndian(_ value: UInt32) {
        append(of: value.littleEndian)
    }

    /// Appends `value` as 8 little-endian bytes.
    @inlinable public mutating func writeLittleEndian(_ value: UInt64) {
        append(of: value.littleEndian)
    }

    /// Appends `value` as 8 big-endian bytes: the byte order that sorts like the number.
    @inlinable public mutating func writeBigEndian(_ value: UInt64) {
        append(of: value.bigEndian)
    }

    /// Appends the memory of `value` as it lies.
    @inlinable @inline(__always) mutating func append<T: FixedWidthInteger>(of value: T) {
        UnsafeMutableRawPointer(reserve(MemoryLayout<T>.size)).storeBytes(of: value, as: T.self)
        used += MemoryLayout<T>.size
    }

    /// Writes a `Double` as its IEEE 754 bit pattern, little-endian: exact, and the same bytes
    /// for the same value in every process (NaN payloads included).
    @inlinable public mutating func writeDouble(_ value: Double) {
        writeLittleEndian(value.bitPattern)
    }

    /// Appends `value` as an unsigned LEB128 varint: 7 bits per byte, low bits first,
    /// the high bit set on every byte but the last. 1 to 10 bytes.
    @inlinable public mutating func writeVarint(_ value: UInt64) {
        let base = reserve(10) - used
        used = RawOutput(base: base, capacity: used + 10).writeVarint(value, at: used)
    }

    /// Appends `value` zigzag-mapped (0, -1, 1, -2, … → 0, 1, 2, 3, …) then as a varint,
    /// so that small negative numbers stay short.
    @inlinable public mutating func writeZigZag(_ value: Int64) {
        writeVarint(ZigZag.encode(value))
    }

    /// Appends a length-prefixed byte string: the length as a varint, then the bytes.
    @inlinable public mutating func writeLengthPrefixed<Bytes: Collection>(_ value: Bytes) where Bytes.Element == UInt8 {
        writeVarint(UInt64(value.count))
        write(contentsOf: value)
    }

    /// Appends a length-prefixed UTF-8 string.
    public mutating func writeString(_ value: String) {
        writeLengthPrefixed(Array(value.utf8))
    }

    /// Appends the bytes `body` writes through a raw output of `maximum` bytes, returning the
    /// number it wrote (at most `maximum`); the unused reserve is dropped.
    @inlinable
    public mutating func appendBounded(maximum: Int, _ body: (RawOutput) -> Int) {
        let written = body(RawOutput(base: reserve(maximum), capacity: maximum))
        precondition(written <= maximum, "wrote \(written) bytes into \(maximum) reserved")
        used += written
    }

    /// Room for at least `needed` more bytes, for writes spread over several calls (as
    /// `appendBounded`'s, which take one): an output whose positions count from the writer's
    /// first byte, its room from `count` on. What is written there counts once `commit(through:)`
    /// names where it ends; writing to the writer in between drops the room.
    @inlinable
    public mutating func window(_ needed: Int) -> RawOutput {
        RawOutput(base: reserve(needed) - used, capacity: used + needed)
    }

    /// Adds the bytes written through `window`'s output up to `position`.
    @inlinable
    public mutating func commit(through position: Int) {
        precondition(position >= used && position <= storage.capacity, "commit outside the window")
        used = position
    }

    /// Overwrites 4 bytes at `offset` with `value`, little-endian; for lengths known only later.
    public mutating func patchLittleEndian(_ value: UInt32, at offset: Int) {
        precondition(offset >= 0 && offset + 4 <= used, "patch outside the written bytes")
        let base = reserve(0) - used
        UnsafeMutableRawPointer(base + offset).storeBytes(of: value.littleEndian, as: UInt32.self)
    }

    /// Writes at `offset`, where one byte was kept for it, the varint length of the bytes
    /// written after it: for a length-prefixed string whose length is known only once it is
    /// written. A length of 128 or more takes the room it needs.
    public mutating func fillLengthPrefix(at offset: Int) {
        precondition(offset >= 0 && offset < used, "length prefix outside the written bytes")
        let length = UInt64(used - offset - 1)
        // The varint's size: the body moves up by the bytes past the one kept.
        var size = 1
        while length >> UInt64(7 * size) != 0 { size += 1 }
        let base = reserve(size - 1) - used
        if size > 1 { (base + offset + size).update(from: base + offset + 1, count: Int(length)) }  // (the ranges may overlap)
        _ = RawOutput(base: base, capacity: used + size - 1).writeVarint(length, at: offset)
        used += size - 1
    }

    /// Gives `body` the written bytes without copying them.
    @inlinable public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withExtendedLifetime(storage) { try body(UnsafeRawBufferPointer(start: storage.base, count: used)) }
    }
}

/// The zigzag mapping between signed and unsigned integers.
public enum ZigZag {
    /// Maps 0, -1, 1, -2, 2 … to 0, 1, 2, 3, 4 …
    @inlinable public static func encode(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// The inverse of `encode`.
    @inlinable public static func decode(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }
}

/// Reserved output space for `ByteWriter.appendBounded`.
public struct RawOutput {
    @usableFromInline let base: UnsafeMutablePointer<UInt8>
    @usableFromInline let capacity: Int

    @inlinable init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    /// Output into `buffer` (scratch space of the caller's, on the stack say).
    @inlinable public init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.init(base: buffer.baseAddress!, capacity: buffer.count)
    }

    /// The `count` reserved bytes from `position` on, to write directly.
    @inlinable @inline(__always)
    public func bytes(from position: Int, count: Int) -> UnsafeMutablePointer<UInt8> {
        precondition(position >= 0 && position + count <= capacity, "write past the reserved space")
        return base + position
    }

    /// Stores `value` as 8 little-endian bytes at `position`.
    @inlinable @inline(__always)
    public func storeLittleEndian(_ value: UInt64, at position: Int) {
        UnsafeMutableRawPointer(bytes(from: position, count: 8)).storeBytes(of: value.littleEndian, as: UInt64.self)
    }

    /// Writes the varint of `value` at `position`; returns the position after it.
    @inlinable @inline(__always)
    public func writeVarint(_ value: UInt64, at position: Int) -> Int {
        var rest = value
        var index = position
        while rest >= 0x80 {
            assert(index < capacity, "varint past the reserved space")
            base[index] = UInt8(truncatingIfNeeded: rest) | 0x80
            rest >>= 7
            index += 1
        }
        precondition(index < capacity, "varint past the reserved space")
        base[index] = UInt8(truncatingIfNeeded: rest)
        return index + 1
    }
}
