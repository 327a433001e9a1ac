public import TapeCore

/// Where a stored snapshot is and what it covers; its payload is opaque to the journal
/// (Projections writes and reads it).
public struct SnapshotEntry: Sendable, Equatable {
    /// The group the snapshot belongs to: whoever stores snapshots picks it (Projections uses
    /// the hash of the projection configuration).
    public var namespace: Hash256
    /// The state covers events 1 … `sequence`.
    public var sequence: UInt64
    /// The receive time of event `sequence`.
    public var receiveTime: Timestamp
    /// The bytes the frame takes in the journal.
    public var storedBytes: Int

    public init(namespace: Hash256, sequence: UInt64, receiveTime: Timestamp, storedBytes: Int) {
        self.namespace = namespace
        self.sequence = sequence
        self.receiveTime = receiveTime
        self.storedBytes = storedBytes
    }
}

/// The stored form of a snapshot, little-endian (specs/journal-format.md §6):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic `TPSS` |
/// | 4 | 1 | frame version (1) |
/// | 5 | 1 | flags: bit 0 payload is zstd |
/// | 6 | 2 | reserved, 0 |
/// | 8 | 8 | sequence |
/// | 16 | 8 | receive time (ns) |
/// | 24 | 4 | payload raw length |
/// | 28 | 4 | payload stored length `S` |
/// | 32 | S | payload as stored |
/// | 32 + S | 8 | XXH64 (seed 0) of bytes 0 ..< 32 + S |
///
/// Its key in the `snapshots` database is the 32-byte namespace then the sequence, 8 bytes
/// big-endian, so that the snapshots of one namespace sort by sequence.
enum SnapshotFrame {
    static let magic: [UInt8] = [0x54, 0x50, 0x53, 0x53]
    static let version: UInt8 = 1
    static let headerSize = 32
    static let compressed: UInt8 = 1

    static func key(_ namespace: Hash256, _ sequence: UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: 40)
        writer.write(contentsOf: namespace.bytes)
        writer.writeBigEndian(sequence)
        return writer.bytes
    }

    static func write(sequence: UInt64, receiveTime: Timestamp, payload: [UInt8], compressor: ZstdCompressor) throws(JournalError) -> [UInt8] {
        var header = ByteWriter(capacity: headerSize)
        header.write(contentsOf: magic)
        header.write(version)
        header.write(0)  // flags, patched below
        header.writeLittleEndian(UInt16(0))
        header.writeLittleEndian(sequence)
        header.writeLittleEndian(UInt64(bitPattern: receiveTime.nanosSinceEpoch))
        header.writeLittleEndian(UInt32(payload.count))
        header.writeLittleEndian(UInt32(0))  // stored length, patched below
        var output = header.bytes
        let (stored, isCompressed) = try BlockFrame.appendSection(payload, compressor: compressor, to: &output)
        output[5] = isCompressed ? compressed : 0
        for byte in 0..<4 { output[28 + byte] = UInt8(truncatingIfNeeded: stored >> (8 * byte)) }
        let sum = Checksum.xxh64(output)
        for byte in 0..<8 { output.append(UInt8(truncatingIfNeeded: sum >> UInt64(8 * byte))) }
        return output
    }

    /// Checks a stored frame and returns its sequence, receive time and payload (decompressed).
    static func read(_ value: UnsafeRawBufferPointer, decompressor: ZstdDecompressor?) throws(Damage) -> (UInt64, Timestamp, [UInt8]?) {
        guard value.count >= headerSize + 8 else { throw .malformed("value of \(value.count) bytes is shorter than a snapshot header") }
        let body = UnsafeRawBufferPointer(rebasing: value[0..<(value.count - 8)])
        let stored = UInt64(littleEndian: value.loadUnaligned(fromByteOffset: value.count - 8, as: UInt64.self))
        guard Checksum.xxh64(body) == stored else { throw .malformed("checksum mismatch") }
        guard Array(value[0..<4]) == magic else { throw .malformed("bad magic") }
        guard value[4] == version else { throw .malformed("unknown snapshot frame version \(value[4])") }
        let flags = value[5]
        guard flags & ~compressed == 0, value[6] == 0, value[7] == 0 else { throw .malformed("unknown flags") }
        func word64(_ offset: Int) -> UInt64 { UInt64(littleEndian: value.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
        func word32(_ offset: Int) -> Int { Int(UInt32(littleEndian: value.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
        let sequence = word64(8)
        let time = Timestamp(nanosSinceEpoch: Int64(bitPattern: word64(16)))
        let rawLength = word32(24)
        let storedLength = word32(28)
        guard headerSize + storedLength == body.count else { throw .malformed("stored length does not match the value's size") }
        guard let decompressor else { return (sequence, time, nil) }
        let section = UnsafeRawBufferPointer(rebasing: body[headerSize...])
        guard flags & compressed != 0 else {
            guard storedLength == rawLength else { throw .malformed("stored length differs from raw length") }
            return (sequence, time, Array(section))
        }
        guard rawLength <= 1 << 30 else { throw .malformed("impossible raw length") }
        var payload = [UInt8](repeating: 0, count: rawLength)
        if let problem = payload.withUnsafeMutableBytes({ decompressor.decompress(section, into: $0) }) {
            throw .malformed("payload: \(problem)")
        }
        return (sequence, time, payload)
    }

    struct Damage: Error {
        let reason: String
        static func malformed(_ reason: String) -> Damage { Damage(reason: reason) }
    }

    /// The namespace and sequence of a key, nil when it is not 40 bytes.
    static func parseKey(_ key: UnsafeRawBufferPointer) -> (Hash256, UInt64)? {
        guard key.count == 40, let namespace = Hash256(bytes: key[0..<32]) else { return nil }
        return (namespace, Journal.readBigEndian(key, at: 32))
    }
}

extension Journal {
    /// Stores snapshots in one durable transaction. Each covers events 1 … `sequence`, which
    /// must be in the journal; one stored again under the same namespace and sequence replaces
    /// the old one.
    public func storeSnapshots(_ snapshots: [(namespace: Hash256, sequence: UInt64, receiveTime: Timestamp, payload: [UInt8])]) throws(JournalError) {
        guard !isReadOnly else { throw .readOnly(path: path) }
        guard let database = snapshotsDatabase else { throw .notAJournal(path: path, reason: "no snapshots table") }
        let compressor = ZstdCompressor(level: options.compressionLevel)
        try environment.setSyncOnCommit(true)
        do {
            try environment.write { transaction in
                let head = try Self.readHead(transaction, meta, path)
                for snapshot in snapshots {
                    guard snapshot.sequence >= 1 && snapshot.sequence <= head.lastSequence else {
                        throw JournalError.snapshotBeyondEnd(path: path, sequence: snapshot.sequence, lastSequence: head.lastSequence)
                    }
                    let frame = try SnapshotFrame.write(sequence: snapshot.sequence, receiveTime: snapshot.receiveTime, payload: snapshot.payload, compressor: compressor)
                    try transaction.put(database, key: SnapshotFrame.key(snapshot.namespace, snapshot.sequence), value: frame)
                }
            }
        } catch let error as JournalError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }
}

extension JournalSnapshot {
    /// Every stored snapshot, by namespace then sequence; no payload is read.
    public func snapshotEntries() throws(JournalError) -> [SnapshotEntry] {
        guard let database = journal.snapshotsDatabase else { return [] }
        let path = journal.path
        return try transaction.withCursor(database) { (cursor: inout LMDBCursor) throws(JournalError) -> [SnapshotEntry] in
            var entries: [SnapshotEntry] = []
            var entry = try cursor.first()
            while let current = entry {
                guard let (namespace, sequence) = SnapshotFrame.parseKey(current.key) else {
                    throw .corruptSnapshot(path: path, sequence: 0, reason: "a key of \(current.key.count) bytes")
                }
                do throws(SnapshotFrame.Damage) {
                    let (storedSequence, time, _) = try SnapshotFrame.read(current.value, decompressor: nil)
                    guard storedSequence == sequence else { throw .malformed("frame says sequence \(storedSequence)") }
                    entries.append(SnapshotEntry(namespace: namespace, sequence: sequence, receiveTime: time, storedBytes: current.value.count))
                } catch {
                    throw .corruptSnapshot(path: path, sequence: sequence, reason: error.reason)
                }
                entry = try cursor.next()
            }
            return entries
        }
    }

    /// The latest snapshot of `namespace` covering at most events 1 … `sequence`, with its
    /// payload; nil when there is none.
    public func latestSnapshot(in namespace: Hash256, atOrBefore sequence: UInt64) throws(JournalError) -> (entry: SnapshotEntry, payload: [UInt8])? {
        guard let database = journal.snapshotsDatabase, sequence >= 1 else { return nil }
        let path = journal.path
        let probe = SnapshotFrame.key(namespace, sequence)
        return try transaction.withCursor(database) { (cursor: inout LMDBCursor) throws(JournalError) -> (entry: SnapshotEntry, payload: [UInt8])? in
            let found: Result<LMDBCursor.Entry?, JournalError> = probe.withUnsafeBytes { raw in
                do throws(JournalError) { return .success(try cursor.seek(atOrAfter: raw)) } catch { return .failure(error) }
            }
            // The first key after the probe, or the end: the candidate is the entry before it,
            // unless the probe itself is stored.
            var candidate = try found.get()
            if let current = candidate, SnapshotFrame.parseKey(current.key).map({ $0 == (namespace, sequence) }) != true {
                candidate = try cursor.previous()
            } else if candidate == nil {
                candidate = try cursor.last()
            }
            guard let current = candidate, let (storedNamespace, storedSequence) = SnapshotFrame.parseKey(current.key),
                  storedNamespace == namespace, storedSequence <= sequence else { return nil }
            do throws(SnapshotFrame.Damage) {
                let (frameSequence, time, payload) = try SnapshotFrame.read(current.value, decompressor: ZstdDecompressor())
                guard frameSequence == storedSequence, let payload else { throw .malformed("frame says sequence \(frameSequence)") }
                return (SnapshotEntry(namespace: namespace, sequence: storedSequence, receiveTime: time, storedBytes: current.value.count), payload)
            } catch {
                throw .corruptSnapshot(path: path, sequence: storedSequence, reason: error.reason)
            }
        }
    }
}
