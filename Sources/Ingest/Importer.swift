public import TapeCore
public import Events
public import Journal

/// What to import and how.
public struct ImportRequest: Sendable {
    public var format: ImportFormat
    /// Input paths; `-` alone reads standard input.
    public var files: [String]
    /// Instrument names (`SYMBOL.VENUE`); empty uses the format's default.
    public var instruments: [String] = []
    /// Where instrument definitions not yet in the journal come from.
    public var catalogue: InstrumentCatalogue?
    /// `--skip-bad FILE`: log rejected rows there and go on, instead of stopping.
    public var rejectLogPath: String?
    /// Import content whose hash the journal has seen before.
    public var force = false
    /// `trades-csv` and `bars-csv` column mapping: field → header name or 1-based index.
    public var mapping: [String: String] = [:]
    public var header: HeaderPolicy = .automatic
    /// The unit of integer times in mapped CSV (nil: by magnitude).
    public var timeUnit: EpochUnit?
    /// `bars-csv`: the bar length.
    public var barIntervalNanos: Int64?
    /// `bars-csv`: whether the time column is the bar's close (else its open).
    public var barTimeIsClose = false
    /// Standard input: commit chunks without syncing each to disk, and sync once at the end.
    /// A process crash still loses nothing committed; a machine crash may lose the last chunks.
    public var bulk = false
    /// Recorded in the import history.
    public var toolVersion: String
    /// Recorded in the import history (the wall clock, read by the caller).
    public var importedAt: Timestamp

    public init(format: ImportFormat, files: [String], toolVersion: String, importedAt: Timestamp) {
        self.format = format
        self.files = files
        self.toolVersion = toolVersion
        self.importedAt = importedAt
    }
}

/// How far an import has got, for progress displays.
public struct ImportProgress: Sendable {
    public var rows: UInt64
    public var events: UInt64
    /// Bytes of the input files read, as stored (compressed bytes for gzip).
    public var bytesRead: UInt64
    /// The total size of the input files, nil for standard input.
    public var bytesTotal: UInt64?
}

/// What an import did.
public struct ImportSummary: Sendable {
    /// The import as recorded in the journal's history.
    public var record: ImportRecord
    /// The events appended, by type, in type-code order.
    public var counts: [(type: EventType, count: UInt64)]
    /// Where rejected rows were logged.
    public var rejectLogPath: String?
    /// The number of events appended.
    public var eventCount: UInt64 { record.lastSequence >= record.firstSequence && record.firstSequence > 0 ? record.lastSequence - record.firstSequence + 1 : 0 }
}

/// Imports files into a journal: parses them, merges them by receive time, and appends the
/// events in one transaction, so that a failed or killed import leaves the journal exactly as
/// it was. Standard input is the exception: it is committed as it arrives (group commit), so
/// a live recorder can be piped in and followed.
public enum Importer {
    /// Events handed from a source to the journal at a time.
    static let batchEvents = 8_192
    /// Progress is reported at most this often, in rows.
    static let progressRows: UInt64 = 1 << 16

    /// Runs `request` against `journal`. `committed` is called after each commit, outside the
    /// write (once for files, after every chunk for standard input), with the journal's head;
    /// what it throws stops the import as `IngestError.afterCommit`, the events kept.
    public static func run(
        _ request: ImportRequest, journal: Journal, progress: (ImportProgress) -> Void = { _ in },
        committed: (JournalHead) throws -> Void = { _ in }
    ) throws(IngestError) -> ImportSummary {
        try validate(request)
        let definitions = try resolveInstruments(request, journal: journal)
        let rejects = try request.rejectLogPath.map { (path) throws(IngestError) in try RejectLog(path: path) }
        let inputs = try request.files.map { (path) throws(IngestError) in try InputFile(path: path) }
        let summary: ImportSummary
        do {
            if request.files == ["-"] {
                summary = try streamStandardInput(
                    request, input: inputs[0], definitions: definitions, rejects: rejects, journal: journal, progress: progress, committed: committed)
            } else {
                do {
                    summary = try importFiles(request, inputs: inputs, definitions: definitions, rejects: rejects, journal: journal, progress: progress)
                    try afterCommit(journal, committed)
                } catch let error as IngestError where !request.force {
                    // Re-importing a file fails on time order first; say so when that is why.
                    guard case .beforeJournalEnd = error else { throw error }
                    for input in inputs { try input.drain() }
                    let files = inputs.map { ImportRecord.File(path: $0.path, byteCount: $0.storedBytesRead, contentHash: $0.contentHash, rowCount: 0, rejectedCount: 0) }
                    try refuseRepeats(files, history: try journal.read { try $0.importHistory() })
                    throw error
                }
            }
        } catch let error as IngestError {
            try? rejects?.flush()  // the import's own error matters more than the log's
            throw error
        } catch let error as JournalError {
            try? rejects?.flush()  // the import's own error matters more than the log's
            throw .journal(error)
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
        try rejects?.flush()
        return summary
    }

    /// Calls `committed` with the journal's head; its error becomes `afterCommit`.
    private static func afterCommit(_ journal: Journal, _ committed: (JournalHead) throws -> Void) throws {
        let head = try journal.head()
        do {
            try committed(head)
        } catch {
            throw IngestError.afterCommit(sequence: head.lastSequence, reason: String(describing: error))
        }
    }

    private static func validate(_ request: ImportRequest) throws(IngestError) {
        guard !request.files.isEmpty else { throw .invalidOptions("no input files") }
        if request.files.contains("-") && request.files.count > 1 {
            throw .invalidOptions("standard input (-) cannot be merged with other files; import it alone")
        }
        if !request.mapping.isEmpty && !request.format.takesMapping {
            throw .invalidOptions("--map applies to trades-csv and bars-csv only")
        }
        if request.format == .barsCSV && request.barIntervalNanos == nil {
            throw .invalidOptions("bars-csv needs --interval (e.g. 1m, 1h, 1d)")
        }
        if request.format != .barsCSV && request.barIntervalNanos != nil {
            throw .invalidOptions("--interval applies to bars-csv only")
        }
        if request.bulk && request.files != ["-"] {
            throw .invalidOptions("--bulk applies to standard input (-): an import of files is one transaction, synced when it commits")
        }
    }

    /// The definitions of the import's instruments, from the journal's table or the catalogue.
    private static func resolveInstruments(_ request: ImportRequest, journal: Journal) throws(IngestError) -> [Instrument] {
        var names = request.instruments
        if names.isEmpty {
            guard let fallback = request.format.defaultInstrument else {
                throw .invalidOptions("\(request.format.rawValue) needs --instrument SYMBOL.VENUE (for example BTCUSDT-PERP.BINANCE); the catalogue lists the known ones")
            }
            names = [fallback]
        }
        if !request.format.namesInstruments && names.count > 1 {
            throw .invalidOptions("\(request.format.rawValue) rows do not name their instrument: give exactly one --instrument")
        }
        let table: InstrumentTable
        do { table = try journal.instruments() } catch { throw .journal(error) }
        var definitions: [Instrument] = []
        for name in names {
            if let id = table.id(named: name) {
                definitions.append(table[id])
            } else if let definition = request.catalogue?.instrument(named: name) {
                definitions.append(definition)
            } else {
                let source = request.catalogue.map { "the catalogue \($0.source)" } ?? "any catalogue (pass --instruments FILE)"
                throw .invalidOptions("unknown instrument \(name): it is neither in the journal nor in \(source)")
            }
        }
        var symbols = Set<String>()
        for definition in definitions where !symbols.insert(definition.venueSymbol.uppercased()).inserted {
            throw .invalidOptions("two instruments share the venue symbol \(definition.venueSymbol); import them separately")
        }
        return definitions
    }

    private static func makeSource(_ request: ImportRequest, input: InputFile, resolver: InstrumentResolver, rejects: RejectLog?) throws(IngestError) -> any EventSource {
        func single() -> InstrumentResolver.Entry {
            guard let entry = resolver.single else { preconditionFailure("one instrument was checked for") }
            return entry
        }
        switch request.format {
        case .binanceStream:
            return LineSource(input: input, parser: BinanceStreamParser(resolver: resolver), rejects: rejects)
        case .binanceTrades, .binanceAggregateTrades, .binanceKlines, .binanceBookTicker, .binanceFunding:
            let kinds: [ImportFormat: BinanceDumpParser.Kind] = [
                .binanceTrades: .trades, .binanceAggregateTrades: .aggregateTrades, .binanceKlines: .klines,
                .binanceBookTicker: .bookTicker, .binanceFunding: .funding,
            ]
            return LineSource(input: input, parser: BinanceDumpParser(kind: kinds[request.format]!, instrument: single()), rejects: rejects)
        case .tradesCSV, .barsCSV:
            let kind: MappedCSVParser.Kind = request.format == .tradesCSV
                ? .trades : .bars(intervalNanos: request.barIntervalNanos!, timeIsClose: request.barTimeIsClose)
            let parser = try MappedCSVParser(kind: kind, instrument: single(), mapping: request.mapping, header: request.header, timeUnit: request.timeUnit)
            return LineSource(input: input, parser: parser, rejects: rejects)
        case .fearGreed:
            return LineSource(input: input, parser: FearGreedParser(instrument: single()), rejects: rejects)
        case .whaleTransfers:
            return try WhaleTransfersParser.events(from: input, instrument: single(), rejects: rejects)
        }
    }

    private static func importFiles(
        _ request: ImportRequest, inputs: [InputFile], definitions: [Instrument], rejects: RejectLog?, journal: Journal,
        progress: (ImportProgress) -> Void
    ) throws -> ImportSummary {
        let total = inputs.reduce(UInt64(0)) { $0 + ($1.storedSize ?? 0) }
        return try journal.write(durability: .durable) { appender in
            let first = appender.nextSequence
            let countsBefore = appender.head
            let resolver = InstrumentResolver(try definitions.map { (try appender.add($0), $0) })
            let sources = try inputs.map { (input) throws(IngestError) in try makeSource(request, input: input, resolver: resolver, rejects: rejects) }
            var merger = Merger(sources: sources)
            var reported: UInt64 = 0
            func report() {
                progress(ImportProgress(rows: Merger.rows(sources), events: appender.appendedCount, bytesRead: Merger.bytesRead(sources), bytesTotal: total))
            }
            try merger.run { event, source in
                try append(event, from: sources[source].input, to: &appender)
                if appender.appendedCount - reported >= progressRows {
                    reported = appender.appendedCount
                    report()
                }
            }
            report()
            let files = sources.map { source in
                ImportRecord.File(path: source.input.path, byteCount: source.input.storedBytesRead, contentHash: source.input.contentHash,
                                  rowCount: source.rowCount, rejectedCount: source.rejectedCount)
            }
            if !request.force { try refuseRepeats(files, history: try appender.importHistory()) }
            let last = appender.nextSequence - 1
            let record = ImportRecord(
                format: request.format.rawValue, files: files, firstSequence: last >= first ? first : 0, lastSequence: last >= first ? last : 0,
                importedAt: request.importedAt, toolVersion: request.toolVersion, forced: request.force)
            appender.record(record)
            return ImportSummary(record: record, counts: difference(appender.head, countsBefore), rejectLogPath: rejects?.path)
        }
    }

    /// Appends an event read from `input`, naming the file when the journal already ends later.
    private static func append(_ event: Event, from input: InputFile, to appender: inout JournalAppender) throws {
        do {
            try appender.append(event)
        } catch .outOfOrder(let time, let end) {
            throw IngestError.beforeJournalEnd(file: input.path, receiveTime: time, journalEnd: end)
        }
    }

    /// Reads standard input and commits each chunk as it arrives.
    private static func streamStandardInput(
        _ request: ImportRequest, input: InputFile, definitions: [Instrument], rejects: RejectLog?, journal: Journal,
        progress: (ImportProgress) -> Void, committed: (JournalHead) throws -> Void
    ) throws -> ImportSummary {
        var source: (any EventSource)?
        var first: UInt64 = 0
        var before = JournalHead()
        var batch: [Event] = []
        var finished = false
        var summary: ImportSummary?
        while !finished {
            try journal.write(durability: request.bulk ? .bulk : .durable) { appender in
                if source == nil {
                    first = appender.nextSequence
                    before = appender.head
                    let resolver = InstrumentResolver(try definitions.map { (try appender.add($0), $0) })
                    source = try makeSource(request, input: input, resolver: resolver, rejects: rejects)
                }
                batch.removeAll(keepingCapacity: true)
                let more = try source!.read(into: &batch, limit: batchEvents * 8, stopAtChunkEnd: true)
                for event in batch { try append(event, from: input, to: &appender) }
                progress(ImportProgress(rows: source!.rowCount, events: appender.nextSequence - first, bytesRead: input.storedBytesRead, bytesTotal: nil))
                guard !more else { return }
                finished = true
                let last = appender.nextSequence - 1
                let file = ImportRecord.File(path: "-", byteCount: input.storedBytesRead, contentHash: input.contentHash,
                                             rowCount: source!.rowCount, rejectedCount: source!.rejectedCount)
                let record = ImportRecord(
                    format: request.format.rawValue, files: [file], firstSequence: last >= first ? first : 0, lastSequence: last >= first ? last : 0,
                    importedAt: request.importedAt, toolVersion: request.toolVersion, forced: request.force)
                appender.record(record)
                summary = ImportSummary(record: record, counts: difference(appender.head, before), rejectLogPath: rejects?.path)
            }
            try afterCommit(journal, committed)
        }
        if request.bulk { try journal.sync() }
        return summary!
    }

    private static func refuseRepeats(_ files: [ImportRecord.File], history: [ImportRecord]) throws(IngestError) {
        for file in files {
            for record in history {
                guard record.files.contains(where: { $0.contentHash == file.contentHash }) else { continue }
                throw .alreadyImported(file: file.path, contentHash: file.contentHash.description,
                                       sequences: "\(record.firstSequence)…\(record.lastSequence) on \(record.importedAt.iso8601)")
            }
        }
    }

    private static func difference(_ after: JournalHead, _ before: JournalHead) -> [(type: EventType, count: UInt64)] {
        after.counts.compactMap { entry in
            let added = entry.count - before.count(of: entry.type)
            return added > 0 ? (entry.type, added) : nil
        }
    }
}

/// Merges sources by receive time; equal times keep the order the files were given in.
private struct Merger {
    let sources: [any EventSource]
    private var batches: [[Event]]
    private var positions: [Int]

    init(sources: [any EventSource]) {
        self.sources = sources
        batches = Array(repeating: [], count: sources.count)
        positions = Array(repeating: 0, count: sources.count)
    }

    static func rows(_ sources: [any EventSource]) -> UInt64 { sources.reduce(0) { $0 + $1.rowCount } }
    static func bytesRead(_ sources: [any EventSource]) -> UInt64 { sources.reduce(0) { $0 + $1.input.storedBytesRead } }

    /// Fills source `index`'s batch; false when it is exhausted.
    private mutating func refill(_ index: Int) throws -> Bool {
        batches[index].removeAll(keepingCapacity: true)
        positions[index] = 0
        return try sources[index].read(into: &batches[index], limit: Importer.batchEvents, stopAtChunkEnd: false)
    }

    /// Calls `body` with every event of every source in receive-time order, and the index of
    /// the source it came from.
    mutating func run(_ body: (Event, Int) throws -> Void) throws {
        var live = try sources.indices.filter { index in try refill(index) }
        if live.count == 1 {
            let index = live[0]
            repeat {
                for event in batches[index] { try body(event, index) }
            } while try refill(index)
            return
        }
        while !live.isEmpty {
            var best = live[0]
            var bestTime = batches[best][positions[best]].receiveTime
            for index in live.dropFirst() where batches[index][positions[index]].receiveTime < bestTime {
                best = index
                bestTime = batches[index][positions[index]].receiveTime
            }
            try body(batches[best][positions[best]], best)
            positions[best] += 1
            if positions[best] == batches[best].count, try !refill(best) {
                live.removeAll { $0 == best }
            }
        }
    }
}
