public import TapeCore

/// The top of a venue's book: best bid and ask with their sizes.
public struct Quote: EventPayload, Hashable {
    public static let eventType = EventType.quote
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int, .int]

    public var bidPrice: Price
    public var bidSize: Quantity
    public var askPrice: Price
    public var askSize: Quantity
    /// The venue's book update id for this top of book, 0 when it gives none.
    public var updateID: UInt64

    public init(bidPrice: Price, bidSize: Quantity, askPrice: Price, askSize: Quantity, updateID: UInt64) {
        self.bidPrice = bidPrice
        self.bidSize = bidSize
        self.askPrice = askPrice
        self.askSize = askSize
        self.updateID = updateID
    }

    /// The ask is written as its distance from the bid (the spread), which barely changes,
    /// so that it costs almost nothing once compressed.
    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeInt(bidPrice.units)
        writer.writeInt(bidSize.units)
        writer.writeInt(askPrice.units &- bidPrice.units)
        writer.writeInt(askSize.units)
        writer.writeUInt(updateID)
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> Quote {
        try check(version: version)
        let bid = try reader.readInt()
        let bidSize = try reader.readInt()
        let spread = try reader.readInt()
        return Quote(
            bidPrice: Price(units: bid), bidSize: Quantity(units: bidSize),
            askPrice: Price(units: bid &+ spread), askSize: Quantity(units: try reader.readInt()),
            updateID: try reader.readUInt()
        )
    }
}
