public import TapeCore

/// An order was rejected by the venue or the simulator, with a reason code (see the execution catalogue in specs/).
public struct OrderRejected: EventPayload, Hashable {
    public static let eventType = EventType.orderRejected
    /// Version 2 added `causation`.
    public static let codecVersion: UInt8 = 2
    public static let fieldKinds: [FieldKind] = [.int, .int, .int]

    public static func fieldKinds(version: UInt8) -> [FieldKind] {
        version >= 2 ? fieldKinds : fieldKinds.dropLast()
    }

    public var orderID: UInt64
    public var reason: UInt16
    /// The source sequence this reacted to (0 in codec version 1, which did not record it).
    public var causation: UInt64

    public init(orderID: UInt64, reason: UInt16, causation: UInt64) {
        self.orderID = orderID
        self.reason = reason
        self.causation = causation
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(orderID)
        writer.writeInt(Int64(reason))
        writer.writeUInt(causation)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> OrderRejected {
        try check(version: version)
        return OrderRejected(orderID: try reader.readUInt(), reason: try reader.readUInt16(field: "reason"), causation: version >= 2 ? try reader.readUInt() : 0)
    }
}
