import Foundation
import Testing
import TapeCore
import Events
import Journal
import Ingest
import TestSupport

/// Paths of the repository and of this target's fixtures.
enum Paths {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repository = tests.deletingLastPathComponent().deletingLastPathComponent()
    static func fixture(_ name: String) -> String { tests.appendingPathComponent("Fixtures/\(name)").path }
    static let sample = repository.appendingPathComponent("journal/samples/binance-usdm-btcusdt").path
    static let catalogue = repository.appendingPathComponent("projections/instruments.yaml").path
}

/// Imports into a fresh (or given) journal with the repository's catalogue.
struct ImportRun {
    let directory: TemporaryDirectory
    let journal: Journal

    init(_ directory: TemporaryDirectory = TemporaryDirectory("ingest")) throws {
        self.directory = directory
        journal = try Journal(path: directory.appending("journal"), readOnly: false, create: true, options: .init(blockEvents: 997))
    }

    @discardableResult
    func run(_ format: ImportFormat, _ files: [String], instruments: [String] = [], configure: (inout ImportRequest) -> Void = { _ in }) throws -> ImportSummary {
        var request = ImportRequest(format: format, files: files, toolVersion: "test", importedAt: Timestamp(nanosSinceEpoch: 1))
        request.instruments = instruments
        request.catalogue = try InstrumentCatalogue(path: Paths.catalogue)
        configure(&request)
        return try Importer.run(request, journal: journal)
    }

    /// Every event with its sequence.
    func events() throws -> [(UInt64, Event)] {
        try journal.read { snapshot in
            var all: [(UInt64, Event)] = []
            try snapshot.forEachEvent { sequence, event in
                all.append((sequence, event))
                return true
            }
            return all
        }
    }

    func instrument(_ id: InstrumentID) throws -> Instrument { try journal.instruments()[id] }
}

/// Decimal text in its shortest exact form ("61800.30" → "61800.3", "0.000" → "0"), the
/// form `FixedPoint.format` writes with no minimum decimals.
func canonical(_ text: String) -> String {
    if text.contains("e") || text.contains("E") {
        // Exponent notation (as Python writes small floats): expand exactly first.
        return canonical(Decimal(string: text)!.description)
    }
    var digits = text
    if digits.hasPrefix("+") { digits.removeFirst() }
    guard digits.contains(".") else { return digits == "-0" ? "0" : digits }
    while digits.hasSuffix("0") { digits.removeLast() }
    if digits.hasSuffix(".") { digits.removeLast() }
    if digits.isEmpty || digits == "-" { return "0" }
    if digits.hasPrefix(".") { digits = "0" + digits }
    if digits.hasPrefix("-.") { digits = "-0" + digits.dropFirst() }
    return digits == "-0" ? "0" : digits
}

/// The shortest exact text of a price or size of `instrument`.
func text(_ price: Price, _ instrument: Instrument) -> String { FixedPoint.format(price.units, scale: instrument.priceScale) }
func text(_ size: Quantity, _ instrument: Instrument) -> String { FixedPoint.format(size.units, scale: instrument.sizeScale) }

/// The time `count` units (by magnitude) after the epoch.
func epoch(_ count: Int64) -> Timestamp { Timestamp(epoch: count, unit: EpochUnit.guess(count))! }

/// The lines of a plain or gzip text file.
func lines(_ path: String) throws -> [String] {
    String(decoding: try fileBytes(path), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
}

/// Writes `text` to a new file in `directory` and returns its path.
func write(_ text: String, named name: String, in directory: TemporaryDirectory) throws -> String {
    let path = directory.appending(name)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Expects `body` to fail with an `IngestError` whose text is `expected`, and the journal to
/// be exactly as before.
func expectRefused(_ run: ImportRun, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) throws {
    let before = try run.journal.head()
    let beforeEvents = try run.events().map(\.1)
    do {
        try body()
        Issue.record("expected the import to fail with: \(expected)", sourceLocation: sourceLocation)
    } catch {
        #expect("\(error)" == expected, sourceLocation: sourceLocation)
    }
    #expect(try run.journal.head() == before, "the journal changed", sourceLocation: sourceLocation)
    #expect(try run.events().map(\.1) == beforeEvents, sourceLocation: sourceLocation)
    #expect(try run.journal.verify().isClean, sourceLocation: sourceLocation)
}
