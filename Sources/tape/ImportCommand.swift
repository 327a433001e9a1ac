import ArgumentParser
import Events
import Foundation
import Ingest
import Journal
import Projections
import TapeCore

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import files into a journal (created if missing), atomically.",
        discussion: """
            Formats (specs/import-formats.md has the details):
            \(ImportFormat.allCases.map { "  \($0.rawValue)\n      \($0.summary)" }.joined(separator: "\n"))

            Several files are merged by receive time. An import is one transaction: stopped by a bad row (reported as file:line: reason) or killed, it leaves the journal as it was. With --skip-bad FILE, rejected rows are logged to FILE as JSON lines and the import goes on. Content imported before (same SHA-256) is refused unless --force.

            The file - reads standard input and commits each chunk as it arrives, for piping a live recorder into a journal that others follow.

            Instrument definitions come from the journal, else from the catalogue: --instruments FILE, else $TAPE_INSTRUMENTS, else projections/instruments.yaml.

            With --snapshots, the projections (--projections) are snapshotted as tape snapshot does, after the import commits whenever it reached a new UTC day (or --snapshot-every more events): from standard input, as the days pass.
            """
    )

    @Argument(help: ArgumentHelp("The input format (listed above).", valueName: "format"))
    var format: String

    @Argument(help: ArgumentHelp("Input files, plain or gzip; - for standard input.", valueName: "file"))
    var files: [String]

    @OptionGroup var journalOption: JournalOption

    @Option(name: .customLong("instrument"), help: ArgumentHelp("An instrument of the data, SYMBOL.VENUE (repeatable).", valueName: "name"))
    var instruments: [String] = []

    @Option(name: .customLong("instruments"), help: ArgumentHelp("The instrument catalogue (YAML).", valueName: "file"))
    var catalogue: String?

    @Option(name: .customLong("skip-bad"), help: ArgumentHelp("Log rejected rows here and go on.", valueName: "file"))
    var skipBad: String?

    @Flag(help: "Import content whose hash the journal has seen before.")
    var force = false

    @Option(name: .customLong("map"), help: ArgumentHelp("trades-csv/bars-csv: field=column pairs, comma-separated; a column is a header name or a 1-based number.", valueName: "field=column,…"))
    var mappings: [String] = []

    @Option(help: ArgumentHelp("trades-csv/bars-csv: whether the first line is a header: auto, yes, no.", valueName: "auto|yes|no"))
    var header = "auto"

    @Option(name: .customLong("time-unit"), help: ArgumentHelp("trades-csv/bars-csv: the unit of integer times (default: by magnitude).", valueName: "s|ms|us|ns"))
    var timeUnit: String?

    @Option(help: ArgumentHelp("bars-csv: the bar length, e.g. 1m, 1h, 1d.", valueName: "duration"))
    var interval: String?

    @Option(name: .customLong("bar-time"), help: ArgumentHelp("bars-csv: whether the time column is the bar's open or close.", valueName: "open|close"))
    var barTime = "open"

    @Flag(help: "Standard input: commit chunks without syncing each; the end of input is synced.")
    var bulk = false

    @OptionGroup var blockEventsOption: BlockEventsOption

    @Flag(help: "Store snapshots of the projections as days complete (see tape snapshot).")
    var snapshots = false

    @Option(name: .customLong("snapshot-every"), help: ArgumentHelp("With --snapshots, also after every N-th event.", valueName: "n"))
    var snapshotEvery: UInt64?

    @OptionGroup var projectionsOption: ProjectionsOption

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let request = try makeRequest()
        let options = try blockEventsOption.journalOptions()
        if snapshotEvery == 0 { throw Failure.cannotRun("--snapshot-every must be at least 1") }
        if snapshotEvery != nil && !snapshots { throw Failure.cannotRun("--snapshot-every needs --snapshots") }
        let projections = snapshots ? try projectionsOption.load() : nil
        let started = Date()
        var stored: [UInt64] = []
        let summary: ImportSummary = try failing {
            let journal = try Journal(path: journalOption.journal, readOnly: false, create: true, options: options)
            var schedule = SnapshotSchedule(every: snapshotEvery, head: try journal.head())
            let display = ProgressLine(enabled: !json)
            defer { display.finish() }
            return try Importer.run(request, journal: journal, progress: { progress in
                let fraction = progress.bytesTotal.map { $0 > 0 ? Double(progress.bytesRead) / Double($0) : 0 }
                display.update(count: progress.rows, noun: "rows", fraction: fraction)
            }, committed: { head in
                guard let projections, schedule.isDue(head) else { return }
                stored += try Snapshotter.run(journal: journal, configuration: projections, every: snapshotEvery).stored
            })
        }
        ImportReport.print(summary, journal: journalOption.journal, json: json, seconds: Date().timeIntervalSince(started), snapshots: projections.map { _ in stored })
    }

    private func makeRequest() throws -> ImportRequest {
        guard let format = ImportFormat(rawValue: format) else {
            throw Failure.cannotRun("unknown format '\(format)' (known: \(ImportFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var request = ImportRequest(
            format: format, files: files, toolVersion: Tape.version,
            importedAt: Timestamp(nanosSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9)))
        request.instruments = instruments
        request.rejectLogPath = skipBad
        request.force = force
        request.bulk = bulk
        request.catalogue = try loadCatalogue()
        for pair in mappings.flatMap({ $0.split(separator: ",") }) {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw Failure.cannotRun("--map \(pair): expected field=column") }
            request.mapping[parts[0]] = parts[1]
        }
        guard let policy = HeaderPolicy(rawValue: header) else { throw Failure.cannotRun("--header \(header): expected auto, yes or no") }
        request.header = policy
        if let timeUnit {
            guard let unit = EpochUnit(rawValue: timeUnit) else { throw Failure.cannotRun("--time-unit \(timeUnit): expected s, ms, us or ns") }
            request.timeUnit = unit
        }
        request.barIntervalNanos = try interval.map { try Arguments.duration($0, option: "--interval") }
        guard barTime == "open" || barTime == "close" else { throw Failure.cannotRun("--bar-time \(barTime): expected open or close") }
        request.barTimeIsClose = barTime == "close"
        return request
    }

    private func loadCatalogue() throws -> InstrumentCatalogue? {
        let path = catalogue ?? ProcessInfo.processInfo.environment["TAPE_INSTRUMENTS"]
            ?? (FileManager.default.fileExists(atPath: "projections/instruments.yaml") ? "projections/instruments.yaml" : nil)
        return try path.map { path in try failing { try InstrumentCatalogue(path: path) } }
    }
}

/// The outcome of `import` and `merge`, as text or JSON (specs/cli.md).
enum ImportReport {
    /// `snapshots`: the sequences of the snapshots stored, when the command was asked to.
    static func print(_ summary: ImportSummary, journal: String, json: Bool, seconds: Double, snapshots: [UInt64]? = nil) {
        let record = summary.record
        let rejected = record.files.reduce(0) { $0 + $1.rejectedCount }
        if json {
            let value = JSONValue.object([
                ("journal", .string(journal)),
                ("format", .string(record.format)),
                ("events", .unsigned(summary.eventCount)),
                ("first_seq", .unsigned(record.firstSequence)),
                ("last_seq", .unsigned(record.lastSequence)),
                ("counts", .object(summary.counts.map { ($0.type.label, .unsigned($0.count)) })),
                ("files", .array(record.files.map(fileJSON))),
                ("rejected", .unsigned(rejected)),
                ("reject_log", summary.rejectLogPath.map { .string($0) } ?? .null),
            ] + (snapshots.map { [("snapshots", JSONValue.array($0.map { .unsigned($0) }))] } ?? []) + [
                ("seconds", .string(String(format: "%.3f", seconds))),
            ])
            Output.standard.line(value.text)
            return
        }
        let merged = record.format == JournalMerge.format
        let rows = record.files.reduce(0) { $0 + $1.rowCount }
        var text = "\(merged ? "merged" : "imported") \(summary.eventCount) events"
        if summary.eventCount > 0 { text += " as sequences \(record.firstSequence)…\(record.lastSequence)" }
        let noun = merged ? "journal" : "file"
        text += " from \(record.files.count) \(noun)\(record.files.count == 1 ? "" : "s")"
        if !merged {
            text += " (\(rows) rows" + (rejected > 0 ? ", \(rejected) rejected: see \(summary.rejectLogPath ?? "")" : "") + ")"
        }
        text += String(format: " into %@ in %.2f s", journal, seconds)
        Output.standard.line(text)
        if !summary.counts.isEmpty {
            Output.standard.line("  " + summary.counts.map { "\($0.type.label) \($0.count)" }.joined(separator: ", "))
        }
        if let snapshots {
            Output.standard.line("  stored \(snapshots.count) snapshot\(snapshots.count == 1 ? "" : "s")"
                                 + (snapshots.isEmpty ? " (none due)" : " (sequences \(snapshots.map(String.init).joined(separator: ", ")))"))
        }
    }

    static func fileJSON(_ file: ImportRecord.File) -> JSONValue {
        .object([
            ("path", .string(file.path)),
            ("bytes", .unsigned(file.byteCount)),
            ("sha256", .string(file.contentHash.description)),
            ("rows", .unsigned(file.rowCount)),
            ("rejected", .unsigned(file.rejectedCount)),
        ])
    }
}
