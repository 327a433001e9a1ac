public import TapeCore

/// Part or all of an order was filled.
public struct FillRecorded: EventPayload, Hashable {
    public static let eventType = EventType.fill
    public static let fieldKinds: [FieldKind] = Array(repeating: .int, count: 9)

    public var orderID: UInt64
    /// The fill's id within the run (or the venue's trade id).
    public var fillID: UInt64
    /// The sequence number of the source event that produced the fill.
    public var causation: UInt64
    public var side: OrderSide
    public var price: Price
    public var quantity: Quantity
    /// The fee charged, in minor units of the instrument's settlement currency (negative for a rebate).
    public var fee: Money
    public var liquidity: Liquidity

    public init(orderID: UInt64, fillID: UInt64, causation: UInt64, side: OrderSide, price: Price, quantity: Quantity, fee: Money, liquidity: Liquidity) {
        self.orderID = orderID
        self.fillID = fillID
        self.causation = causation
        self.side = side
        self.price = price
        self.quantity = quantity
        self.fee = fee
        self.liquidity = liquidity
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(orderID)
        writer.writeUInt(fillID)
        writer.writeUInt(causation)
        writer.writeCode(side)
        writer.writeInt(price.units)
        writer.writeInt(quantity.units)
        writer.writeMoney(fee)
        writer.writeCode(liquidity)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> FillRecorded {
        try check(version: version)
        return FillRecorded(
            orderID: try reader.readUInt(), fillID: try reader.readUInt(), causation: try reader.readUInt(),
            side: try reader.readCode(OrderSide.self, field: "side"),
            price: Price(units: try reader.readInt()), quantity: Quantity(units: try reader.readInt()),
            fee: try reader.readMoney(), liquidity: try reader.readCode(Liquidity.self, field: "liquidity")
        )
    }
}
