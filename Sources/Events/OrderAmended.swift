public import TapeCore

/// An order's size or prices changed.
public struct OrderAmended: EventPayload, Hashable {
    public static let eventType = EventType.orderAmended
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int]

    public var orderID: UInt64
    public var quantity: Quantity
    public var price: Price
    public var triggerPrice: Price

    public init(orderID: UInt64, quantity: Quantity, price: Price, triggerPrice: Price) {
        self.orderID = orderID
        self.quantity = quantity
        self.price = price
        self.triggerPrice = triggerPrice
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(orderID)
        writer.writeInt(quantity.units)
        writer.writeInt(price.units)
        writer.writeInt(triggerPrice.units)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> OrderAmended {
        try check(version: version)
        return OrderAmended(orderID: try reader.readUInt(), quantity: Quantity(units: try reader.readInt()), price: Price(units: try reader.readInt()), triggerPrice: Price(units: try reader.readInt()))
    }
}
