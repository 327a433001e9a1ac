public import TapeCore

/// A walk-forward fold enters a phase (train, purge, test, embargo) covering a slice of the
/// source journal.
public struct FoldBoundary: EventPayload, Hashable {
    public static let eventType = EventType.foldBoundary
    public static let fieldKinds: [FieldKind] = Array(repeating: .int, count: 6)

    public var fold: UInt32
    public var phase: FoldPhase
    /// The slice by receive time, end exclusive.
    public var start: Timestamp
    public var end: Timestamp
    /// The slice by source sequence, both ends inclusive.
    public var firstSequence: UInt64
    public var lastSequence: UInt64

    public init(fold: UInt32, phase: FoldPhase, start: Timestamp, end: Timestamp, firstSequence: UInt64, lastSequence: UInt64) {
        self.fold = fold
        self.phase = phase
        self.start = start
        self.end = end
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeInt(Int64(fold))
        writer.writeCode(phase)
        writer.writeTime(start)
        writer.writeTime(end)
        writer.writeUInt(firstSequence)
        writer.writeUInt(lastSequence)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> FoldBoundary {
        try check(version: version)
        return FoldBoundary(fold: try reader.readUInt32(field: "fold"), phase: try reader.readCode(FoldPhase.self, field: "phase"), start: try reader.readTime(), end: try reader.readTime(), firstSequence: try reader.readUInt(), lastSequence: try reader.readUInt())
    }
}
