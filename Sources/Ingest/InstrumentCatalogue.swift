public import TapeCore
import Foundation
import Yams

/// Instrument definitions read from a YAML catalogue (see `projections/instruments.yaml`).
///
/// Every value is read as the text it was written as, so `price_increment: 0.10` is the exact
/// decimal 0.10, never a float. Unknown keys and bad values are errors with file and line.
public struct InstrumentCatalogue: Sendable {
    /// The catalogue format version this build reads.
    public static let version = 1

    /// The instruments in file order.
    public private(set) var instruments: [Instrument] = []
    /// Where the catalogue came from, for messages.
    public let source: String

    /// Reads a catalogue file.
    public init(path: String) throws(IngestError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .catalogue(file: path, line: nil, reason: "cannot read: \(error.localizedDescription)")
        }
        try self.init(yaml: text, source: path)
    }

    /// Reads a catalogue from YAML text.
    public init(yaml: String, source: String) throws(IngestError) {
        self.source = source
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw .catalogue(file: source, line: nil, reason: "not valid YAML: \(error)")
        }
        guard case .mapping(let top)? = root else { throw .catalogue(file: source, line: 1, reason: "expected a mapping with version and instruments") }
        try Self.checkKeys(top, allowed: ["version", "instruments"], source: source)
        guard let versionText = top["version"]?.string, Int(versionText) == Self.version else {
            throw .catalogue(file: source, line: top.mark.map { $0.line }, reason: "version must be \(Self.version)")
        }
        guard case .sequence(let entries)? = top["instruments"] else {
            throw .catalogue(file: source, line: top.mark.map { $0.line }, reason: "instruments must be a list")
        }
        var names = Set<String>()
        for entry in entries {
            let instrument = try Self.instrument(entry, source: source)
            guard names.insert(instrument.name).inserted else {
                throw .catalogue(file: source, line: entry.mark?.line, reason: "\(instrument.name) is defined twice")
            }
            instruments.append(instrument)
        }
    }

    /// The instrument named `name` (`SYMBOL.VENUE`).
    public func instrument(named name: String) -> Instrument? {
        instruments.first { $0.name == name }
    }

    private static let keys: Set<String> = [
        "symbol", "venue", "venue_symbol", "kind", "base", "quote", "settlement",
        "price_decimals", "size_decimals", "price_increment", "size_increment", "multiplier",
    ]

    private static func instrument(_ node: Node, source: String) throws(IngestError) -> Instrument {
        guard case .mapping(let fields) = node else { throw .catalogue(file: source, line: node.mark?.line, reason: "an instrument must be a mapping") }
        try checkKeys(fields, allowed: keys, source: source)
        func text(_ key: String) throws(IngestError) -> (String, Int?) {
            guard let value = fields[key], let string = value.string, !string.isEmpty else {
                throw .catalogue(file: source, line: fields.mark?.line, reason: "missing \(key)")
            }
            return (string, value.mark?.line)
        }
        func integer(_ key: String) throws(IngestError) -> Int {
            let (value, line) = try text(key)
            guard let number = Int(value), (0...FixedPoint.maximumScale).contains(number) else {
                throw .catalogue(file: source, line: line, reason: "\(key) must be an integer from 0 to 18")
            }
            return number
        }
        func scaled(_ key: String, scale: Int) throws(IngestError) -> Int64 {
            let (value, line) = try text(key)
            do {
                return try FixedPoint.parse(value, scale: scale)
            } catch {
                throw .catalogue(file: source, line: line, reason: "\(key) '\(value)': \(error)")
            }
        }
        let (kindText, kindLine) = try text("kind")
        guard let kind = InstrumentKind(rawValue: kindText) else {
            let known = InstrumentKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw .catalogue(file: source, line: kindLine, reason: "kind '\(kindText)' is not one of \(known)")
        }
        let priceScale = try integer("price_decimals")
        let sizeScale = try integer("size_decimals")
        let (multiplierText, multiplierLine) = try text("multiplier")
        let multiplier: ScaledDecimal
        do {
            multiplier = try ScaledDecimal(parsing: multiplierText)
        } catch {
            throw .catalogue(file: source, line: multiplierLine, reason: "multiplier '\(multiplierText)': \(error)")
        }
        let instrument = Instrument(
            symbol: try text("symbol").0, venue: try text("venue").0, venueSymbol: try text("venue_symbol").0, kind: kind,
            baseCurrency: try text("base").0, quoteCurrency: try text("quote").0, settlementCurrency: try text("settlement").0,
            priceScale: priceScale, sizeScale: sizeScale,
            priceIncrement: Price(units: try scaled("price_increment", scale: priceScale)),
            sizeIncrement: Quantity(units: try scaled("size_increment", scale: sizeScale)),
            multiplier: multiplier
        )
        let problems = instrument.problems()
        guard problems.isEmpty else {
            throw .catalogue(file: source, line: fields.mark?.line, reason: "\(instrument.name): " + problems.joined(separator: "; "))
        }
        return instrument
    }

    private static func checkKeys(_ mapping: Node.Mapping, allowed: Set<String>, source: String) throws(IngestError) {
        for (key, _) in mapping {
            guard let name = key.string, allowed.contains(name) else {
                throw .catalogue(file: source, line: key.mark?.line, reason: "unknown key '\(key.string ?? "?")' (known: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
    }
}
