public import TapeCore

/// A model or state checkpoint was written (learning runs).
public struct CheckpointSaved: EventPayload, Hashable {
    public static let eventType = EventType.checkpoint
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int, .int, .bytes]

    /// The training step or episode the checkpoint was taken at.
    public var step: UInt64
    /// The SHA-256 of the checkpoint's bytes.
    public var contentHash: Hash256
    /// Where the checkpoint was written, relative to the run directory.
    public var path: String

    public init(step: UInt64, contentHash: Hash256, path: String) {
        self.step = step
        self.contentHash = contentHash
        self.path = path
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(step)
        writer.writeHash(contentHash)
        writer.writeString(path)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> CheckpointSaved {
        try check(version: version)
        return CheckpointSaved(step: try reader.readUInt(), contentHash: try reader.readHash(), path: try reader.readString(field: "path"))
    }
}
