import TapeCore
import Foundation

/// Maps the symbols a venue's data uses to the import's instruments, and gives their scales.
struct InstrumentResolver {
    struct Entry {
        let id: InstrumentID
        let instrument: Instrument
        let venueSymbol: [UInt8]
        var priceScale: Int { instrument.priceScale }
        var sizeScale: Int { instrument.sizeScale }
    }

    let entries: [Entry]
    private var lastSymbol: [UInt8] = []
    private var lastEntry: Int?

    init(_ instruments: [(InstrumentID, Instrument)]) {
        entries = instruments.map { Entry(id: $0.0, instrument: $0.1, venueSymbol: Array($0.1.venueSymbol.uppercased().utf8)) }
    }

    /// The only instrument of the import, for formats whose rows name none.
    var single: Entry? { entries.count == 1 ? entries[0] : nil }

    /// The instrument whose venue symbol is `symbol` (compared without case).
    mutating func lookup(_ symbol: UnsafeRawBufferPointer) -> Entry? {
        if let lastEntry, symbol.count == lastSymbol.count, lastSymbol.withUnsafeBytes({ memcmp($0.baseAddress!, symbol.baseAddress!, symbol.count) == 0 }) {
            return entries[lastEntry]
        }
        let upper = symbol.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
        guard let index = entries.firstIndex(where: { $0.venueSymbol == upper }) else { return nil }
        lastSymbol = Array(symbol)
        lastEntry = index
        return entries[index]
    }

    /// The venue symbols, for messages.
    var knownSymbols: String { entries.map { String(decoding: $0.venueSymbol, as: UTF8.self) }.joined(separator: ", ") }
}
