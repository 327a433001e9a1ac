public import TapeCore

/// An order reached its expiry time unfilled (or partly filled).
public struct OrderExpired: EventPayload, Hashable {
    public static let eventType = EventType.orderExpired
    public static let fieldKinds: [FieldKind] = [.int]

    public var orderID: UInt64

    public init(orderID: UInt64) { self.orderID = orderID }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(orderID)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> OrderExpired {
        try check(version: version)
        return OrderExpired(orderID: try reader.readUInt())
    }
}
