/// The position of an instrument in a journal's instrument table, from 1; 0 means "none"
/// (events that concern no instrument, such as run events).
public struct InstrumentID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The table position, from 1.
    public var rawValue: UInt32

    /// Creates an id from its table position.
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The id of no instrument.
    public static let none = InstrumentID(rawValue: 0)

    @inlinable public static func < (lhs: InstrumentID, rhs: InstrumentID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "#\(rawValue)" }
}

/// What kind of thing an instrument is. The last two are series that are observed but not
/// traded: a published index (a sentiment index) and a blockchain (on-chain flows).
public enum InstrumentKind: String, Sendable, CaseIterable {
    case spot
    case linearPerpetual = "linear_perpetual"
    case inversePerpetual = "inverse_perpetual"
    case future
    case equity
    case fx
    case index
    case chain

    /// The stable one-byte code used in encodings.
    public var code: UInt8 {
        switch self {
        case .spot: 1
        case .linearPerpetual: 2
        case .inversePerpetual: 3
        case .future: 4
        case .equity: 5
        case .fx: 6
        case .index: 7
        case .chain: 8
        }
    }

    /// The kind with this code, if any.
    public init?(code: UInt8) {
        guard let kind = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = kind
    }

    /// Whether orders can be placed on instruments of this kind.
    public var isTradable: Bool { self != .index && self != .chain }
}

/// Everything Tape needs to know about an instrument to store and interpret its numbers.
///
/// Prices are stored as integers at `priceScale` decimals and sizes at `sizeScale` decimals;
/// the increments (tick and lot) are what the venue lets orders use, and are at least one
/// unit of their scale. The scales can be finer than the increments: a venue's mark price
/// has more decimals than its tick.
public struct Instrument: Hashable, Sendable {
    /// The symbol within its venue, e.g. `BTCUSDT-PERP`.
    public var symbol: String
    /// The venue, e.g. `BINANCE`.
    public var venue: String
    /// How the venue's own data spells the instrument, e.g. `BTCUSDT`.
    public var venueSymbol: String
    /// What the instrument is.
    public var kind: InstrumentKind
    /// The asset a unit of size is counted in (the contract's underlying for derivatives).
    public var baseCurrency: String
    /// The currency prices are quoted in.
    public var quoteCurrency: String
    /// The currency profit, loss, fees and funding settle in.
    public var settlementCurrency: String
    /// Decimals of stored prices.
    public var priceScale: Int
    /// Decimals of stored sizes.
    public var sizeScale: Int
    /// The smallest price step orders may use (the tick), in price units.
    public var priceIncrement: Price
    /// The smallest size step orders may use (the lot), in size units.
    public var sizeIncrement: Quantity
    /// The contract multiplier: base units per contract for linear contracts, quote units per
    /// contract for inverse ones, 1 for spot.
    public var multiplier: ScaledDecimal

    /// Creates an instrument; `validate()` says whether it is consistent.
    public init(
        symbol: String, venue: String, venueSymbol: String, kind: InstrumentKind,
        baseCurrency: String, quoteCurrency: String, settlementCurrency: String,
        priceScale: Int, sizeScale: Int, priceIncrement: Price, sizeIncrement: Quantity,
        multiplier: ScaledDecimal
    ) {
        self.symbol = symbol
        self.venue = venue
        self.venueSymbol = venueSymbol
        self.kind = kind
        self.baseCurrency = baseCurrency
        self.quoteCurrency = quoteCurrency
        self.settlementCurrency = settlementCurrency
        self.priceScale = priceScale
        self.sizeScale = sizeScale
        self.priceIncrement = priceIncrement
        self.sizeIncrement = sizeIncrement
        self.multiplier = multiplier
    }

    /// The instrument's name, `SYMBOL.VENUE`, unique within a journal.
    public var name: String { "\(symbol).\(venue)" }

    /// The decimals a price is shown with at least: those of the tick.
    public var priceDisplayDecimals: Int { FixedPoint.significantDecimals(priceIncrement.units, scale: priceScale) }

    /// The decimals a size is shown with at least: those of the lot.
    public var sizeDisplayDecimals: Int { FixedPoint.significantDecimals(sizeIncrement.units, scale: sizeScale) }

    /// The problems that make this instrument unusable, empty when there are none.
    public func problems() -> [String] {
        var found: [String] = []
        if !Self.isValidName(symbol) { found.append("symbol '\(symbol)' must be non-empty and use only A-Z a-z 0-9 _ - /") }
        if !Self.isValidName(venue) { found.append("venue '\(venue)' must be non-empty and use only A-Z a-z 0-9 _ - /") }
        if venueSymbol.isEmpty { found.append("venue_symbol is empty") }
        if !(0...FixedPoint.maximumScale).contains(priceScale) { found.append("price_decimals must be 0…18") }
        if !(0...FixedPoint.maximumScale).contains(sizeScale) { found.append("size_decimals must be 0…18") }
        if priceIncrement.units <= 0 { found.append("price_increment must be positive and fit price_decimals") }
        if sizeIncrement.units <= 0 { found.append("size_increment must be positive and fit size_decimals") }
        if multiplier.units <= 0 { found.append("multiplier must be positive") }
        return found
    }

    private static func isValidName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == 0x5F || byte == 0x2D || byte == 0x2F
        }
    }
}
