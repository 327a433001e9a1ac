public import TapeCore

/// One price level of an order book changed: the new total size at `price` on `side`, zero
/// meaning the level is gone. A venue message that changes several levels becomes one event
/// per level, the last one flagged, so a book is consistent only after a flagged event.
public struct BookDelta: EventPayload, Hashable {
    public static let eventType = EventType.bookDelta
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int, .int, .int, .int]

    public var side: BookSide
    public var price: Price
    /// The level's new total size; zero deletes the level.
    public var size: Quantity
    /// Whether this is the last level of the venue message.
    public var isLastInMessage: Bool
    /// The venue's first update id in the message (Binance `U`), 0 when none.
    public var firstUpdateID: UInt64
    /// The venue's last update id in the message (Binance `u`), 0 when none.
    public var lastUpdateID: UInt64
    /// The last update id of the venue's previous message (Binance futures `pu`), 0 when none.
    public var previousUpdateID: UInt64

    public init(
        side: BookSide, price: Price, size: Quantity, isLastInMessage: Bool,
        firstUpdateID: UInt64, lastUpdateID: UInt64, previousUpdateID: UInt64
    ) {
        self.side = side
        self.price = price
        self.size = size
        self.isLastInMessage = isLastInMessage
        self.firstUpdateID = firstUpdateID
        self.lastUpdateID = lastUpdateID
        self.previousUpdateID = previousUpdateID
    }

    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeCode(side)
        writer.writeInt(price.units)
        writer.writeInt(size.units)
        writer.writeBool(isLastInMessage)
        writer.writeUInt(firstUpdateID)
        writer.writeUInt(lastUpdateID)
        writer.writeUInt(previousUpdateID)
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> BookDelta {
        try check(version: version)
        return BookDelta(
            side: try reader.readCode(BookSide.self, field: "side"),
            price: Price(units: try reader.readInt()),
            size: Quantity(units: try reader.readInt()),
            isLastInMessage: try reader.readBool(field: "last_in_message"),
            firstUpdateID: try reader.readUInt(),
            lastUpdateID: try reader.readUInt(),
            previousUpdateID: try reader.readUInt()
        )
    }
}
