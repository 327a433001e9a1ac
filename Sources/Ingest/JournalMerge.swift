import Crypto
import Events
public import Journal
public import TapeCore

/// `tape merge`: builds a new journal from several by receive time, for data that cannot be
/// appended to a journal that already ends later. Ties keep the order the sources are given in,
/// then each source's own order. Instruments are matched by name (`SYMBOL.VENUE`) and must have
/// the same definition in every source. The output records one history entry naming each
/// source with the SHA-256 of its events (their row encoding, in order: independent of block
/// layout), and commits in one transaction: interrupted, it leaves the output as it was.
public enum JournalMerge {
    /// The format name of a merge in the journal's history.
    public static let format = "journal"

    /// Merges `sources` (path as given, and the journal) into `output`, which must hold no events.
    public static func run(
        _ sources: [(path: String, journal: Journal)], into output: Journal, toolVersion: String, importedAt: Timestamp,
        progress: (ImportProgress) -> Void = { _ in }
    ) throws -> ImportSummary {
        guard !sources.isEmpty else { throw IngestError.invalidOptions("merge needs at least one source journal") }
        let existing = try output.head()
        guard existing.eventCount == 0 else {
            throw IngestError.invalidOptions("\(output.path) already holds \(existing.eventCount) events; merge builds a new journal")
        }
        var seen: [JournalID: String] = [:]
        for source in sources {
            let id = source.journal.id
            if let earlier = seen[id] {
                throw IngestError.invalidOptions("\(source.path) is the same journal as \(earlier) (id \(id))")
            }
            seen[id] = source.path
        }
        return try withSnapshots(sources.map(\.journal)) { snapshots in
            try merge(sources, snapshots: snapshots, into: output, toolVersion: toolVersion, importedAt: importedAt, progress: progress)
        }
    }

    /// Opens a read snapshot of every journal, nested, and calls `body` with all of them.
    private static func withSnapshots<Result>(_ journals: ArraySlice<Journal>, _ opened: [JournalSnapshot] = [], _ body: ([JournalSnapshot]) throws -> Result) throws -> Result {
        guard let first = journals.first else { return try body(opened) }
        return try first.read { snapshot in try withSnapshots(journals.dropFirst(), opened + [snapshot], body) }
    }

    private static func withSnapshots<Result>(_ journals: [Journal], _ body: ([JournalSnapshot]) throws -> Result) throws -> Result {
        try withSnapshots(journals[...], [], body)
    }

    private static func merge(
        _ sources: [(path: String, journal: Journal)], snapshots: [JournalSnapshot], into output: Journal, toolVersion: String, importedAt: Timestamp,
        progress: (ImportProgress) -> Void
    ) throws -> ImportSummary {
        let total = snapshots.reduce(UInt64(0)) { $0 + $1.head.eventCount }
        return try output.write(durability: .durable) { appender in
            var streams: [SourceStream] = []
            for (index, snapshot) in snapshots.enumerated() {
                var mapping = [InstrumentID.none]
                for instrument in snapshot.instruments.instruments {
                    do {
                        mapping.append(try appender.add(instrument))
                    } catch JournalError.instrument(.conflicting(let name)) {
                        throw IngestError.invalidOptions("\(sources[index].path): instrument \(name) is defined differently than in an earlier source")
                    } catch JournalError.instrument(let error) {
                        throw IngestError.invalidOptions("\(sources[index].path): \(error)")
                    }
                }
                streams.append(try SourceStream(path: sources[index].path, snapshot: snapshot, mapping: mapping))
            }
            var read: UInt64 = 0
            var frame = ByteWriter()
            while true {
                // The source whose next event was received first; ties go to the earlier source.
                var best = -1
                var bestTime = Int64.max
                for index in streams.indices {
                    if let time = streams[index].cursor.receiveTime, best < 0 || time < bestTime {
                        best = index
                        bestTime = time
                    }
                }
                guard best >= 0 else { break }
                let event = streams[best].cursor.event
                frame.removeAll()
                EventCodec.appendFrame(event, to: &frame)
                frame.withUnsafeBytes { streams[best].hasher.update(bufferPointer: $0) }
                var mapped = event
                mapped.instrument = streams[best].mapping[Int(event.instrument.rawValue)]
                try appender.append(mapped)
                try streams[best].cursor.advance()
                read += 1
                if read % 65_536 == 0 {
                    progress(ImportProgress(rows: read, events: read, bytesRead: read, bytesTotal: total))
                }
            }
            progress(ImportProgress(rows: read, events: read, bytesRead: read, bytesTotal: total))
            let files = zip(sources, streams).map { source, stream in
                ImportRecord.File(
                    path: source.path, byteCount: stream.cursor.snapshot.head.storedBytes, contentHash: Hash256(bytes: Array(stream.hasher.finalize()))!,
                    rowCount: stream.cursor.snapshot.head.eventCount, rejectedCount: 0)
            }
            let record = ImportRecord(
                format: format, files: files, firstSequence: read > 0 ? 1 : 0, lastSequence: read,
                importedAt: importedAt, toolVersion: toolVersion, forced: false)
            appender.record(record)
            return ImportSummary(record: record, counts: appender.head.counts, rejectLogPath: nil)
        }
    }
}

/// One source of a merge: its events pulled a block at a time.
private struct SourceStream {
    let path: String
    /// The output's id of each source instrument id (index 0: none).
    let mapping: [InstrumentID]
    var cursor: JournalCursor
    var hasher = SHA256()

    init(path: String, snapshot: JournalSnapshot, mapping: [InstrumentID]) throws {
        self.path = path
        self.mapping = mapping
        cursor = try JournalCursor(snapshot)
    }
}
