public import TapeCore

/// Limits and the version of the block encoding (see specs/journal-format.md).
public enum BlockFormat {
    /// The block encoding version this build writes and the newest it reads.
    public static let version: UInt8 = 1
    /// The most events one block may hold.
    public static let maximumEvents = 1 << 20
    /// The most streams (type × instrument pairs) one block may hold.
    public static let maximumStreams = 1 << 16
}

/// Collects events for one block and encodes them column by column, per stream.
///
/// A stream is the events of one type for one instrument. Within a stream every field is a
/// column, so that consecutive values of the same field sit together and delta-encode well
/// (`IntColumn`); an order column records which stream each event came from, and the receive
/// times form a column of their own (the block's timeline), so that a time seek decodes only
/// the timeline. Reuse one builder for every block: `removeAll()` keeps its buffers.
public struct BlockBuilder: Sendable {
    @usableFromInline struct Stream: Sendable {
        var type: EventType
        var instrument: InstrumentID
        /// The number of values per event in `rows`: the event time, then one per field.
        var width: Int
        var bytesFields: [Int]
        /// Row-major values: event time, then the fields, for each event.
        @usableFromInline var rows: [Int64] = []
        /// The bytes of byte-string fields, in event order.
        @usableFromInline var blob: [UInt8] = []
        var count = 0
    }

    private var streams: [Stream] = []
    private var streamIndex: [UInt64: Int] = [:]
    private var lastKey = UInt64.max
    private var lastStream = 0
    private var order: [Int64] = []
    private var receiveTimes: [Int64] = []
    private var scratch: [Int64] = []
    private var payloadBytes = 0

    /// Creates an empty builder.
    public init() {}

    /// The number of events collected.
    public var count: Int { receiveTimes.count }
    /// Whether no event has been collected.
    public var isEmpty: Bool { receiveTimes.isEmpty }
    /// The receive time of the first event collected.
    public var firstReceiveTime: Timestamp? { receiveTimes.first.map(Timestamp.init(nanosSinceEpoch:)) }
    /// The receive time of the last event collected.
    public var lastReceiveTime: Timestamp? { receiveTimes.last.map(Timestamp.init(nanosSinceEpoch:)) }
    /// The size of the collected values before encoding, to decide when a block is full.
    public var unencodedBytes: Int { payloadBytes + 16 * receiveTimes.count }

    /// Forgets the collected events, keeping the buffers.
    public mutating func removeAll() {
        streams.removeAll(keepingCapacity: true)
        streamIndex.removeAll(keepingCapacity: true)
        lastKey = .max
        order.removeAll(keepingCapacity: true)
        receiveTimes.removeAll(keepingCapacity: true)
        payloadBytes = 0
    }

    /// Adds an event given by its parts; the fast path for importers.
    @inlinable
    public mutating func append<Payload: EventPayload>(
        _ payload: Payload, eventTime: Timestamp, receiveTime: Timestamp, instrument: InstrumentID
    ) {
        let stream = beginEvent(type: Payload.eventType, instrument: instrument, eventTime: eventTime, receiveTime: receiveTime)
        withStream(stream) { writer in payload.write(to: &writer) }
    }

    /// Adds an event.
    public mutating func append(_ event: Event) {
        let stream = beginEvent(type: event.type, instrument: event.instrument, eventTime: event.eventTime, receiveTime: event.receiveTime)
        withStream(stream) { writer in event.body.write(to: &writer) }
    }

    @usableFromInline
    mutating func beginEvent(type: EventType, instrument: InstrumentID, eventTime: Timestamp, receiveTime: Timestamp) -> Int {
        precondition(receiveTimes.count < BlockFormat.maximumEvents, "block is full")
        let key = UInt64(type.rawValue) << 32 | UInt64(instrument.rawValue)
        let stream: Int
        if key == lastKey {
            stream = lastStream
        } else if let known = streamIndex[key] {
            stream = known
        } else {
            precondition(streams.count < BlockFormat.maximumStreams, "too many streams in one block")
            stream = streams.count
            let kinds = type.fieldKinds
            streams.append(Stream(
                type: type, instrument: instrument, width: kinds.count + 1,
                bytesFields: kinds.indices.filter { kinds[$0] == .bytes }
            ))
            streamIndex[key] = stream
        }
        lastKey = key
        lastStream = stream
        order.append(Int64(stream))
        receiveTimes.append(receiveTime.nanosSinceEpoch)
        streams[stream].rows.append(eventTime.nanosSinceEpoch)
        streams[stream].count += 1
        payloadBytes += 8 * streams[stream].width
        return stream
    }

    @usableFromInline
    mutating func withStream(_ index: Int, _ body: (inout StreamWriter) -> Void) {
        let blobBefore = streams[index].blob.count
        streams.withUnsafeMutableBufferPointer { buffer in
            var writer = StreamWriter(stream: buffer.baseAddress! + index)
            body(&writer)
        }
        payloadBytes += streams[index].blob.count - blobBefore
        assert(streams[index].rows.count == streams[index].count * streams[index].width, "payload wrote the wrong number of fields")
    }

    /// Encodes the collected events: the timeline (receive times and stream order) and the
    /// payload (every stream's columns), appended to the two writers.
    public mutating func encode(timeline: inout ByteWriter, payload: inout ByteWriter) {
        precondition(!receiveTimes.isEmpty, "an empty block cannot be encoded")
        timeline.write(BlockFormat.version)
        timeline.writeVarint(UInt64(receiveTimes.count))
        timeline.writeVarint(UInt64(streams.count))
        for stream in streams {
            timeline.write(stream.type.rawValue)
            timeline.write(stream.type.codecVersion)
            timeline.writeVarint(UInt64(stream.instrument.rawValue))
            timeline.writeVarint(UInt64(stream.count))
        }
        receiveTimes.withUnsafeBufferPointer { IntColumn.encode($0, into: &timeline) }
        if streams.count > 1 {
            order.withUnsafeBufferPointer { IntColumn.encode($0, into: &timeline) }
        }
        for index in streams.indices {
            let lengthOffset = payload.count
            payload.writeLittleEndian(UInt32(0))
            encodeColumns(of: streams[index], into: &payload)
            payload.patchLittleEndian(UInt32(payload.count - lengthOffset - 4), at: lengthOffset)
        }
    }

    private mutating func encodeColumns(of stream: Stream, into writer: inout ByteWriter) {
        let blobOffsets = Self.blobOffsets(of: stream)
        scratch.removeAll(keepingCapacity: true)
        scratch.reserveCapacity(stream.count)
        for column in 0..<stream.width {
            scratch.removeAll(keepingCapacity: true)
            stream.rows.withUnsafeBufferPointer { rows in
                var position = column
                for _ in 0..<stream.count {
                    scratch.append(rows[position])
                    position += stream.width
                }
            }
            scratch.withUnsafeBufferPointer { IntColumn.encode($0, into: &writer) }
            guard column > 0, let bytesIndex = stream.bytesFields.firstIndex(of: column - 1) else { continue }
            let total = scratch.reduce(0, +)
            writer.writeVarint(UInt64(total))
            for event in 0..<stream.count {
                let start = blobOffsets[event * stream.bytesFields.count + bytesIndex]
                writer.write(contentsOf: stream.blob[start..<start + Int(scratch[event])])
            }
        }
    }

    /// Where each event's byte-string fields start in the stream's blob.
    private static func blobOffsets(of stream: Stream) -> [Int] {
        guard !stream.bytesFields.isEmpty else { return [] }
        var offsets: [Int] = []
        offsets.reserveCapacity(stream.count * stream.bytesFields.count)
        var cursor = 0
        for event in 0..<stream.count {
            for field in stream.bytesFields {
                offsets.append(cursor)
                cursor += Int(stream.rows[event * stream.width + 1 + field])
            }
        }
        return offsets
    }
}

/// The field writer of one stream: appends to its row-major values and its blob.
@usableFromInline
struct StreamWriter: FieldWriter {
    @usableFromInline let stream: UnsafeMutablePointer<BlockBuilder.Stream>

    @usableFromInline init(stream: UnsafeMutablePointer<BlockBuilder.Stream>) { self.stream = stream }

    @usableFromInline mutating func writeInt(_ value: Int64) {
        stream.pointee.rows.append(value)
    }

    @usableFromInline mutating func writeBytes(_ value: UnsafeRawBufferPointer) {
        precondition(value.count <= maximumFieldBytes, "byte-string field larger than \(maximumFieldBytes) bytes")
        stream.pointee.rows.append(Int64(value.count))
        stream.pointee.blob.append(contentsOf: value)
    }
}
