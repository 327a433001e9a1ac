public import TapeCore

/// The venue (or simulator) accepted an order.
public struct OrderAccepted: EventPayload, Hashable {
    public static let eventType = EventType.orderAccepted
    /// Version 2 added `causation`.
    public static let codecVersion: UInt8 = 2
    public static let fieldKinds: [FieldKind] = [.int, .int, .int]

    public static func fieldKinds(version: UInt8) -> [FieldKind] {
        version >= 2 ? fieldKinds : fieldKinds.dropLast()
    }

    public var orderID: UInt64
    /// The venue's id for the order, 0 when none.
    public var venueOrderID: UInt64
    /// The source sequence this reacted to (0 in codec version 1, which did not record it).
    public var causation: UInt64

    public init(orderID: UInt64, venueOrderID: UInt64, causation: UInt64) {
        self.orderID = orderID
        self.venueOrderID = venueOrderID
        self.causation = causation
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(orderID)
        writer.writeUInt(venueOrderID)
        writer.writeUInt(causation)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> OrderAccepted {
        try check(version: version)
        return OrderAccepted(orderID: try reader.readUInt(), venueOrderID: try reader.readUInt(), causation: version >= 2 ? try reader.readUInt() : 0)
    }
}
