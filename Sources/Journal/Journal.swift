public import TapeCore
import Events
import Foundation

/// A journal: one LMDB environment in a directory holding an append-only sequence of events in
/// compressed, checksummed blocks, with a time index and metadata (format, id, instruments,
/// head, import history). See specs/journal-format.md for the layout.
///
/// Writes happen only inside `write(durability:_:)`, which commits when its closure returns
/// and rolls everything back when it throws; reads happen inside `read(_:)`, on a consistent
/// snapshot. Readers in other processes see each commit as soon as it is made.
public final class Journal {
    /// How a journal is opened and how its writer cuts blocks.
    public struct Options: Sendable {
        /// The LMDB map size: the most the data file can grow to. Address space only; the file
        /// grows as needed.
        public var mapSizeBytes: Int
        /// A block is sealed when it holds this many events…
        public var blockEvents: Int
        /// …or this many bytes of unencoded values, whichever comes first.
        public var blockBytes: Int
        /// The zstd level of block sections.
        public var compressionLevel: Int
        /// The id a journal created now gets; nil for a random one. Runs derive theirs from
        /// what they are, so that the same run writes the same journal.
        public var id: JournalID?

        public init(mapSizeBytes: Int = 1 << 40, blockEvents: Int = 8_192, blockBytes: Int = 4 << 20, compressionLevel: Int = 3, id: JournalID? = nil) {
            precondition(blockEvents >= 1 && blockEvents <= BlockFormat.maximumEvents, "blockEvents out of range")
            self.mapSizeBytes = mapSizeBytes
            self.blockEvents = blockEvents
            self.blockBytes = blockBytes
            self.compressionLevel = compressionLevel
            self.id = id
        }
    }

    /// When a commit reaches the disk.
    public enum Durability: Sendable {
        /// The commit is on disk (fsync) when `write` returns.
        case durable
        /// The commit is atomic but not synced; call `sync()` before relying on it after a
        /// machine crash. For bulk writers that commit often.
        case bulk
    }

    /// The journal format version this build writes and the newest it reads.
    public static let formatVersion: UInt8 = 1

    public let path: String
    public let id: JournalID
    public let options: Options
    public let isReadOnly: Bool

    let environment: LMDBEnvironment
    let blocks: LMDBDatabase
    let times: LMDBDatabase
    let meta: LMDBDatabase
    let imports: LMDBDatabase
    /// Stored projection snapshots; nil in a journal opened read-only before it had any.
    let snapshotsDatabase: LMDBDatabase?
    private var compressor: ZstdCompressor?
    private var buffers = AppendBuffers()

    enum MetaKey {
        static let format: [UInt8] = Array("format".utf8)
        static let id: [UInt8] = Array("id".utf8)
        static let head: [UInt8] = Array("head".utf8)
        static let instruments: [UInt8] = Array("instruments".utf8)
        /// Attachments are stored under this prefix and their name.
        static let attachmentPrefix = "attachment/"
    }

    /// Whether `path` holds a journal's data file.
    public static func exists(at path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/data.mdb")
    }

    /// Opens the journal in `path`, creating the directory and an empty journal when `create`
    /// is true and there is none.
    public init(path: String, readOnly: Bool = true, create: Bool = false, options: Options = Options()) throws(JournalError) {
        precondition(!(readOnly && create), "a journal cannot be created read-only")
        let creating = create && !Self.exists(at: path)
        if creating {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw .storage(path: path, function: "mkdir", code: 0, message: "\(error)")
            }
        } else if !Self.exists(at: path) {
            throw .notFound(path: path)
        }
        self.path = path
        self.options = options
        self.isReadOnly = readOnly
        environment = try LMDBEnvironment(path: path, mapSizeBytes: options.mapSizeBytes, maximumDatabases: 8, readOnly: readOnly)
        if creating { try Self.initialize(environment, id: options.id) }
        guard let blocks = try environment.openDatabase(named: "blocks", create: false),
              let times = try environment.openDatabase(named: "times", create: false),
              let meta = try environment.openDatabase(named: "meta", create: false),
              let imports = try environment.openDatabase(named: "imports", create: false)
        else { throw .notAJournal(path: path, reason: "missing tables") }
        self.blocks = blocks
        self.times = times
        self.meta = meta
        self.imports = imports
        snapshotsDatabase = try environment.openDatabase(named: "snapshots", create: !readOnly)
        let stored: (UInt8, JournalID) = try environment.read { (transaction: LMDBTransaction) throws(JournalError) -> (UInt8, JournalID) in
            guard let format = try transaction.get(meta, key: MetaKey.format), format.count == 1,
                  let idBytes = try transaction.get(meta, key: MetaKey.id), idBytes.count == 16 else {
                throw .notAJournal(path: path, reason: "missing format or id")
            }
            let high = idBytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = idBytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return (format[0], JournalID(high: high, low: low))
        }
        guard stored.0 >= 1 && stored.0 <= Self.formatVersion else {
            throw .notAJournal(path: path, reason: "format version \(stored.0) is newer than this build reads (\(Self.formatVersion))")
        }
        id = stored.1
    }

    private static func initialize(_ environment: LMDBEnvironment, id chosen: JournalID?) throws(JournalError) {
        for name in ["blocks", "times", "meta", "imports", "snapshots"] {
            _ = try environment.openDatabase(named: name, create: true)
        }
        guard let meta = try environment.openDatabase(named: "meta", create: false) else {
            throw .notAJournal(path: environment.path, reason: "could not create tables")
        }
        var random = SystemRandomNumberGenerator()
        let id = chosen ?? JournalID(high: random.next(), low: random.next())
        do {
            try environment.write { transaction in
                try transaction.put(meta, key: MetaKey.format, value: [formatVersion])
                try transaction.put(meta, key: MetaKey.id, value: id.bytes)
                try transaction.put(meta, key: MetaKey.head, value: JournalHead().encoded())
                try transaction.put(meta, key: MetaKey.instruments, value: InstrumentTable().encoded())
            }
        } catch let error as JournalError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    /// Runs `body` on a consistent snapshot of the journal.
    public func read<Result>(_ body: (JournalSnapshot) throws -> Result) throws -> Result {
        var outcome: Swift.Result<Result, any Error>?
        try environment.read { (transaction: LMDBTransaction) throws(JournalError) in
            let snapshot = try JournalSnapshot(journal: self, transaction: transaction)
            outcome = Swift.Result { try body(snapshot) }
        }
        return try outcome!.get()
    }

    /// The current head (a fresh snapshot).
    public func head() throws(JournalError) -> JournalHead {
        try environment.read { (transaction: LMDBTransaction) throws(JournalError) in try Self.readHead(transaction, meta, path) }
    }

    /// The current instrument table.
    public func instruments() throws(JournalError) -> InstrumentTable {
        try environment.read { (transaction: LMDBTransaction) throws(JournalError) in try Self.readInstruments(transaction, meta, path) }
    }

    /// Appends inside one transaction: `body` gets an appender; everything it appends, the
    /// instruments it adds and the imports it records are committed together when it returns,
    /// or not at all if it (or the commit) throws.
    public func write<Result>(durability: Durability = .durable, _ body: (inout JournalAppender) throws -> Result) throws -> Result {
        guard !isReadOnly else { throw JournalError.readOnly(path: path) }
        let compressor = compressor ?? ZstdCompressor(level: options.compressionLevel)
        self.compressor = compressor
        try environment.setSyncOnCommit(durability == .durable)
        var lent = AppendBuffers()
        swap(&lent, &buffers)
        return try environment.write { transaction in
            var appender = try JournalAppender(journal: self, transaction: transaction, compressor: compressor, buffers: lent)
            defer { buffers = appender.takeBuffers() }
            let result = try body(&appender)
            try appender.finish()
            return result
        }
    }

    /// Flushes every commit to disk (after `.bulk` writes).
    public func sync() throws(JournalError) {
        try environment.sync()
    }

    /// The bytes of the data file in use.
    public func usedBytes() throws(JournalError) -> Int {
        try environment.usedBytes()
    }

    static func readHead(_ transaction: LMDBTransaction, _ meta: LMDBDatabase, _ path: String) throws(JournalError) -> JournalHead {
        guard let bytes = try transaction.get(meta, key: MetaKey.head) else { throw .notAJournal(path: path, reason: "missing head") }
        do {
            return try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(CodecError) in try JournalHead(decoding: raw) }
        } catch {
            throw .notAJournal(path: path, reason: "unreadable head: \(error)")
        }
    }

    static func readInstruments(_ transaction: LMDBTransaction, _ meta: LMDBDatabase, _ path: String) throws(JournalError) -> InstrumentTable {
        guard let bytes = try transaction.get(meta, key: MetaKey.instruments) else { throw .notAJournal(path: path, reason: "missing instrument table") }
        do {
            return try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(CodecError) in try InstrumentTable(decoding: raw) }
        } catch {
            throw .notAJournal(path: path, reason: "unreadable instrument table: \(error)")
        }
    }

    func importHistory(_ transaction: LMDBTransaction) throws(JournalError) -> [ImportRecord] {
        try transaction.withCursor(imports) { (cursor: inout LMDBCursor) throws(JournalError) -> [ImportRecord] in
            var records: [ImportRecord] = []
            var entry = try cursor.first()
            while let current = entry {
                do {
                    records.append(try ImportRecord(decoding: current.value))
                } catch {
                    throw .notAJournal(path: path, reason: "unreadable import record: \(error)")
                }
                entry = try cursor.next()
            }
            return records
        }
    }

    /// The key of the block whose first sequence is `sequence`: 8 bytes big-endian.
    static func blockKey(_ sequence: UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: 8)
        writer.writeBigEndian(sequence)
        return writer.bytes
    }

    /// The time-index key: the block's last receive time (sign bit flipped so that it sorts
    /// as unsigned) then its first sequence, both big-endian.
    static func timeKey(lastReceiveTime: Int64, firstSequence: UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: 16)
        writer.writeBigEndian(UInt64(bitPattern: lastReceiveTime) ^ (1 << 63))
        writer.writeBigEndian(firstSequence)
        return writer.bytes
    }

    static func readBigEndian(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<(offset + 8) { value = value << 8 | UInt64(bytes[index]) }
        return value
    }
}
