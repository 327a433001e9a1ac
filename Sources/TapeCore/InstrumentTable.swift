/// The instruments of one journal, in the order they were added; an instrument's id is its
/// position from 1. The table only grows: ids never change once events use them.
public struct InstrumentTable: Sendable, Equatable {
    /// The instruments, `instruments[i]` having id `i + 1`.
    public private(set) var instruments: [Instrument] = []
    private var idsByName: [String: InstrumentID] = [:]

    /// The encoding version `encoded()` writes.
    public static let encodingVersion: UInt8 = 1
    /// The most instruments a table may hold.
    public static let capacity = 1 << 20

    /// Creates an empty table.
    public init() {}

    /// Creates a table holding `instruments` in order.
    public init(_ instruments: [Instrument]) throws(InstrumentTableError) {
        for instrument in instruments { _ = try add(instrument) }
    }

    public static func == (lhs: InstrumentTable, rhs: InstrumentTable) -> Bool {
        lhs.instruments == rhs.instruments
    }

    /// The number of instruments.
    public var count: Int { instruments.count }

    /// The id of the instrument named `name` (`SYMBOL.VENUE`), if present.
    public func id(named name: String) -> InstrumentID? { idsByName[name] }

    /// The instrument with `id`, or nil for `.none` and unknown ids.
    public func instrument(_ id: InstrumentID) -> Instrument? {
        let index = Int(id.rawValue) - 1
        return index >= 0 && index < instruments.count ? instruments[index] : nil
    }

    /// The instrument with `id`; the id must be in the table.
    public subscript(id: InstrumentID) -> Instrument {
        guard let instrument = instrument(id) else { preconditionFailure("instrument \(id) is not in the table") }
        return instrument
    }

    /// Adds `instrument` and returns its id; an identical instrument already present keeps its
    /// id. A different definition under a name already present is refused, because the events
    /// stored under that id were scaled by the old definition.
    @discardableResult
    public mutating func add(_ instrument: Instrument) throws(InstrumentTableError) -> InstrumentID {
        let problems = instrument.problems()
        guard problems.isEmpty else { throw .invalid(name: instrument.name, problems: problems) }
        if let existing = idsByName[instrument.name] {
            guard self[existing] == instrument else { throw .conflicting(name: instrument.name) }
            return existing
        }
        guard instruments.count < Self.capacity else { throw .full }
        instruments.append(instrument)
        let id = InstrumentID(rawValue: UInt32(instruments.count))
        idsByName[instrument.name] = id
        return id
    }

    /// The canonical binary encoding: a version byte, the count, then each instrument's
    /// fields in declaration order (strings length-prefixed UTF-8, numbers as varints).
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(Self.encodingVersion)
        writer.writeVarint(UInt64(instruments.count))
        for instrument in instruments {
            writer.writeString(instrument.symbol)
            writer.writeString(instrument.venue)
            writer.writeString(instrument.venueSymbol)
            writer.write(instrument.kind.code)
            writer.writeString(instrument.baseCurrency)
            writer.writeString(instrument.quoteCurrency)
            writer.writeString(instrument.settlementCurrency)
            writer.write(UInt8(instrument.priceScale))
            writer.write(UInt8(instrument.sizeScale))
            writer.writeZigZag(instrument.priceIncrement.units)
            writer.writeZigZag(instrument.sizeIncrement.units)
            writer.writeZigZag(instrument.multiplier.units)
            writer.write(UInt8(instrument.multiplier.scale))
        }
        return writer.bytes
    }

    /// Decodes `encoded()`'s bytes.
    public init(decoding bytes: UnsafeRawBufferPointer) throws(CodecError) {
        var reader = ByteReader(bytes)
        let version = try reader.readByte()
        guard version == Self.encodingVersion else { throw .unsupportedVersion(what: "instrument table", version: Int(version)) }
        let count = try reader.readCount(limit: Self.capacity, field: "instrument count")
        for _ in 0..<count {
            let start = reader.offset
            let symbol = try reader.readString(limit: 256, field: "symbol")
            let venue = try reader.readString(limit: 256, field: "venue")
            let venueSymbol = try reader.readString(limit: 256, field: "venue symbol")
            let kindOffset = reader.offset
            guard let kind = InstrumentKind(code: try reader.readByte()) else {
                throw .invalidValue(field: "instrument kind", offset: kindOffset)
            }
            let base = try reader.readString(limit: 64, field: "base currency")
            let quote = try reader.readString(limit: 64, field: "quote currency")
            let settlement = try reader.readString(limit: 64, field: "settlement currency")
            let priceScale = Int(try reader.readByte())
            let sizeScale = Int(try reader.readByte())
            let priceIncrement = try reader.readZigZag()
            let sizeIncrement = try reader.readZigZag()
            let multiplierUnits = try reader.readZigZag()
            let multiplierScale = Int(try reader.readByte())
            guard multiplierScale <= FixedPoint.maximumScale else {
                throw .invalidValue(field: "multiplier scale", offset: reader.offset - 1)
            }
            let instrument = Instrument(
                symbol: symbol, venue: venue, venueSymbol: venueSymbol, kind: kind,
                baseCurrency: base, quoteCurrency: quote, settlementCurrency: settlement,
                priceScale: priceScale, sizeScale: sizeScale,
                priceIncrement: Price(units: priceIncrement), sizeIncrement: Quantity(units: sizeIncrement),
                multiplier: ScaledDecimal(units: multiplierUnits, scale: multiplierScale)
            )
            do {
                try add(instrument)
            } catch {
                throw .invalidValue(field: "instrument \(instrument.name)", offset: start)
            }
        }
        try reader.expectEnd()
    }
}

/// Why an instrument could not join a table.
public enum InstrumentTableError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(name: String, problems: [String])
    case conflicting(name: String)
    case full

    public var description: String {
        switch self {
        case .invalid(let name, let problems):
            "instrument \(name) is invalid: " + problems.joined(separator: "; ")
        case .conflicting(let name):
            "instrument \(name) is already in the journal with a different definition; "
                + "its stored prices and sizes depend on that definition, so it cannot change"
        case .full:
            "the instrument table is full (\(InstrumentTable.capacity) instruments)"
        }
    }
}
