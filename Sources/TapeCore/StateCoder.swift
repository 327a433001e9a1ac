/// Writes or reads the state of a streaming computation with one function for both
/// directions, so that encoding and decoding cannot drift apart:
///
/// ```swift
/// mutating func code(_ coder: inout StateCoder) throws(CodecError) {
///     try coder.code(&sum)
///     try coder.code(&window)
/// }
/// ```
///
/// Encoding is canonical: the same state gives the same bytes in every process (doubles by
/// bit pattern, integers as zigzag varints), so hashes of it are stable.
public struct StateCoder {
    /// Whether this coder writes (true) or reads (false).
    public let isEncoding: Bool
    /// The bytes written so far (encoding).
    public private(set) var writer = ByteWriter()
    private var reader: ByteReader?

    /// A coder that writes.
    public init() {
        isEncoding = true
    }

    /// A coder that reads `bytes`, which must outlive it.
    public init(decoding bytes: UnsafeRawBufferPointer) {
        isEncoding = false
        reader = ByteReader(bytes)
    }

    /// The bytes written.
    public var bytes: [UInt8] { writer.bytes }

    /// Whether every byte was read (decoding).
    public var isAtEnd: Bool { reader?.isAtEnd ?? true }

    public mutating func code(_ value: inout Double) throws(CodecError) {
        if isEncoding { writer.writeDouble(value) } else { value = try reader!.readDouble() }
    }

    public mutating func code(_ value: inout Int64) throws(CodecError) {
        if isEncoding { writer.writeZigZag(value) } else { value = try reader!.readZigZag() }
    }

    public mutating func code(_ value: inout Int) throws(CodecError) {
        var wide = Int64(value)
        try code(&wide)
        value = Int(wide)
    }

    public mutating func code(_ value: inout UInt64) throws(CodecError) {
        if isEncoding { writer.writeVarint(value) } else { value = try reader!.readVarint() }
    }

    public mutating func code(_ value: inout Bool) throws(CodecError) {
        if isEncoding {
            writer.write(value ? 1 : 0)
        } else {
            let offset = reader!.offset
            switch try reader!.readByte() {
            case 0: value = false
            case 1: value = true
            default: throw .invalidValue(field: "bool", offset: offset)
            }
        }
    }

    public mutating func code(_ value: inout String) throws(CodecError) {
        if isEncoding { writer.writeString(value) } else { value = try reader!.readString(limit: 1 << 20, field: "text") }
    }

    /// Codes a list of doubles whose length is part of the state.
    public mutating func code(_ values: inout [Double]) throws(CodecError) {
        var count = values.count
        try code(&count)
        if !isEncoding {
            guard count >= 0 && count <= 1 << 24 else { throw .invalidValue(field: "list length", offset: reader!.offset) }
            values = [Double](repeating: 0, count: count)
        }
        for index in values.indices { try code(&values[index]) }
    }

    /// Codes a part that knows how to code itself.
    public mutating func code<Part: StateCodable>(_ part: inout Part) throws(CodecError) {
        try part.code(&self)
    }

    /// Codes a fixed list of parts (their number is configuration, not state, and must match).
    public mutating func code<Part: StateCodable>(_ parts: inout [Part]) throws(CodecError) {
        var count = parts.count
        try code(&count)
        guard count == parts.count else { throw .invalidValue(field: "part count", offset: reader?.offset ?? 0) }
        for index in parts.indices { try parts[index].code(&self) }
    }
}

/// State that can be written and read back by a `StateCoder`.
public protocol StateCodable {
    mutating func code(_ coder: inout StateCoder) throws(CodecError)
}

extension StateCodable {
    /// The canonical encoding of the state.
    public func encodedState() -> [UInt8] {
        var copy = self
        var coder = StateCoder()
        try! copy.code(&coder)  // encoding cannot fail
        return coder.bytes
    }

    /// Restores the state from `bytes`, which must hold exactly one encoding.
    public mutating func restoreState(from bytes: [UInt8]) throws(CodecError) {
        try bytes.withBytes { (raw: UnsafeRawBufferPointer) throws(CodecError) in
            var coder = StateCoder(decoding: raw)
            try code(&coder)
            guard coder.isAtEnd else { throw .trailingBytes(offset: raw.count) }
        }
    }
}
