/// An append-only byte buffer with the primitive encodings Tape's formats are built from:
/// little-endian fixed-width integers, LEB128 varints and zigzag varints.
///
/// The buffer keeps its capacity across `removeAll()`, so a writer reused for every block
/// allocates only while it grows to the largest block.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]

    /// Creates an empty writer with room for `capacity` bytes.
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The number of bytes written so far.
    @inlinable public var count: Int { bytes.count }

    /// Forgets the bytes written, keeping the buffer's capacity.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Appends one byte.
    @inlinable public mutating func write(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends raw bytes.
    @inlinable public mutating func write<Bytes: Sequence>(contentsOf other: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: other)
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

    /// Appends the memory of `value` as it lies: one append (one uniqueness check), where a
    /// byte at a time pays one per byte.
    @inlinable @inline(__always) mutating func append<T: FixedWidthInteger>(of value: T) {
        Swift.withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    /// Writes a `Double` as its IEEE 754 bit pattern, little-endian: exact, and the same bytes
    /// for the same value in every process (NaN payloads included).
    @inlinable public mutating func writeDouble(_ value: Double) {
        writeLittleEndian(value.bitPattern)
    }

    /// Appends `value` as an unsigned LEB128 varint: 7 bits per byte, low bits first,
    /// the high bit set on every byte but the last. 1 to 10 bytes.
    @inlinable public mutating func writeVarint(_ value: UInt64) {
        if value < 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value))
            return
        }
        Self.withVarint(value) { bytes.append(contentsOf: $0) }
    }

    /// Hands `body` the varint of `value`, built in a scratch on the stack: appended at once,
    /// where a byte at a time pays a uniqueness check for each.
    @inlinable static func withVarint<Result>(_ value: UInt64, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        var scratch: (UInt64, UInt64) = (0, 0)
        let count = withUnsafeMutableBytes(of: &scratch) { raw in
            RawOutput(base: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), capacity: raw.count).writeVarint(value, at: 0)
        }
        return Swift.withUnsafeBytes(of: &scratch) { body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }

    /// Appends `value` zigzag-mapped (0, -1, 1, -2, … → 0, 1, 2, 3, …) then as a varint,
    /// so that small negative numbers stay short.
    @inlinable public mutating func writeZigZag(_ value: Int64) {
        writeVarint(ZigZag.encode(value))
    }

    /// Appends a length-prefixed byte string: the length as a varint, then the bytes.
    @inlinable public mutating func writeLengthPrefixed<Bytes: Collection>(_ value: Bytes) where Bytes.Element == UInt8 {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends a length-prefixed UTF-8 string.
    public mutating func writeString(_ value: String) {
        writeLengthPrefixed(Array(value.utf8))
    }

    /// Appends the bytes `body` writes through a raw output of `maximum` bytes, returning the
    /// number it wrote (at most `maximum`); the unused reserve is dropped.
    @inlinable
    public mutating func appendBounded(maximum: Int, _ body: (RawOutput) -> Int) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: maximum))
        let written = bytes.withUnsafeMutableBufferPointer { buffer in
            body(RawOutput(base: buffer.baseAddress! + start, capacity: maximum))
        }
        precondition(written <= maximum, "wrote \(written) bytes into \(maximum) reserved")
        bytes.removeLast(maximum - written)
    }

    /// Overwrites 4 bytes at `offset` with `value`, little-endian; for lengths known only later.
    public mutating func patchLittleEndian(_ value: UInt32, at offset: Int) {
        precondition(offset >= 0 && offset + 4 <= bytes.count, "patch outside the written bytes")
        for index in 0..<4 {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt32(index * 8))
        }
    }

    /// Writes at `offset`, where one byte was kept for it, the varint length of the bytes
    /// written after it: for a length-prefixed string whose length is known only once it is
    /// written. A length of 128 or more takes the room it needs.
    public mutating func fillLengthPrefix(at offset: Int) {
        precondition(offset >= 0 && offset < bytes.count, "length prefix outside the written bytes")
        let length = UInt64(bytes.count - offset - 1)
        if length < 0x80 {
            bytes[offset] = UInt8(truncatingIfNeeded: length)
            return
        }
        Self.withVarint(length) { bytes.replaceSubrange(offset..<offset + 1, with: $0) }
    }

    /// Gives `body` the written bytes without copying them.
    @inlinable public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeBytes(body)
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
