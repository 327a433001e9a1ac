import ArgumentParser
import Events
import Foundation
import Indicators
import Journal
import Projections
import TapeCore

struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Write the feature matrix of a range: one row per instrument at each close of the sample bars.",
        discussion: """
            The features are the configuration's features section (specs/projections.md §5). Rows hold the state after the event at which their bar closed, so nothing in a row was received after it. CSV: time,instrument,seq then one column per feature output, empty where undefined. NPY (--format npy, for numpy.load): a float64 matrix with the same columns (time as seconds since 1970, instrument as its id), NaN where undefined; the column names and instruments go to FILE.json. --list prints every indicator and stream source with its parameters.
            """
    )

    @OptionGroup var journalOption: JournalOption
    @OptionGroup var projectionsOption: ProjectionsOption

    @OptionGroup var rangeOption: RangeOption

    @Option(help: ArgumentHelp("The output file.", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("csv or npy (default: from the file's extension, else csv).", valueName: "format"))
    var format: String?

    @Flag(help: "List the indicators and stream sources features can use, and exit.")
    var list = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        if list {
            printCatalogue()
            return
        }
        guard let out else { throw Failure.cannotRun("--out FILE is needed (or --list)") }
        let kind = format ?? (out.hasSuffix(".npy") ? "npy" : "csv")
        guard kind == "csv" || kind == "npy" else { throw Failure.cannotRun("--format \(kind): expected csv or npy") }
        let configuration = try projectionsOption.load()
        guard let options = configuration.features else {
            throw Failure.cannotRun("\(configuration.source) has no features section")
        }
        let (from, to) = try rangeOption.positions()
        let started = Date()
        let (rows, instruments) = try failing { () throws -> (Int, InstrumentTable) in
            let journal = try Journal(path: journalOption.journal)
            let (range, table) = try journal.read { snapshot in
                var reader = BlockReader()
                return (try Arguments.range(from: from, to: to, snapshot: snapshot, reader: &reader), snapshot.instruments)
            }
            var writer = try MatrixWriter(path: out, npy: kind == "npy", columns: options.columns, instruments: table)
            _ = try Replayer.run(journal: journal, configuration: configuration, range: range, recordFeatures: true) { projections, _, _ in
                guard projections.features?.rows.isEmpty == false else { return }
                for row in projections.features!.takeRows() { try writer.write(row) }
            }
            try writer.finish()
            return (writer.rowCount, table)
        }
        let seconds = Date().timeIntervalSince(started)
        if json {
            Output.standard.line(JSONValue.object([
                ("journal", .string(journalOption.journal)),
                ("out", .string(out)),
                ("format", .string(kind)),
                ("rows", .unsigned(UInt64(rows))),
                ("columns", .array((["time", "instrument", "seq"] + options.columns).map { .string($0) })),
                ("instruments", .array(instruments.instruments.map { .string($0.name) })),
                ("seconds", .string(String(format: "%.3f", seconds))),
            ]).text)
        } else {
            Output.standard.line(String(format: "wrote %d rows × %d features to %@ in %.2f s", rows, options.columns.count, out, seconds))
        }
    }

    private func printCatalogue() {
        Output.standard.line("indicators (feature: {name: …, indicator: NAME, PARAMETER: value…, bars: SERIES, other: INSTRUMENT}):")
        for kind in IndicatorCatalog.all {
            let parameters = kind.parameters.map { "\($0.name)=\($0.isInteger ? String(Int($0.defaultValue)) : String($0.defaultValue))" }.joined(separator: " ")
            let outputs = kind.outputs == ["value"] ? "" : " → " + kind.outputs.joined(separator: ", ")
            let origin = kind.talib.map { " [TA-Lib \($0)]" } ?? ""
            Output.standard.line("  \(kind.name)(\(parameters))\(outputs)  \(kind.summary); reads \(kind.inputs)\(origin)")
        }
        Output.standard.line("stream sources (feature: {name: …, source: NAME, window: 5m | bps: 10 | instrument: NAME}):")
        for source in StreamFeature.allCases { Output.standard.line("  \(source.rawValue)") }
    }
}

/// Writes feature rows as CSV or as an NPY float64 matrix (with a JSON side file naming the
/// columns), streaming: the NPY header's row count is patched in at the end.
struct MatrixWriter {
    private let handle: FileHandle
    private let npy: Bool
    private let columns: [String]
    private let instruments: InstrumentTable
    private let path: String
    private(set) var rowCount = 0
    private var buffer: [UInt8] = []
    private static let headerLength = 128

    init(path: String, npy: Bool, columns: [String], instruments: InstrumentTable) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw Failure.cannotRun("\(path): cannot create the file")
        }
        self.handle = handle
        self.npy = npy
        self.columns = columns
        self.instruments = instruments
        self.path = path
        if npy {
            buffer = Self.npyHeader(rows: 0, columns: columns.count + 3)
        } else {
            buffer.append(contentsOf: (["time", "instrument", "seq"] + columns).joined(separator: ",").utf8)
            buffer.append(0x0A)
        }
    }

    /// The NPY 1.0 header for a C-order float64 matrix, padded to a fixed length so it can be
    /// rewritten in place.
    static func npyHeader(rows: Int, columns: Int) -> [UInt8] {
        var dictionary = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let fixed = 10  // magic (6), version (2), header length (2)
        dictionary += String(repeating: " ", count: headerLength - fixed - dictionary.utf8.count - 1) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(dictionary.utf8.count)
        bytes.append(UInt8(length & 0xFF))
        bytes.append(UInt8(length >> 8))
        bytes.append(contentsOf: dictionary.utf8)
        return bytes
    }

    mutating func write(_ row: FeatureRow) throws {
        rowCount += 1
        if npy {
            for value in [Double(row.time) / 1e9, Double(row.instrument.rawValue), Double(row.sequence)] + row.values {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { buffer.append(contentsOf: $0) }
            }
        } else {
            let name = instruments.instrument(row.instrument)?.name ?? row.instrument.description
            var line = "\(Timestamp(nanosSinceEpoch: row.time).iso8601),\(name),\(row.sequence)"
            for value in row.values { line += value.isFinite ? ",\(value)" : "," }
            buffer.append(contentsOf: line.utf8)
            buffer.append(0x0A)
        }
        if buffer.count >= 1 << 20 { try flush() }
    }

    private mutating func flush() throws {
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw Failure.cannotRun("\(path): \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func finish() throws {
        try flush()
        if npy {
            do {
                try handle.seek(toOffset: 0)
                try handle.write(contentsOf: Self.npyHeader(rows: rowCount, columns: columns.count + 3))
                let side = JSONValue.object([
                    ("columns", .array((["time", "instrument", "seq"] + columns).map { .string($0) })),
                    ("instruments", .object(instruments.instruments.enumerated().map { (String($0.offset + 1), .string($0.element.name)) })),
                ])
                try Data(side.text.utf8).write(to: URL(fileURLWithPath: path + ".json"))
            } catch {
                throw Failure.cannotRun("\(path): \(error.localizedDescription)")
            }
        }
        try? handle.close()  // the data is written; a failing close changes nothing of it
    }
}
