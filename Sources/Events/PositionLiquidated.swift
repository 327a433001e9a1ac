public import TapeCore

/// A position was liquidated by the venue's rule (or the simulator applying it).
public struct PositionLiquidated: EventPayload, Hashable {
    public static let eventType = EventType.liquidation
    public static let fieldKinds: [FieldKind] = Array(repeating: .int, count: 6)

    /// The sequence number of the source event (usually a mark price) that crossed the liquidation price.
    public var causation: UInt64
    /// The side of the closing order.
    public var side: OrderSide
    public var quantity: Quantity
    public var price: Price
    /// The loss realised, in minor units of the settlement currency.
    public var loss: Money

    public init(causation: UInt64, side: OrderSide, quantity: Quantity, price: Price, loss: Money) {
        self.causation = causation
        self.side = side
        self.quantity = quantity
        self.price = price
        self.loss = loss
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(causation)
        writer.writeCode(side)
        writer.writeInt(quantity.units)
        writer.writeInt(price.units)
        writer.writeMoney(loss)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> PositionLiquidated {
        try check(version: version)
        return PositionLiquidated(causation: try reader.readUInt(), side: try reader.readCode(OrderSide.self, field: "side"), quantity: Quantity(units: try reader.readInt()), price: Price(units: try reader.readInt()), loss: try reader.readMoney())
    }
}
