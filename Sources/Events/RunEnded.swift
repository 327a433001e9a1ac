public import TapeCore

/// The last event of a run journal.
public struct RunEnded: EventPayload, Hashable {
    public static let eventType = EventType.runEnded
    public static let fieldKinds: [FieldKind] = [.int, .int, .int]

    public var status: RunStatus
    /// The last source sequence the run processed.
    public var lastSourceSequence: UInt64
    /// The number of events the run journal holds, this one included.
    public var eventCount: UInt64

    public init(status: RunStatus, lastSourceSequence: UInt64, eventCount: UInt64) {
        self.status = status
        self.lastSourceSequence = lastSourceSequence
        self.eventCount = eventCount
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeCode(status)
        writer.writeUInt(lastSourceSequence)
        writer.writeUInt(eventCount)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> RunEnded {
        try check(version: version)
        return RunEnded(status: try reader.readCode(RunStatus.self, field: "status"), lastSourceSequence: try reader.readUInt(), eventCount: try reader.readUInt())
    }
}
