import TapeCore
import Foundation

/// Maps the symbols a venue's data uses to the import's instruments, and gives their scales.
struct InstrumentResolver {
    /// What parsers need of an instrument: a trivial value, cheap to hand out per row.
    struct Entry {
        let id: InstrumentID
        let priceScale: Int
        let sizeScale: Int
    }

    let entries: [Entry]
    private let venueSymbols: [[UInt8]]
    private var lastSymbol: [UInt8] = []
    private var lastEntry: Int?

    init(_ instruments: [(InstrumentID, Instrument)]) {
        entries = instruments.map { Entry(id: $0.0, priceScale: $0.1.priceScale, sizeScale: $0.1.sizeScale) }
        venueSymbols = instruments.map { Array($0.1.venueSymbol.uppercased().utf8) }
    }

    /// The only instrument of the import, for formats whose rows name none.
    var single: Entry? { entries.count == 1 ? entries[0] : nil }

    /// The instrument whose venue symbol is `symbol` (compared without case).
    mutating func lookup(_ symbol: UnsafeRawBufferPointer) -> Entry? {
        if let lastEntry, symbol.count == lastSymbol.count, lastSymbol.withUnsafeBytes({ memcmp($0.baseAddress!, symbol.baseAddress!, symbol.count) == 0 }) {
            return entries[lastEntry]
        }
        let upper = symbol.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
        guard let index = venueSymbols.firstIndex(of: upper) else { return nil }
        lastSymbol = Array(symbol)
        lastEntry = index
        return entries[index]
    }

    /// The venue symbols, for messages.
    var knownSymbols: String { venueSymbols.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ", ") }
}
