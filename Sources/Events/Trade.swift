public import TapeCore

/// A trade printed by a venue.
public struct Trade: EventPayload, Hashable {
    public static let eventType = EventType.trade
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int]

    /// The trade price.
    public var price: Price
    /// The traded size, never negative.
    public var size: Quantity
    /// The side of the taker, when the venue says (Binance: `m` true means the buyer was the
    /// maker, so the seller was the aggressor).
    public var aggressor: AggressorSide
    /// The venue's trade id, 0 when it gives none.
    public var tradeID: UInt64

    public init(price: Price, size: Quantity, aggressor: AggressorSide, tradeID: UInt64) {
        self.price = price
        self.size = size
        self.aggressor = aggressor
        self.tradeID = tradeID
    }

    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeInt(price.units)
        writer.writeInt(size.units)
        writer.writeCode(aggressor)
        writer.writeUInt(tradeID)
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> Trade {
        try check(version: version)
        return Trade(
            price: Price(units: try reader.readInt()),
            size: Quantity(units: try reader.readInt()),
            aggressor: try reader.readCode(AggressorSide.self, field: "aggressor"),
            tradeID: try reader.readUInt()
        )
    }
}
