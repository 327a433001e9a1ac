public import TapeCore
public import Events

/// What a journal holds, kept up to date by every commit: the sequence range, the receive-time
/// range, the number of blocks and bytes, and the number of events of each type.
public struct JournalHead: Equatable, Sendable {
    /// The number of events; sequences run from 1 to this.
    public var eventCount: UInt64 = 0
    /// The number of blocks.
    public var blockCount: UInt64 = 0
    /// The sum of the stored sizes of all blocks.
    public var storedBytes: UInt64 = 0
    /// The receive time of the first event, nil when empty.
    public var firstReceiveTime: Timestamp?
    /// The receive time of the last event, nil when empty.
    public var lastReceiveTime: Timestamp?
    /// The number of events of each type code (index = `EventType.rawValue`).
    var typeCounts = [UInt64](repeating: 0, count: 128)

    /// Creates the head of an empty journal.
    public init() {}

    /// The first sequence (1), or 0 when empty.
    public var firstSequence: UInt64 { eventCount > 0 ? 1 : 0 }
    /// The last sequence, or 0 when empty.
    public var lastSequence: UInt64 { eventCount }
    /// The sequence the next appended event gets.
    public var nextSequence: UInt64 { eventCount + 1 }

    /// The number of events of `type`.
    public func count(of type: EventType) -> UInt64 { typeCounts[Int(type.rawValue)] }

    /// The event types present with their counts, in type-code order.
    public var counts: [(type: EventType, count: UInt64)] {
        EventType.allCases.compactMap { type in
            let count = typeCounts[Int(type.rawValue)]
            return count > 0 ? (type, count) : nil
        }
    }

    static let encodingVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(Self.encodingVersion)
        writer.writeVarint(eventCount)
        writer.writeVarint(blockCount)
        writer.writeVarint(storedBytes)
        writer.writeZigZag(firstReceiveTime?.nanosSinceEpoch ?? 0)
        writer.writeZigZag(lastReceiveTime?.nanosSinceEpoch ?? 0)
        let present = counts
        writer.writeVarint(UInt64(present.count))
        for (type, count) in present {
            writer.write(type.rawValue)
            writer.writeVarint(count)
        }
        return writer.bytes
    }

    init(decoding bytes: UnsafeRawBufferPointer) throws(CodecError) {
        var reader = ByteReader(bytes)
        let version = try reader.readByte()
        guard version == Self.encodingVersion else { throw .unsupportedVersion(what: "journal head", version: Int(version)) }
        eventCount = try reader.readVarint()
        blockCount = try reader.readVarint()
        storedBytes = try reader.readVarint()
        let first = try reader.readZigZag()
        let last = try reader.readZigZag()
        if eventCount > 0 {
            firstReceiveTime = Timestamp(nanosSinceEpoch: first)
            lastReceiveTime = Timestamp(nanosSinceEpoch: last)
        }
        let present = try reader.readCount(limit: 128, field: "type count")
        for _ in 0..<present {
            let offset = reader.offset
            guard let type = EventType(rawValue: try reader.readByte()) else { throw .invalidValue(field: "event type", offset: offset) }
            typeCounts[Int(type.rawValue)] = try reader.readVarint()
        }
        try reader.expectEnd()
    }
}
