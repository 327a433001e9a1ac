public import TapeCore

/// An order was canceled (by the strategy, the risk engine or the venue), with a reason code (see the execution catalogue in specs/).
public struct OrderCanceled: EventPayload, Hashable {
    public static let eventType = EventType.orderCanceled
    public static let fieldKinds: [FieldKind] = [.int, .int]

    public var orderID: UInt64
    public var reason: UInt16

    public init(orderID: UInt64, reason: UInt16) {
        self.orderID = orderID
        self.reason = reason
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(orderID)
        writer.writeInt(Int64(reason))
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> OrderCanceled {
        try check(version: version)
        return OrderCanceled(orderID: try reader.readUInt(), reason: try reader.readUInt16(field: "reason"))
    }
}
