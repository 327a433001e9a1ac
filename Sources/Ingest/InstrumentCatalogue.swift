public import TapeCore
import Foundation
import Configuration

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
        do throws(ConfigError) {
            try self.init(ConfigDocument(path: path))
        } catch {
            throw .catalogue(file: error.file, line: error.line, reason: error.reason)
        }
    }

    /// Reads a catalogue from YAML text.
    public init(yaml: String, source: String) throws(IngestError) {
        do throws(ConfigError) {
            try self.init(ConfigDocument(yaml: yaml, source: source))
        } catch {
            throw .catalogue(file: error.file, line: error.line, reason: error.reason)
        }
    }

    private init(_ document: ConfigDocument) throws(ConfigError) {
        source = document.root.source
        let top = try document.versioned(Self.version, allowed: ["instruments"], what: "the catalogue")
        var names = Set<String>()
        for entry in try top.required("instruments").list("instruments") {
            let instrument = try Self.instrument(entry)
            guard names.insert(instrument.name).inserted else { throw entry.error("\(instrument.name) is defined twice") }
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

    private static func instrument(_ node: ConfigNode) throws(ConfigError) -> Instrument {
        let fields = try node.mapping(allowed: keys, what: "an instrument")
        func text(_ key: String) throws(ConfigError) -> String { try fields.required(key).text(key) }
        let kindNode = try fields.required("kind")
        let kindText = try kindNode.text("kind")
        guard let kind = InstrumentKind(rawValue: kindText) else {
            throw kindNode.error("kind '\(kindText)' is not one of \(InstrumentKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let priceScale = try fields.required("price_decimals").integer("price_decimals", in: 0...FixedPoint.maximumScale)
        let sizeScale = try fields.required("size_decimals").integer("size_decimals", in: 0...FixedPoint.maximumScale)
        let multiplierNode = try fields.required("multiplier")
        let multiplierText = try multiplierNode.text("multiplier")
        let multiplier: ScaledDecimal
        do {
            multiplier = try ScaledDecimal(parsing: multiplierText)
        } catch {
            throw multiplierNode.error("multiplier '\(multiplierText)': \(error)")
        }
        let instrument = Instrument(
            symbol: try text("symbol"), venue: try text("venue"), venueSymbol: try text("venue_symbol"), kind: kind,
            baseCurrency: try text("base"), quoteCurrency: try text("quote"), settlementCurrency: try text("settlement"),
            priceScale: priceScale, sizeScale: sizeScale,
            priceIncrement: Price(units: try fields.required("price_increment").decimal("price_increment", scale: priceScale)),
            sizeIncrement: Quantity(units: try fields.required("size_increment").decimal("size_increment", scale: sizeScale)),
            multiplier: multiplier
        )
        let problems = instrument.problems()
        guard problems.isEmpty else { throw node.error("\(instrument.name): " + problems.joined(separator: "; ")) }
        return instrument
    }
}
