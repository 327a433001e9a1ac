public import TapeCore

/// One level of a full order-book snapshot. The first level of a snapshot replaces whatever
/// book was there; the book is whole again after the level flagged last.
public struct BookSnapshot: EventPayload, Hashable {
    public static let eventType = EventType.bookSnapshot
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int, .int, .int]

    public var side: BookSide
    public var price: Price
    public var size: Quantity
    /// Whether this level starts the snapshot (the book is cleared first).
    public var isFirst: Bool
    /// Whether this level ends the snapshot.
    public var isLast: Bool
    /// The venue's update id the snapshot reflects (Binance `lastUpdateId`), 0 when none.
    public var lastUpdateID: UInt64

    public init(side: BookSide, price: Price, size: Quantity, isFirst: Bool, isLast: Bool, lastUpdateID: UInt64) {
        self.side = side
        self.price = price
        self.size = size
        self.isFirst = isFirst
        self.isLast = isLast
        self.lastUpdateID = lastUpdateID
    }

    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeCode(side)
        writer.writeInt(price.units)
        writer.writeInt(size.units)
        writer.writeBool(isFirst)
        writer.writeBool(isLast)
        writer.writeUInt(lastUpdateID)
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> BookSnapshot {
        try check(version: version)
        return BookSnapshot(
            side: try reader.readCode(BookSide.self, field: "side"),
            price: Price(units: try reader.readInt()),
            size: Quantity(units: try reader.readInt()),
            isFirst: try reader.readBool(field: "first"),
            isLast: try reader.readBool(field: "last"),
            lastUpdateID: try reader.readUInt()
        )
    }
}
