public import TapeCore

/// The first event of a run journal: which source it reads, with which configuration, code
/// and seed. With these and the source journal, the run can be replayed exactly.
public struct RunStarted: EventPayload, Hashable {
    public static let eventType = EventType.runStarted
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int, .int, .int, .int, .int, .bytes, .int, .int]

    public var sourceJournal: JournalID
    /// The source sequence range the run reads.
    public var sourceFirstSequence: UInt64
    public var sourceLastSequence: UInt64
    /// The SHA-256 of the run's configuration files, canonicalised.
    public var configurationHash: Hash256
    /// The version of the code that ran (e.g. a git commit).
    public var codeVersion: String
    public var seed: UInt64
    public var kind: RunKind

    public init(sourceJournal: JournalID, sourceFirstSequence: UInt64, sourceLastSequence: UInt64, configurationHash: Hash256, codeVersion: String, seed: UInt64, kind: RunKind) {
        self.sourceJournal = sourceJournal
        self.sourceFirstSequence = sourceFirstSequence
        self.sourceLastSequence = sourceLastSequence
        self.configurationHash = configurationHash
        self.codeVersion = codeVersion
        self.seed = seed
        self.kind = kind
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(sourceJournal.high)
        writer.writeUInt(sourceJournal.low)
        writer.writeUInt(sourceFirstSequence)
        writer.writeUInt(sourceLastSequence)
        writer.writeHash(configurationHash)
        writer.writeString(codeVersion)
        writer.writeUInt(seed)
        writer.writeCode(kind)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> RunStarted {
        try check(version: version)
        let journal = JournalID(high: try reader.readUInt(), low: try reader.readUInt())
        let first = try reader.readUInt()
        let last = try reader.readUInt()
        let hash = try reader.readHash()
        return RunStarted(
            sourceJournal: journal, sourceFirstSequence: first, sourceLastSequence: last, configurationHash: hash,
            codeVersion: try reader.readString(field: "code version"), seed: try reader.readUInt(),
            kind: try reader.readCode(RunKind.self, field: "run kind")
        )
    }
}
