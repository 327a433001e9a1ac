#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import TapeCore

/// Decodes blocks written by `BlockBuilder`. Every count, code and length is checked, so a
/// damaged block ends in `CodecError` and never in a wrong event. Reuse one decoder: it keeps
/// its buffers between blocks.
public struct BlockDecoder {
    struct StreamInfo: Sendable {
        var type: EventType
        var version: UInt8
        var instrument: InstrumentID
        var count: Int
        var included = false
        /// Offset of the stream's event-time column in `values`.
        var base = 0
        /// Index of the stream's first payload in its type's array.
        var firstSlot = 0
    }

    private var streams: [StreamInfo] = []
    private let order = RawBuffer<Int64>()
    private let values = RawBuffer<Int64>()
    private var blob: [UInt8] = []
    private var bytesStarts: [Int] = []
    /// Where each level-list field of the stream being decoded starts in the block's levels.
    private var levelOffsets: [Int] = []
    private var running: [Int] = []
    /// Where the order column starts in the timeline, to name it in an error.
    private var orderOffset = 0
    /// Whether the block's one stream has the receive times as its event times (its column
    /// holds the same bytes): they are then shared, not decoded.
    private var eventTimesAreReceiveTimes = false

    /// Creates a decoder.
    public init() {}

    /// Decodes the timeline and payload sections of a block into `block`, materialising only
    /// the events `filter` lets through.
    public mutating func decode(
        timeline: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer,
        into block: inout DecodedBlock, filter: EventFilter = .all
    ) throws(CodecError) {
        var reader = ByteReader(timeline)
        let count = try readHeader(&reader)
        block.reset(count: count)
        block.receiveTimes.removeAll(keepingCapacity: true)
        block.receiveTimes.reserveCapacity(count)
        let receiveStart = reader.offset
        try Self.readReceiveTimes(&reader, count: count, into: &block.receiveTimes)
        let receiveColumn = UnsafeRawBufferPointer(rebasing: timeline[receiveStart..<reader.offset])
        eventTimesAreReceiveTimes = false
        try readOrder(&reader, count: count)
        try reader.expectEnd()
        try decodePayload(payload, receiveColumn: receiveColumn, into: &block, filter: filter)
        try fillEvents(into: &block)
    }

    /// The index of the first event received at or after `time` in a block's timeline, or
    /// the block's event count when there is none; decodes only as far as the answer.
    public mutating func firstIndex(atOrAfter time: Timestamp, timeline: UnsafeRawBufferPointer) throws(CodecError) -> (index: Int, count: Int) {
        var reader = ByteReader(timeline)
        let count = try readHeader(&reader)
        return (try IntColumn.firstIndex(atOrAfter: time.nanosSinceEpoch, count: count, from: &reader), count)
    }

    /// Reads the version, counts and stream table; returns the number of events.
    private mutating func readHeader(_ reader: inout ByteReader) throws(CodecError) -> Int {
        let version = try reader.readByte()
        // Version 2 added the grouped column layouts, 3 their three-byte width; older blocks
        // read as they are.
        guard version >= 1 && version <= BlockFormat.version else { throw .unsupportedVersion(what: "block encoding", version: Int(version)) }
        let countOffset = reader.offset
        let count = try reader.readCount(limit: BlockFormat.maximumEvents, field: "event count")
        guard count > 0 else { throw .invalidValue(field: "event count", offset: countOffset) }
        let streamOffset = reader.offset
        let streamCount = try reader.readCount(limit: BlockFormat.maximumStreams, field: "stream count")
        guard streamCount > 0 && streamCount <= count else { throw .invalidValue(field: "stream count", offset: streamOffset) }
        streams.removeAll(keepingCapacity: true)
        var total = 0
        for _ in 0..<streamCount {
            let typeOffset = reader.offset
            guard let type = EventType(rawValue: try reader.readByte()) else {
                throw .invalidValue(field: "event type", offset: typeOffset)
            }
            let version = try reader.readByte()
            guard version >= 1 && version <= type.codecVersion else {
                throw .unsupportedVersion(what: "\(type.label) codec", version: Int(version))
            }
            let instrument = try reader.readCount(limit: Int(UInt32.max), field: "instrument")
            let eventsOffset = reader.offset
            let events = try reader.readCount(limit: count, field: "stream event count")
            guard events > 0 else { throw .invalidValue(field: "stream event count", offset: eventsOffset) }
            total += events
            streams.append(StreamInfo(type: type, version: version, instrument: InstrumentID(rawValue: UInt32(instrument)), count: events))
        }
        guard total == count else { throw .invalidValue(field: "stream event counts", offset: streamOffset) }
        return count
    }

    private static func readReceiveTimes(_ reader: inout ByteReader, count: Int, into times: inout [Int64]) throws(CodecError) {
        let offset = reader.offset
        try readColumn(&reader, count: count, into: &times)
        var previous = Int64.min
        for time in times {
            guard time >= previous else { throw .invalidValue(field: "receive time order", offset: offset) }
            previous = time
        }
    }

    /// Reads the stream of each event (checked by `fillEvents`, as it counts them).
    private mutating func readOrder(_ reader: inout ByteReader, count: Int) throws(CodecError) {
        order.removeAll()
        orderOffset = reader.offset
        guard streams.count > 1 else { return }
        try Self.readColumn(&reader, count: count, into: order)
    }

    /// Appends `count` decoded values to `buffer`, written once (no zero-fill first).
    private static func readColumn(_ reader: inout ByteReader, count: Int, into buffer: RawBuffer<Int64>) throws(CodecError) {
        try IntColumn.decode(count: count, from: &reader, into: buffer.extend(by: count))
    }

    /// Appends `count` decoded values to `array`, written once.
    private static func readColumn(_ reader: inout ByteReader, count: Int, into array: inout [Int64]) throws(CodecError) {
        try array.append(count: count) { (room) throws(CodecError) in try IntColumn.decode(count: count, from: &reader, into: room) }
    }

    /// Steps `reader` over `column` when its next bytes are the same bytes. A column that is
    /// byte for byte another decodes to the same values: a trade stream's event times, when
    /// the venue gives one time (a trades dump), are its receive times, and are not decoded.
    private static func skip(_ column: UnsafeRawBufferPointer, in reader: inout ByteReader) -> Bool {
        guard !column.isEmpty, reader.buffer.count - reader.offset >= column.count,
              memcmp(reader.buffer.baseAddress! + reader.offset, column.baseAddress!, column.count) == 0 else { return false }
        reader.offset += column.count
        return true
    }

    /// Decodes the streams `filter` lets through; `receiveColumn` is the timeline's receive-time
    /// column, which a trade stream's event times may repeat.
    private mutating func decodePayload(
        _ payload: UnsafeRawBufferPointer, receiveColumn: UnsafeRawBufferPointer, into block: inout DecodedBlock, filter: EventFilter
    ) throws(CodecError) {
        var reader = ByteReader(payload)
        values.removeAll()
        blob.removeAll(keepingCapacity: true)
        for index in streams.indices {
            let sectionLength = Int(try reader.readLittleEndianUInt32())
            let section = try reader.readBytes(sectionLength)
            let stream = streams[index]
            guard filter.includes(stream.type, stream.instrument) else { continue }
            streams[index].included = true
            streams[index].base = values.count
            streams[index].firstSlot = block.payloads.count(of: stream.type)
            var sectionReader = ByteReader(section)
            if stream.type == .trade, stream.version == Trade.codecVersion, let words = Self.tradeWords {
                try decodeTrades(count: stream.count, words: words, receiveColumn: receiveColumn, from: &sectionReader, into: &block)
                try sectionReader.expectEnd()
            } else {
                try decodeColumns(of: stream, from: &sectionReader, into: &block)
                try sectionReader.expectEnd()
                try materialize(stream, base: streams[index].base, into: &block)
            }
        }
        try reader.expectEnd()
    }

    private mutating func decodeColumns(of stream: StreamInfo, from reader: inout ByteReader, into block: inout DecodedBlock) throws(CodecError) {
        let kinds = stream.type.fieldKinds(version: stream.version)
        bytesStarts.removeAll(keepingCapacity: true)
        bytesStarts.append(contentsOf: repeatElement(0, count: kinds.count))
        levelOffsets.removeAll(keepingCapacity: true)
        for column in 0...kinds.count {
            let columnStart = values.count
            try Self.readColumn(&reader, count: stream.count, into: values)
            guard column > 0 else { continue }
            switch kinds[column - 1] {
            case .int:
                continue
            case .bytes:
                bytesStarts[column - 1] = blob.count
                try readBytes(&reader, lengthsFrom: columnStart, count: stream.count)
            case .levels:
                levelOffsets.append(try readLevels(&reader, countsFrom: columnStart, into: &block))
            }
        }
    }

    /// Turns a column of byte-string lengths into absolute end offsets into `blob` and reads
    /// the bytes after it.
    private mutating func readBytes(_ reader: inout ByteReader, lengthsFrom columnStart: Int, count: Int) throws(CodecError) {
        let totalOffset = reader.offset
        let total = try reader.readCount(limit: maximumFieldBytes * count, field: "byte-string column length")
        var end = blob.count
        for index in columnStart..<values.count {
            let length = values[index]
            guard length >= 0 && length <= Int64(maximumFieldBytes) else {
                throw .invalidValue(field: "byte-string length", offset: totalOffset)
            }
            end += Int(length)
            values[index] = Int64(end)
        }
        guard end - blob.count == total else { throw .invalidValue(field: "byte-string column length", offset: totalOffset) }
        blob.append(contentsOf: try reader.readBytes(total))
    }

    /// Turns a column of level counts into end offsets into the field's levels, and decodes
    /// those from the price and size columns after it into the block's levels; returns where
    /// they start there.
    private mutating func readLevels(_ reader: inout ByteReader, countsFrom columnStart: Int, into block: inout DecodedBlock) throws(CodecError) -> Int {
        let offset = reader.offset
        var total = 0
        for index in columnStart..<values.count {
            let count = values[index]
            guard count >= 0 && count <= Int64(maximumLevels) else { throw .invalidValue(field: "level count", offset: offset) }
            total += Int(count)
            guard total <= BlockFormat.maximumLevels else { throw .invalidValue(field: "level count", offset: offset) }
            values[index] = Int64(total)
        }
        // A diff names its levels by 32-bit offsets into the block's levels: a block claiming
        // more (many streams of the most levels a field may hold) is refused, not wrapped.
        guard block.payloads.levels.count + total <= Int(Int32.max) else { throw .invalidValue(field: "level count", offset: offset) }
        let (start, room) = block.payloads.extendLevels(by: total)
        guard total > 0 else { return start }
        // The price and size columns decode straight into the levels, two words apart. (A
        // failure leaves the block to be reset: it is never read.)
        try UnsafeMutableRawPointer(room).withMemoryRebound(to: Int64.self, capacity: 2 * total) { (words) throws(CodecError) in
            try IntColumn.decode(count: total, from: &reader, into: words + Self.priceWord, stride: 2)
            try IntColumn.decode(count: total, from: &reader, into: words + Self.sizeWord, stride: 2)
        }
        return start
    }

    /// Where a level's price and size sit in it, in 64-bit words.
    private static let priceWord = MemoryLayout<BookLevel>.offset(of: \BookLevel.price.units)! / 8
    private static let sizeWord = MemoryLayout<BookLevel>.offset(of: \BookLevel.size.units)! / 8

    /// Where a trade's fields sit in it, in 64-bit words, when each has a word of its own (the
    /// aggressor's code in the low byte of its word, the rest padding): then the trades decode
    /// straight into their array. Nil on a layout where they do not.
    private static let tradeWords: (price: Int, size: Int, aggressor: Int, tradeID: Int, stride: Int)? = {
        let price = MemoryLayout<Trade>.offset(of: \Trade.price.units)!
        let size = MemoryLayout<Trade>.offset(of: \Trade.size.units)!
        let aggressor = MemoryLayout<Trade>.offset(of: \Trade.aggressor)!
        let tradeID = MemoryLayout<Trade>.offset(of: \Trade.tradeID)!
        let stride = MemoryLayout<Trade>.stride
        let starts = [price, size, aggressor, tradeID].sorted()
        guard 1.littleEndian == 1, stride % 8 == 0, starts.allSatisfy({ $0 % 8 == 0 }), Set(starts).count == 4, starts.last! + 8 <= stride else { return nil }
        return (price / 8, size / 8, aggressor / 8, tradeID / 8, stride / 8)
    }()

    /// Decodes a trade stream's columns (`Trade.read(from:version:)`'s fields, in its order,
    /// after the event times) straight into the block's trades, each column into its field.
    /// (Through `values` and a materialising pass, the reader spent about a quarter more.) The
    /// event times of a block's one stream are not decoded when their column is byte for byte
    /// `receiveColumn`.
    private mutating func decodeTrades(
        count: Int, words: (price: Int, size: Int, aggressor: Int, tradeID: Int, stride: Int), receiveColumn: UnsafeRawBufferPointer,
        from reader: inout ByteReader, into block: inout DecodedBlock
    ) throws(CodecError) {
        if streams.count == 1 && Self.skip(receiveColumn, in: &reader) {
            eventTimesAreReceiveTimes = true
        } else {
            try Self.readColumn(&reader, count: count, into: values)
        }
        try block.payloads.appendTrades(count: count, words: words.stride) { (room) throws(CodecError) in
            try IntColumn.decode(count: count, from: &reader, into: room + words.price, stride: words.stride)
            try IntColumn.decode(count: count, from: &reader, into: room + words.size, stride: words.stride)
            let aggressorOffset = reader.offset
            try IntColumn.decode(count: count, from: &reader, into: room + words.aggressor, stride: words.stride)
            try IntColumn.decode(count: count, from: &reader, into: room + words.tradeID, stride: words.stride)
            // The aggressor's word holds a valid code, which its low byte gives the trade.
            for row in 0..<count {
                guard let code = UInt8(exactly: room[row &* words.stride &+ words.aggressor]), AggressorSide(rawValue: code) != nil else {
                    throw .invalidValue(field: "aggressor", offset: aggressorOffset)
                }
            }
        }
    }

    private func materialize(_ stream: StreamInfo, base: Int, into block: inout DecodedBlock) throws(CodecError) {
        let values = UnsafeBufferPointer(start: self.values.base, count: self.values.count)
        let result: Result<Void, CodecError> = {
            blob.withUnsafeBytes { blob in
                bytesStarts.withUnsafeBufferPointer { starts in
                    var columns = ColumnReader(
                        values: values.baseAddress! + base + stream.count, rows: stream.count,
                        blob: blob, bytesStarts: starts.baseAddress!, levels: block.payloads.levels.base, levelOffsets: levelOffsets,
                        kinds: stream.type.fieldKinds(version: stream.version)
                    )
                    do throws(CodecError) {
                        try block.payloads.append(stream.type, version: stream.version, count: stream.count, columns: &columns)
                        return .success(())
                    } catch {
                        return .failure(error)
                    }
                }
            }
        }()
        try result.get()
    }

    /// Fills the per-event arrays from the order column, which it checks: every index names a
    /// stream, and each stream appears exactly its count times.
    private mutating func fillEvents(into block: inout DecodedBlock) throws(CodecError) {
        let count = block.count
        if streams.count == 1 {
            // One stream (a trades-only journal, say): every array is a fill or a copy.
            let stream = streams[0]
            block.types.append(repeating: stream.type, count: count)
            block.instruments.append(repeating: stream.instrument, count: count)
            if stream.included {
                if eventTimesAreReceiveTimes {
                    block.eventTimes = block.receiveTimes
                } else {
                    block.eventTimes.append(contentsOf: UnsafeBufferPointer(start: values.base + stream.base, count: count))
                }
                block.slots.append(count: count) { slots in
                    for index in 0..<count { slots[index] = Int32(truncatingIfNeeded: stream.firstSlot &+ index) }
                }
            } else {
                block.eventTimes.append(repeating: 0, count: count)
                block.slots.append(repeating: -1, count: count)
            }
            return
        }
        running.removeAll(keepingCapacity: true)
        running.append(contentsOf: repeatElement(0, count: streams.count))
        block.types.append(repeating: .trade, count: count)
        block.instruments.append(repeating: .none, count: count)
        block.eventTimes.append(repeating: 0, count: count)
        block.slots.append(repeating: -1, count: count)
        var valid = true
        block.types.withUnsafeMutableBufferPointer { types in
            block.instruments.withUnsafeMutableBufferPointer { instruments in
                block.eventTimes.withUnsafeMutableBufferPointer { times in
                    block.slots.withUnsafeMutableBufferPointer { slots in
                        do {
                            let values = self.values.base
                            streams.withUnsafeBufferPointer { streams in
                                running.withUnsafeMutableBufferPointer { running in
                                    let order = self.order.base
                                    let streamCount = UInt64(streams.count)
                                    // (The counts add up to the block's: when no stream
                                    // appears more than its count, each appears exactly it.)
                                    for position in 0..<count {
                                        let index = Int(truncatingIfNeeded: order[position])
                                        guard UInt64(bitPattern: order[position]) < streamCount, running[index] < streams[index].count else {
                                            valid = false
                                            break
                                        }
                                        let row = running[index]
                                        running[index] = row &+ 1
                                        types[position] = streams[index].type
                                        instruments[position] = streams[index].instrument
                                        if streams[index].included {
                                            times[position] = values[streams[index].base &+ row]
                                            slots[position] = Int32(truncatingIfNeeded: streams[index].firstSlot &+ row)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard valid else { throw .invalidValue(field: "stream order", offset: orderOffset) }
    }
}

/// Reads one event's fields from decoded columns: field `c` of row `r` is
/// `values[c × rows + r]`; byte-string fields hold absolute end offsets into the blob.
struct ColumnReader: FieldReader {
    let values: UnsafePointer<Int64>
    let rows: Int
    let blob: UnsafeRawBufferPointer
    let bytesStarts: UnsafePointer<Int>
    /// The block's levels, where each level-list field's levels start there, and each field's
    /// position among the level-list fields.
    let levels: UnsafePointer<BookLevel>
    let levelOffsets: [Int]
    let levelOrdinals: [Int]
    var row = 0
    var column = 0

    init(values: UnsafePointer<Int64>, rows: Int, blob: UnsafeRawBufferPointer, bytesStarts: UnsafePointer<Int>, levels: UnsafePointer<BookLevel>, levelOffsets: [Int], kinds: [FieldKind]) {
        self.values = values
        self.rows = rows
        self.blob = blob
        self.bytesStarts = bytesStarts
        self.levels = levels
        self.levelOffsets = levelOffsets
        var ordinal = 0
        levelOrdinals = kinds.map { kind in
            guard kind == .levels else { return -1 }
            ordinal += 1
            return ordinal - 1
        }
    }

    @inline(__always) mutating func select(row: Int) {
        self.row = row
        column = 0
    }

    @inline(__always) mutating func readInt() throws(CodecError) -> Int64 {
        let value = values[column &* rows &+ row]
        column &+= 1
        return value
    }

    mutating func readBytes() throws(CodecError) -> UnsafeRawBufferPointer {
        let position = column * rows + row
        let end = Int(values[position])
        let start = row == 0 ? bytesStarts[column] : Int(values[position - 1])
        column += 1
        return UnsafeRawBufferPointer(rebasing: blob[start..<end])
    }

    mutating func readLevels() throws(CodecError) -> ArraySlice<BookLevel> {
        let range = levelRange()
        return ArraySlice(UnsafeBufferPointer(start: levels + Int(range.lowerBound), count: range.count))
    }

    /// Where the next field's level list is in the block's levels.
    @inline(__always) mutating func levelRange() -> Range<Int32> {
        let position = column &* rows &+ row
        let end = Int(values[position])
        let start = row == 0 ? 0 : Int(values[position &- 1])
        let offset = levelOffsets[levelOrdinals[column]]
        column &+= 1
        return Int32(truncatingIfNeeded: offset &+ start)..<Int32(truncatingIfNeeded: offset &+ end)
    }
}
