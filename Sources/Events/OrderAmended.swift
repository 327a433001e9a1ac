public import TapeCore

/// An order's size or prices changed.
public struct OrderAmended: EventPayload, Hashable {
    public static let eventType = EventType.orderAmended
    /// Version 2 added `causation`.
    public static let codecVersion: UInt8 = 2
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int, .int]

    public static func fieldKinds(version: UInt8) -> [FieldKind] {
        version >= 2 ? fieldKinds : fieldKinds.dropLast()
    }

    public var orderID: UInt64
    public var quantity: Quantity
    public var price: Price
    public var triggerPrice: Price
    /// The source sequence this reacted to (0 in codec version 1, which did not record it).
    public var causation: UInt64

    public init(orderID: UInt64, quantity: Quantity, price: Price, triggerPrice: Price, causation: UInt64) {
        self.orderID = orderID
        self.quantity = quantity
        self.price = price
        self.triggerPrice = triggerPrice
        self.causation = causation
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(orderID)
        writer.writeInt(quantity.units)
        writer.writeInt(price.units)
        writer.writeInt(triggerPrice.units)
        writer.writeUInt(causation)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> OrderAmended {
        try check(version: version)
        return OrderAmended(orderID: try reader.readUInt(), quantity: Quantity(units: try reader.readInt()), price: Price(units: try reader.readInt()),
            triggerPrice: Price(units: try reader.readInt()), causation: version >= 2 ? try reader.readUInt() : 0)
    }
}
