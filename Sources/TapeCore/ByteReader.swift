/// A cursor over borrowed bytes that reads the encodings `ByteWriter` writes.
///
/// Every read checks bounds and throws `CodecError` with the offset where it stopped, so a
/// truncated or malformed input can never be read past its end. The reader borrows the
/// buffer: use it only inside the `withUnsafeBytes` closure that provided it.
public struct ByteReader {
    /// The bytes being read.
    public let buffer: UnsafeRawBufferPointer
    /// The offset of the next byte to read.
    public var offset: Int

    /// Creates a reader at the start of `buffer`.
    @inlinable public init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
        self.offset = 0
    }

    /// The number of bytes not read yet.
    @inlinable public var remaining: Int { buffer.count - offset }

    /// Whether every byte has been read.
    @inlinable public var isAtEnd: Bool { offset >= buffer.count }

    /// Throws unless every byte has been read.
    public func expectEnd() throws(CodecError) {
        if offset != buffer.count { throw .trailingBytes(offset: offset) }
    }

    /// Reads one byte.
    @inlinable public mutating func readByte() throws(CodecError) -> UInt8 {
        guard offset < buffer.count else { throw .truncated(offset: offset) }
        let byte = buffer[offset]
        offset += 1
        return byte
    }

    /// Reads `count` bytes and returns them without copying (they borrow the buffer).
    @inlinable public mutating func readBytes(_ count: Int) throws(CodecError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= buffer.count - offset else { throw .truncated(offset: offset) }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + count])
        offset += count
        return slice
    }

    /// Skips `count` bytes.
    @inlinable public mutating func skip(_ count: Int) throws(CodecError) {
        guard count >= 0, count <= buffer.count - offset else { throw .truncated(offset: offset) }
        offset += count
    }

    /// Reads a 4-byte little-endian integer.
    @inlinable public mutating func readLittleEndianUInt32() throws(CodecError) -> UInt32 {
        let bytes = try readBytes(4)
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[index]) << UInt32(index * 8) }
        return value
    }

    /// Reads an 8-byte little-endian integer.
    @inlinable public mutating func readLittleEndianUInt64() throws(CodecError) -> UInt64 {
        let bytes = try readBytes(8)
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[index]) << UInt64(index * 8) }
        return value
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes and 64 bits.
    @inlinable public mutating func readVarint() throws(CodecError) -> UInt64 {
        guard offset < buffer.count else { throw .truncated(offset: offset) }
        let first = buffer[offset]
        if first < 0x80 {
            offset += 1
            return UInt64(first)
        }
        return try readVarintSlow()
    }

    @usableFromInline mutating func readVarintSlow() throws(CodecError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < buffer.count else { throw .truncated(offset: offset) }
            let byte = buffer[offset]
            offset += 1
            if shift == 63 && byte > 1 { throw .malformedVarint(offset: start) }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
            if shift > 63 { throw .malformedVarint(offset: start) }
        }
    }

    /// Reads a zigzag varint.
    /// Reads a `Double` written by `ByteWriter.writeDouble`.
    @inlinable public mutating func readDouble() throws(CodecError) -> Double {
        Double(bitPattern: try readLittleEndianUInt64())
    }

    @inlinable public mutating func readZigZag() throws(CodecError) -> Int64 {
        ZigZag.decode(try readVarint())
    }

    /// Reads a varint that must fit `Int` and be at most `limit`; `field` names it in errors.
    @inlinable public mutating func readCount(limit: Int, field: String) throws(CodecError) -> Int {
        let start = offset
        let value = try readVarint()
        guard value <= UInt64(limit) else { throw .invalidValue(field: field, offset: start) }
        return Int(value)
    }

    /// Reads a length-prefixed byte string of at most `limit` bytes, borrowing the buffer.
    @inlinable public mutating func readLengthPrefixed(limit: Int, field: String) throws(CodecError) -> UnsafeRawBufferPointer {
        let length = try readCount(limit: limit, field: field)
        return try readBytes(length)
    }

    /// Reads a length-prefixed UTF-8 string of at most `limit` bytes.
    public mutating func readString(limit: Int, field: String) throws(CodecError) -> String {
        let start = offset
        let bytes = try readLengthPrefixed(limit: limit, field: field)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidValue(field: field, offset: start)
        }
        return text
    }
}
