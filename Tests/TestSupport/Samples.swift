public import Foundation
import Ingest
public import Journal
import TapeCore

/// Paths of the repository's samples and configurations.
public enum Paths {
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let sample = repository.appendingPathComponent("journal/samples/binance-usdm-btcusdt").path
    public static let firstDay = "\(sample)/btcusdt_20230404.dat.gz"
    public static let secondDay = "\(sample)/btcusdt_20230405-0000-0002.dat.gz"
    public static let catalogue = repository.appendingPathComponent("projections/instruments.yaml").path
    public static let defaultProjections = repository.appendingPathComponent("projections/default.yaml").path
}

/// A journal of the bundled Binance capture (both files), or of given capture files.
public func sampleJournal(
    _ directory: TemporaryDirectory, name: String = "sample", files: [String] = [Paths.firstDay, Paths.secondDay], blockEvents: Int = 8_192
) throws -> Journal {
    let journal = try Journal(path: directory.appending(name), readOnly: false, create: true, options: .init(blockEvents: blockEvents))
    var request = ImportRequest(format: .binanceStream, files: files, toolVersion: "test", importedAt: Timestamp(nanosSinceEpoch: 1))
    request.instruments = ["BTCUSDT-PERP.BINANCE"]
    request.catalogue = try InstrumentCatalogue(path: Paths.catalogue)
    _ = try Importer.run(request, journal: journal)
    return journal
}

