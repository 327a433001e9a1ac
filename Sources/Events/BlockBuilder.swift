public import TapeCore

/// Limits and the version of the block encoding (see specs/journal-format.md).
public enum BlockFormat {
    /// The block encoding version this build writes and the newest it reads.
    public static let version: UInt8 = 3
    /// The most events one block may hold.
    public static let maximumEvents = 1 << 20
    /// The most streams (type × instrument pairs) one block may hold.
    public static let maximumStreams = 1 << 16
    /// The most book levels one stream of one block may hold.
    public static let maximumLevels = 1 << 24
}

/// Collects events for one block and encodes them column by column, per stream.
///
/// A stream is the events of one type for one instrument. Within a stream every field is a
/// column, so that consecutive values of the same field sit together and delta-encode well
/// (`IntColumn`); an order column records which stream each event came from, and the receive
/// times form a column of their own (the block's timeline), so that a time seek decodes only
/// the timeline. Fields are written straight into column-major buffers, so encoding needs no
/// gathering pass. Reuse one builder for every block: `removeAll()` keeps its buffers.
public struct BlockBuilder {
    private var streams: [ColumnStream] = []
    /// Streams of earlier blocks kept for reuse, by key.
    private var spare: [UInt64: ColumnStream] = [:]
    private var streamIndex: [UInt64: Int] = [:]
    private var lastKey = UInt64.max
    private var lastStream = 0
    private let timeline = TimelineBuffer()
    @usableFromInline var payloadBytes = 0

    /// Creates an empty builder.
    public init() {}

    /// The number of events collected.
    public var count: Int { timeline.count }
    /// Whether no event has been collected.
    public var isEmpty: Bool { timeline.count == 0 }
    /// The receive time of the first event collected.
    public var firstReceiveTime: Timestamp? { isEmpty ? nil : Timestamp(nanosSinceEpoch: timeline.receiveTimes[0]) }
    /// The receive time of the last event collected.
    public var lastReceiveTime: Timestamp? { isEmpty ? nil : Timestamp(nanosSinceEpoch: timeline.receiveTimes[timeline.count - 1]) }
    /// The size of the collected values before encoding, to decide when a block is full.
    public var unencodedBytes: Int { payloadBytes + 16 * timeline.count }

    /// The number of events collected of each type, in type-code order.
    public var countsByType: [(type: EventType, count: Int)] {
        var counts: [EventType: Int] = [:]
        for stream in streams { counts[stream.type, default: 0] += stream.count }
        return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Forgets the collected events, keeping the buffers.
    public mutating func removeAll() {
        for stream in streams {
            stream.reset()
            spare[stream.key] = stream
        }
        streams.removeAll(keepingCapacity: true)
        streamIndex.removeAll(keepingCapacity: true)
        lastKey = .max
        timeline.count = 0
        payloadBytes = 0
    }

    /// Adds an event given by its parts; the fast path for importers.
    @inlinable
    public mutating func append<Payload: EventPayload>(
        _ payload: Payload, eventTime: Timestamp, receiveTime: Timestamp, instrument: InstrumentID
    ) {
        var writer = beginEvent(type: Payload.eventType, instrument: instrument, eventTime: eventTime, receiveTime: receiveTime)
        let extraBefore = writer.stream.extraBytes
        payload.write(to: &writer)
        writer.finish()
        payloadBytes += writer.stream.extraBytes &- extraBefore
    }

    /// Adds an event.
    public mutating func append(_ event: Event) {
        var writer = beginEvent(type: event.type, instrument: event.instrument, eventTime: event.eventTime, receiveTime: event.receiveTime)
        let extraBefore = writer.stream.extraBytes
        event.body.write(to: &writer)
        writer.finish()
        payloadBytes += writer.stream.extraBytes &- extraBefore
    }

    /// Records an event's stream, times and order, and returns the writer of its fields.
    @usableFromInline
    mutating func beginEvent(type: EventType, instrument: InstrumentID, eventTime: Timestamp, receiveTime: Timestamp) -> StreamWriter {
        precondition(timeline.count < BlockFormat.maximumEvents, "block is full")
        let key = UInt64(type.rawValue) << 32 | UInt64(instrument.rawValue)
        let index = key == lastKey ? lastStream : stream(for: key, type: type, instrument: instrument)
        lastKey = key
        lastStream = index
        timeline.append(receiveTime: receiveTime.nanosSinceEpoch, stream: index)
        let stream = streams[index]
        payloadBytes += 8 * stream.width
        return stream.beginRow(eventTime: eventTime.nanosSinceEpoch)
    }

    private mutating func stream(for key: UInt64, type: EventType, instrument: InstrumentID) -> Int {
        if let known = streamIndex[key] { return known }
        precondition(streams.count < BlockFormat.maximumStreams, "too many streams in one block")
        streams.append(spare.removeValue(forKey: key) ?? ColumnStream(key: key, type: type, instrument: instrument))
        streamIndex[key] = streams.count - 1
        return streams.count - 1
    }

    /// Encodes the collected events: the timeline (receive times and stream order) and the
    /// payload (every stream's columns), appended to the two writers.
    public mutating func encode(timeline: inout ByteWriter, payload: inout ByteWriter) {
        precondition(!isEmpty, "an empty block cannot be encoded")
        let events = self.timeline
        timeline.write(BlockFormat.version)
        timeline.writeVarint(UInt64(events.count))
        timeline.writeVarint(UInt64(streams.count))
        for stream in streams {
            timeline.write(stream.type.rawValue)
            timeline.write(stream.type.codecVersion)
            timeline.writeVarint(UInt64(stream.instrument.rawValue))
            timeline.writeVarint(UInt64(stream.count))
        }
        IntColumn.encode(UnsafeBufferPointer(start: events.receiveTimes, count: events.count), into: &timeline)
        if streams.count > 1 {
            IntColumn.encode(UnsafeBufferPointer(start: events.order, count: events.count), into: &timeline)
        }
        for stream in streams {
            let lengthOffset = payload.count
            payload.writeLittleEndian(UInt32(0))
            stream.encodeColumns(into: &payload)
            payload.patchLittleEndian(UInt32(payload.count - lengthOffset - 4), at: lengthOffset)
        }
    }
}

/// The columns of one stream in a block being built: `width` columns (the event time, then one
/// per field) of `capacity` values each, in one allocation, plus the bytes of byte-string
/// fields. Grows by doubling.
@usableFromInline
final class ColumnStream {
    let key: UInt64
    let type: EventType
    let instrument: InstrumentID
    @usableFromInline let width: Int
    let bytesFields: [Int]
    /// For each field, its position among the stream's level-list fields, or -1.
    @usableFromInline let levelOrdinals: [Int]
    // Accessed once or twice per event: no dynamic exclusivity checks (the builder is not
    // shared between threads, and no access to these overlaps another).
    @exclusivity(unchecked) @usableFromInline var capacity = 0
    @exclusivity(unchecked) @usableFromInline var count = 0
    @exclusivity(unchecked) @usableFromInline var values: UnsafeMutablePointer<Int64>
    /// The bytes of byte-string fields, in event order.
    @exclusivity(unchecked) @usableFromInline var blob: [UInt8] = []
    /// The levels of each level-list field, in event order.
    @exclusivity(unchecked) @usableFromInline var levels: [[BookLevel]]

    /// Bytes held beside the columns (byte strings, levels), for sizing blocks.
    @exclusivity(unchecked) @usableFromInline var extraBytes = 0

    init(key: UInt64, type: EventType, instrument: InstrumentID) {
        self.key = key
        self.type = type
        self.instrument = instrument
        let kinds = type.fieldKinds
        width = kinds.count + 1
        bytesFields = kinds.indices.filter { kinds[$0] == .bytes }
        var ordinal = 0
        levelOrdinals = kinds.map { kind in
            guard kind == .levels else { return -1 }
            ordinal += 1
            return ordinal - 1
        }
        levels = Array(repeating: [], count: ordinal)
        capacity = 256
        values = .allocate(capacity: width * capacity)
    }

    deinit { values.deallocate() }

    func reset() {
        count = 0
        extraBytes = 0
        blob.removeAll(keepingCapacity: true)
        for index in levels.indices { levels[index].removeAll(keepingCapacity: true) }
    }

    /// Starts a row: stores the event time and returns the writer of the fields.
    @usableFromInline
    func beginRow(eventTime: Int64) -> StreamWriter {
        if count == capacity { grow() }
        values[count] = eventTime
        return StreamWriter(stream: self, values: values + count, stride: capacity)
    }

    private func grow() {
        let larger = UnsafeMutablePointer<Int64>.allocate(capacity: width * capacity * 2)
        for column in 0..<width {
            (larger + column * capacity * 2).update(from: values + column * capacity, count: count)
        }
        values.deallocate()
        values = larger
        capacity *= 2
    }

    func encodeColumns(into writer: inout ByteWriter) {
        var blobOffsets: [Int] = []
        if !bytesFields.isEmpty {
            // Where each event's byte strings start in the blob, field by field.
            blobOffsets.reserveCapacity(count * bytesFields.count)
            var cursor = 0
            for row in 0..<count {
                for field in bytesFields {
                    blobOffsets.append(cursor)
                    cursor += Int(values[(1 + field) * capacity + row])
                }
            }
        }
        var scratch: [Int64] = []
        for column in 0..<width {
            let columnValues = UnsafeBufferPointer(start: values + column * capacity, count: count)
            IntColumn.encode(columnValues, into: &writer)
            guard column > 0 else { continue }
            if let bytesIndex = bytesFields.firstIndex(of: column - 1) {
                writer.writeVarint(UInt64(columnValues.reduce(0, +)))
                for row in 0..<count {
                    let start = blobOffsets[row * bytesFields.count + bytesIndex]
                    writer.write(contentsOf: blob[start..<start + Int(columnValues[row])])
                }
            } else if levelOrdinals[column - 1] >= 0 {
                // The count column is followed by the prices and the sizes of all the levels.
                let list = levels[levelOrdinals[column - 1]]
                guard !list.isEmpty else { continue }
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: list.lazy.map(\.price.units))
                scratch.withUnsafeBufferPointer { IntColumn.encode($0, into: &writer) }
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: list.lazy.map(\.size.units))
                scratch.withUnsafeBufferPointer { IntColumn.encode($0, into: &writer) }
            }
        }
    }
}

/// The field writer of one row of a stream: stores field `c` in column `c + 1`. It holds the
/// row's address itself, so writing a field touches no class property.
@usableFromInline
struct StreamWriter: FieldWriter {
    @usableFromInline let stream: ColumnStream
    /// The row's event-time slot; field `c` is at `row + (c + 1) × stride`.
    @usableFromInline let row: UnsafeMutablePointer<Int64>
    @usableFromInline let stride: Int
    @usableFromInline var next: UnsafeMutablePointer<Int64>
    @usableFromInline var fields = 0

    @usableFromInline init(stream: ColumnStream, values row: UnsafeMutablePointer<Int64>, stride: Int) {
        self.stream = stream
        self.row = row
        self.stride = stride
        next = row + stride
    }

    @inlinable mutating func writeInt(_ value: Int64) {
        next.pointee = value
        next += stride
        fields &+= 1
    }

    @usableFromInline mutating func writeBytes(_ value: UnsafeRawBufferPointer) {
        precondition(value.count <= maximumFieldBytes, "byte-string field larger than \(maximumFieldBytes) bytes")
        writeInt(Int64(value.count))
        stream.blob.append(contentsOf: value)
        stream.extraBytes += value.count
    }

    @usableFromInline mutating func writeLevels(_ levels: ArraySlice<BookLevel>) {
        precondition(levels.count <= maximumLevels, "more than \(maximumLevels) levels in one field")
        let ordinal = stream.levelOrdinals[fields]
        precondition(ordinal >= 0, "field \(fields) is not a level list")
        writeInt(Int64(levels.count))
        stream.levels[ordinal].append(contentsOf: levels)
        stream.extraBytes += 16 * levels.count
    }

    /// Ends the row; every field must have been written.
    @inlinable mutating func finish() {
        precondition(fields &+ 1 == stream.width, "the payload wrote \(fields) fields, its codec declares \(stream.width - 1)")
        stream.count &+= 1
    }
}

/// The receive time and stream index of each event of the block being built.
final class TimelineBuffer {
    @exclusivity(unchecked) var count = 0
    @exclusivity(unchecked) private(set) var capacity = 1024
    @exclusivity(unchecked) private(set) var receiveTimes: UnsafeMutablePointer<Int64>
    @exclusivity(unchecked) private(set) var order: UnsafeMutablePointer<Int64>

    init() {
        receiveTimes = .allocate(capacity: capacity)
        order = .allocate(capacity: capacity)
    }

    deinit {
        receiveTimes.deallocate()
        order.deallocate()
    }

    @inline(__always)
    func append(receiveTime: Int64, stream: Int) {
        if count == capacity { grow() }
        receiveTimes[count] = receiveTime
        order[count] = Int64(stream)
        count &+= 1
    }

    private func grow() {
        let times = UnsafeMutablePointer<Int64>.allocate(capacity: capacity * 2)
        let streams = UnsafeMutablePointer<Int64>.allocate(capacity: capacity * 2)
        times.update(from: receiveTimes, count: count)
        streams.update(from: order, count: count)
        receiveTimes.deallocate()
        order.deallocate()
        receiveTimes = times
        order = streams
        capacity *= 2
    }
}
