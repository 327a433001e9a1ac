public import TapeCore

/// A forced liquidation order printed by a venue (Binance `forceOrder`).
public struct LiquidationPrint: EventPayload, Hashable {
    public static let eventType = EventType.liquidationPrint
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int, .int]

    /// The side of the liquidation order: `sell` closes a long.
    public var side: OrderSide
    public var price: Price
    public var size: Quantity
    /// The average fill price, when known.
    public var averagePrice: Price?

    public init(side: OrderSide, price: Price, size: Quantity, averagePrice: Price?) {
        self.side = side
        self.price = price
        self.size = size
        self.averagePrice = averagePrice
    }

    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeCode(side)
        writer.writeInt(price.units)
        writer.writeInt(size.units)
        writer.writeBool(averagePrice != nil)
        writer.writeInt(averagePrice?.units ?? 0)
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> LiquidationPrint {
        try check(version: version)
        let side = try reader.readCode(OrderSide.self, field: "side")
        let price = Price(units: try reader.readInt())
        let size = Quantity(units: try reader.readInt())
        let hasAverage = try reader.readBool(field: "average present")
        let average = Price(units: try reader.readInt())
        return LiquidationPrint(side: side, price: price, size: size, averagePrice: hasAverage ? average : nil)
    }
}
