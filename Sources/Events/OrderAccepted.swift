public import TapeCore

/// The venue (or simulator) accepted an order.
public struct OrderAccepted: EventPayload, Hashable {
    public static let eventType = EventType.orderAccepted
    public static let fieldKinds: [FieldKind] = [.int, .int]

    public var orderID: UInt64
    /// The venue's id for the order, 0 when none.
    public var venueOrderID: UInt64

    public init(orderID: UInt64, venueOrderID: UInt64) {
        self.orderID = orderID
        self.venueOrderID = venueOrderID
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(orderID)
        writer.writeUInt(venueOrderID)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> OrderAccepted {
        try check(version: version)
        return OrderAccepted(orderID: try reader.readUInt(), venueOrderID: try reader.readUInt())
    }
}
