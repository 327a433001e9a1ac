public import TapeCore

/// One import in a journal's history: what was read, its content hashes, and what it added.
public struct ImportRecord: Equatable, Sendable {
    /// One input file of an import.
    public struct File: Equatable, Sendable {
        /// The path as given on the command line.
        public var path: String
        /// The file's size in bytes.
        public var byteCount: UInt64
        /// The SHA-256 of the file's bytes as stored (compressed files are hashed compressed).
        public var contentHash: Hash256
        /// The rows (lines, records) read.
        public var rowCount: UInt64
        /// The rows rejected with `--skip-bad`.
        public var rejectedCount: UInt64

        public init(path: String, byteCount: UInt64, contentHash: Hash256, rowCount: UInt64, rejectedCount: UInt64) {
            self.path = path
            self.byteCount = byteCount
            self.contentHash = contentHash
            self.rowCount = rowCount
            self.rejectedCount = rejectedCount
        }
    }

    /// The import format's name (`binance-stream`, `fear-greed`, …).
    public var format: String
    public var files: [File]
    /// The sequences the import appended (both 0 when it appended nothing).
    public var firstSequence: UInt64
    public var lastSequence: UInt64
    /// The wall-clock time of the import (metadata only; no projection reads it).
    public var importedAt: Timestamp
    /// The version of Tape that imported.
    public var toolVersion: String
    /// Whether the import was forced past a repeated content hash.
    public var forced: Bool

    public init(format: String, files: [File], firstSequence: UInt64, lastSequence: UInt64, importedAt: Timestamp, toolVersion: String, forced: Bool) {
        self.format = format
        self.files = files
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
        self.importedAt = importedAt
        self.toolVersion = toolVersion
        self.forced = forced
    }

    static let encodingVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(Self.encodingVersion)
        writer.writeString(format)
        writer.writeVarint(UInt64(files.count))
        for file in files {
            writer.writeString(file.path)
            writer.writeVarint(file.byteCount)
            writer.write(contentsOf: file.contentHash.bytes)
            writer.writeVarint(file.rowCount)
            writer.writeVarint(file.rejectedCount)
        }
        writer.writeVarint(firstSequence)
        writer.writeVarint(lastSequence)
        writer.writeZigZag(importedAt.nanosSinceEpoch)
        writer.writeString(toolVersion)
        writer.write(forced ? 1 : 0)
        return writer.bytes
    }

    init(decoding bytes: UnsafeRawBufferPointer) throws(CodecError) {
        var reader = ByteReader(bytes)
        let version = try reader.readByte()
        guard version == Self.encodingVersion else { throw .unsupportedVersion(what: "import record", version: Int(version)) }
        format = try reader.readString(limit: 256, field: "format")
        files = []
        for _ in 0..<(try reader.readCount(limit: 1 << 20, field: "file count")) {
            let path = try reader.readString(limit: 1 << 16, field: "path")
            let size = try reader.readVarint()
            let hashOffset = reader.offset
            guard let hash = Hash256(bytes: try reader.readBytes(32)) else { throw .invalidValue(field: "content hash", offset: hashOffset) }
            files.append(File(path: path, byteCount: size, contentHash: hash, rowCount: try reader.readVarint(), rejectedCount: try reader.readVarint()))
        }
        firstSequence = try reader.readVarint()
        lastSequence = try reader.readVarint()
        importedAt = Timestamp(nanosSinceEpoch: try reader.readZigZag())
        toolVersion = try reader.readString(limit: 256, field: "tool version")
        let forcedOffset = reader.offset
        let forcedByte = try reader.readByte()
        guard forcedByte <= 1 else { throw .invalidValue(field: "forced", offset: forcedOffset) }
        forced = forcedByte == 1
        try reader.expectEnd()
    }
}
