public import TapeCore

/// The shape of one encoded field: an integer, a byte string, or a list of book levels.
public enum FieldKind: Sendable, Equatable {
    case int
    case bytes
    /// A list of (price, size) levels; in blocks its prices and sizes are columns of their own,
    /// delta-encoded across the levels of all the stream's events.
    case levels
}

/// Where an event payload writes its fields, in declaration order. The block codec puts each
/// field in its own column; the row codec writes them one after the other.
public protocol FieldWriter {
    /// Writes an integer field.
    mutating func writeInt(_ value: Int64)
    /// Writes a byte-string field.
    mutating func writeBytes(_ value: UnsafeRawBufferPointer)
    /// Writes a list of book levels.
    mutating func writeLevels(_ levels: ArraySlice<BookLevel>)
}

/// Where an event payload reads its fields back, in the order it wrote them.
public protocol FieldReader {
    /// Reads an integer field.
    mutating func readInt() throws(CodecError) -> Int64
    /// Reads a byte-string field; the bytes are valid until the next read.
    mutating func readBytes() throws(CodecError) -> UnsafeRawBufferPointer
    /// Reads a list of book levels (in blocks, a slice of the stream's shared level storage).
    mutating func readLevels() throws(CodecError) -> ArraySlice<BookLevel>
}

/// The most levels one list field may hold.
public let maximumLevels = 1 << 20

/// The most bytes one byte-string field may hold.
public let maximumFieldBytes = 1 << 20

extension FieldWriter {
    @inlinable public mutating func writeUInt(_ value: UInt64) { writeInt(Int64(bitPattern: value)) }
    @inlinable public mutating func writeCode<Code: EventCode>(_ code: Code) { writeInt(Int64(code.rawValue)) }
    @inlinable public mutating func writeBool(_ value: Bool) { writeInt(value ? 1 : 0) }
    @inlinable public mutating func writeDouble(_ value: Double) { writeInt(Int64(bitPattern: value.bitPattern)) }
    @inlinable public mutating func writeTime(_ value: Timestamp) { writeInt(value.nanosSinceEpoch) }

    /// Writes `entries` as one byte-string field: a varint count, then the entries as `write`
    /// encodes them (at most `entryBytes` each, from a position; it returns the position after
    /// them), put together on the stack rather than in a buffer allocated for the field.
    @inlinable @inline(__always)
    public mutating func writeList<Entry>(_ entries: [Entry], entryBytes: Int, _ write: ([Entry], RawOutput, Int) -> Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10 + entryBytes * entries.count) { buffer in
            let output = RawOutput(buffer)
            let written = write(entries, output, output.writeVarint(UInt64(entries.count), at: 0))
            writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[..<written]))
        }
    }

    /// Writes `Money` as two integer fields: the high and low 64 bits.
    @inlinable public mutating func writeMoney(_ value: Money) {
        writeInt(Int64(truncatingIfNeeded: value.units >> 64))
        writeInt(Int64(truncatingIfNeeded: value.units))
    }

    /// Writes a 256-bit value as four integer fields.
    @inlinable public mutating func writeHash(_ value: Hash256) {
        writeUInt(value.words.0)
        writeUInt(value.words.1)
        writeUInt(value.words.2)
        writeUInt(value.words.3)
    }

    /// Writes a string as a byte-string field of UTF-8.
    public mutating func writeString(_ value: String) {
        var copy = value
        copy.withUTF8 { writeBytes(UnsafeRawBufferPointer($0)) }
    }

    /// Writes raw bytes held in an array.
    public mutating func writeByteArray(_ value: [UInt8]) {
        value.withUnsafeBytes { writeBytes($0) }
    }
}

extension FieldReader {
    @inlinable public mutating func readUInt() throws(CodecError) -> UInt64 { UInt64(bitPattern: try readInt()) }
    @inlinable public mutating func readDouble() throws(CodecError) -> Double { Double(bitPattern: try readUInt()) }
    @inlinable public mutating func readTime() throws(CodecError) -> Timestamp { Timestamp(nanosSinceEpoch: try readInt()) }

    @inlinable public mutating func readCode<Code: EventCode>(_ type: Code.Type, field: String) throws(CodecError) -> Code {
        let value = try readInt()
        guard let byte = UInt8(exactly: value), let code = Code(rawValue: byte) else {
            throw .invalidValue(field: field, offset: 0)
        }
        return code
    }

    @inlinable public mutating func readBool(field: String) throws(CodecError) -> Bool {
        switch try readInt() {
        case 0: return false
        case 1: return true
        default: throw .invalidValue(field: field, offset: 0)
        }
    }

    @inlinable public mutating func readMoney() throws(CodecError) -> Money {
        let high = try readInt()
        let low = try readUInt()
        return Money(units: Int128(high) << 64 | Int128(low))
    }

    @inlinable public mutating func readHash() throws(CodecError) -> Hash256 {
        Hash256(words: (try readUInt(), try readUInt(), try readUInt(), try readUInt()))
    }

    @inlinable public mutating func readUInt32(field: String) throws(CodecError) -> UInt32 {
        guard let value = UInt32(exactly: try readInt()) else { throw .invalidValue(field: field, offset: 0) }
        return value
    }

    @inlinable public mutating func readUInt16(field: String) throws(CodecError) -> UInt16 {
        guard let value = UInt16(exactly: try readInt()) else { throw .invalidValue(field: field, offset: 0) }
        return value
    }

    public mutating func readString(field: String) throws(CodecError) -> String {
        let bytes = try readBytes()
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidValue(field: field, offset: 0) }
        return text
    }
}

/// One event's fields: what every payload type provides so both codecs can carry it.
public protocol EventPayload: Sendable, Equatable {
    /// The event type this payload belongs to.
    static var eventType: EventType { get }
    /// The codec version this build writes for the payload.
    static var codecVersion: UInt8 { get }
    /// The fields in the order `write(to:)` writes them.
    static var fieldKinds: [FieldKind] { get }
    /// The fields codec `version` wrote (a later version may add fields at the end).
    static func fieldKinds(version: UInt8) -> [FieldKind]
    /// Writes the fields.
    func write<Writer: FieldWriter>(to writer: inout Writer)
    /// Reads fields written by codec `version` (at most `codecVersion`).
    static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> Self
}

extension EventPayload {
    public static var codecVersion: UInt8 { 1 }

    public static func fieldKinds(version: UInt8) -> [FieldKind] { fieldKinds }

    /// Throws unless `version` is one this build reads.
    @inlinable
    public static func check(version: UInt8) throws(CodecError) {
        guard version >= 1 && version <= codecVersion else {
            throw .unsupportedVersion(what: "\(eventType.label) codec", version: Int(version))
        }
    }
}

extension RawOutput {
    /// Writes, from `position`, each of `entries` as a code's varint and a double's 8
    /// little-endian bytes (`parts` names them); returns the position after them. The entries
    /// of a decision's sizing inputs and of a signal's features.
    @inlinable @inline(__always)
    public func writeCodedValues<Entry>(_ entries: [Entry], at position: Int, _ parts: (Entry) -> (code: UInt64, value: Double)) -> Int {
        var position = position
        for entry in entries {
            let (code, value) = parts(entry)
            position = writeVarint(code, at: position)
            storeLittleEndian(value.bitPattern, at: position)
            position += 8
        }
        return position
    }
}
