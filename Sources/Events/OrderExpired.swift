public import TapeCore

/// An order reached its expiry time unfilled (or partly filled).
public struct OrderExpired: EventPayload, Hashable {
    public static let eventType = EventType.orderExpired
    /// Version 2 added `causation`.
    public static let codecVersion: UInt8 = 2
    public static let fieldKinds: [FieldKind] = [.int, .int]

    public static func fieldKinds(version: UInt8) -> [FieldKind] {
        version >= 2 ? fieldKinds : fieldKinds.dropLast()
    }

    public var orderID: UInt64
    /// The source sequence this reacted to (0 in codec version 1, which did not record it).
    public var causation: UInt64

    public init(orderID: UInt64, causation: UInt64) {
        self.orderID = orderID
        self.causation = causation
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(orderID)
        writer.writeUInt(causation)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> OrderExpired {
        try check(version: version)
        return OrderExpired(orderID: try reader.readUInt(), causation: version >= 2 ? try reader.readUInt() : 0)
    }
}
