public import TapeCore

/// The row encoding of single events: compact, self-describing and versioned, for moving
/// events one at a time (pipes, sockets, golden vectors). Blocks use `BlockBuilder` instead.
///
/// A frame is `varint length` followed by that many bytes:
/// `type (1 byte) · codec version (1 byte) · zz(event time) · zz(receive time) ·
/// varint(instrument) · fields`, each integer field a zigzag varint and each byte-string
/// field a varint length and its bytes.
public enum EventCodec {
    /// The largest frame a decoder accepts.
    public static let maximumFrameBytes = 4 << 20

    /// Appends `event` as one frame.
    public static func appendFrame(_ event: Event, to output: inout ByteWriter) {
        // The body is written in place after a byte kept for its length (no buffer of its
        // own to allocate at every event); the length goes there once known.
        let start = output.count
        output.write(0)
        var body = RowWriter(taking: &output)
        encodeBody(event, into: &body)
        output = body.finish()
        output.fillLengthPrefix(at: start)
    }

    /// The frame of `event`.
    public static func frame(_ event: Event) -> [UInt8] {
        var writer = ByteWriter()
        appendFrame(event, to: &writer)
        return writer.bytes
    }

    private static func encodeBody(_ event: Event, into body: inout RowWriter) {
        body.writeByte(event.type.rawValue)
        body.writeByte(event.type.codecVersion)
        body.writeInt(event.eventTime.nanosSinceEpoch)
        body.writeInt(event.receiveTime.nanosSinceEpoch)
        body.writeVarint(UInt64(event.instrument.rawValue))
        event.body.write(to: &body)
    }

    /// Decodes one frame body (without its length prefix); every byte must belong to it.
    public static func decodeBody(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Event {
        var reader = RowReader(reader: ByteReader(bytes))
        let typeOffset = reader.reader.offset
        guard let type = EventType(rawValue: try reader.reader.readByte()) else {
            throw .invalidValue(field: "event type", offset: typeOffset)
        }
        let version = try reader.reader.readByte()
        let eventTime = try reader.reader.readZigZag()
        let receiveTime = try reader.reader.readZigZag()
        let instrument = try reader.reader.readCount(limit: Int(UInt32.max), field: "instrument")
        let body = try Event.Body.read(type, version: version, from: &reader)
        try reader.reader.expectEnd()
        return Event(
            eventTime: Timestamp(nanosSinceEpoch: eventTime), receiveTime: Timestamp(nanosSinceEpoch: receiveTime),
            instrument: InstrumentID(rawValue: UInt32(instrument)), body: body
        )
    }

    /// Decodes a buffer holding exactly one frame.
    public static func decodeFrame(_ bytes: [UInt8]) throws(CodecError) -> Event {
        var decoder = EventStreamDecoder()
        decoder.append(bytes)
        guard let event = try decoder.next() else { throw .truncated(offset: bytes.count) }
        guard decoder.bufferedByteCount == 0 else { throw .trailingBytes(offset: bytes.count - decoder.bufferedByteCount) }
        return event
    }
}

/// Writes fields one after the other, into a window of the writer's room taken 256 bytes (or
/// a field) at a time: a field costs no capacity or uniqueness check of its own. `finish`
/// hands the writer back with every field counted.
struct RowWriter: FieldWriter {
    private var writer: ByteWriter
    private var output: RawOutput
    private var position: Int
    /// Where the window ends.
    private var end: Int

    private static let window = 256

    /// Writes after the bytes of `writer`, which it takes (leaving it empty: a writer still
    /// holding them would make the window a copy) until `finish`.
    init(taking writer: inout ByteWriter) {
        self.writer = writer
        writer = ByteWriter()
        position = self.writer.count
        end = position + Self.window
        output = self.writer.window(Self.window)
    }

    /// The writer, with the fields written.
    mutating func finish() -> ByteWriter {
        writer.commit(through: position)
        return writer
    }

    /// Makes room for `needed` more bytes.
    @inline(__always)
    private mutating func ensure(_ needed: Int) {
        if _slowPath(position + needed > end) {
            writer.commit(through: position)
            output = writer.window(max(needed, Self.window))
            end = position + max(needed, Self.window)
        }
    }

    @inline(__always)
    mutating func writeByte(_ value: UInt8) {
        ensure(1)
        output.bytes(from: position, count: 1).pointee = value
        position += 1
    }

    @inline(__always)
    mutating func writeVarint(_ value: UInt64) {
        ensure(10)
        position = output.writeVarint(value, at: position)
    }

    @inline(__always)
    mutating func writeInt(_ value: Int64) { writeVarint(ZigZag.encode(value)) }

    mutating func writeBytes(_ value: UnsafeRawBufferPointer) {
        precondition(value.count <= maximumFieldBytes, "byte-string field larger than \(maximumFieldBytes) bytes")
        ensure(10 + value.count)
        position = output.writeVarint(UInt64(value.count), at: position)
        if !value.isEmpty { UnsafeMutableRawPointer(output.bytes(from: position, count: value.count)).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        position += value.count
    }

    mutating func writeLevels(_ levels: ArraySlice<BookLevel>) {
        precondition(levels.count <= maximumLevels, "more than \(maximumLevels) levels in one field")
        ensure(10 + 20 * levels.count)
        position = output.writeVarint(UInt64(levels.count), at: position)
        for level in levels {
            position = output.writeVarint(ZigZag.encode(level.price.units), at: position)
            position = output.writeVarint(ZigZag.encode(level.size.units), at: position)
        }
    }
}

/// Reads fields one after the other.
struct RowReader: FieldReader {
    var reader: ByteReader

    mutating func readInt() throws(CodecError) -> Int64 { try reader.readZigZag() }

    mutating func readBytes() throws(CodecError) -> UnsafeRawBufferPointer {
        try reader.readLengthPrefixed(limit: maximumFieldBytes, field: "byte string")
    }

    mutating func readLevels() throws(CodecError) -> ArraySlice<BookLevel> {
        // Each level takes at least 2 bytes, which bounds the count by what is left.
        let count = try reader.readCount(limit: min(maximumLevels, reader.remaining / 2), field: "level count")
        var levels: [BookLevel] = []
        levels.reserveCapacity(count)
        for _ in 0..<count {
            levels.append(BookLevel(price: Price(units: try reader.readZigZag()), size: Quantity(units: try reader.readZigZag())))
        }
        return levels[...]
    }
}

/// Turns a byte stream of frames, arriving in pieces of any size (one byte at a time
/// included), back into events.
public struct EventStreamDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    private var consumed = 0

    /// Creates a decoder with nothing buffered.
    public init() {}

    /// The number of bytes received but not yet decoded.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete event, or nil until more bytes arrive. A malformed frame throws,
    /// naming its offset in the stream.
    public mutating func next() throws(CodecError) -> Event? {
        enum Outcome {
            case incomplete
            case decoded(Event, frameLength: Int)
            case failed(CodecError, prefixLength: Int)
        }
        let outcome: Outcome = buffer.withUnsafeBytes { raw in
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[start...]))
            let length: Int
            do throws(CodecError) {
                length = try reader.readCount(limit: EventCodec.maximumFrameBytes, field: "frame length")
            } catch {
                if case .truncated = error { return .incomplete }
                return .failed(error, prefixLength: 0)
            }
            guard reader.remaining >= length else { return .incomplete }
            let body = UnsafeRawBufferPointer(rebasing: raw[(start + reader.offset)..<(start + reader.offset + length)])
            do throws(CodecError) {
                return .decoded(try EventCodec.decodeBody(body), frameLength: reader.offset + length)
            } catch {
                return .failed(error, prefixLength: reader.offset)
            }
        }
        switch outcome {
        case .incomplete:
            return nil
        case .decoded(let event, let frameLength):
            start += frameLength
            consumed += frameLength
            return event
        case .failed(let error, let prefixLength):
            throw Self.shifted(error, by: consumed + prefixLength)
        }
    }

    private static func shifted(_ error: CodecError, by offset: Int) -> CodecError {
        switch error {
        case .truncated(let at): .truncated(offset: at + offset)
        case .malformedVarint(let at): .malformedVarint(offset: at + offset)
        case .invalidValue(let field, let at): .invalidValue(field: field, offset: at + offset)
        case .trailingBytes(let at): .trailingBytes(offset: at + offset)
        case .unsupportedVersion: error
        }
    }
}
