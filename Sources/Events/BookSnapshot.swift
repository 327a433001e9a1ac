public import TapeCore

/// A whole order book as a venue sent it (Binance's REST depth snapshot): it replaces whatever
/// book was there. Bids best first, asks best first, as the venue lists them.
public struct BookSnapshot: EventPayload, Hashable {
    public static let eventType = EventType.bookSnapshot
    public static let fieldKinds: [FieldKind] = [.levels, .levels, .int]

    public var bids: ArraySlice<BookLevel>
    public var asks: ArraySlice<BookLevel>
    /// The venue's update id the snapshot reflects (Binance `lastUpdateId`), 0 when none.
    public var lastUpdateID: UInt64

    public init(bids: ArraySlice<BookLevel>, asks: ArraySlice<BookLevel>, lastUpdateID: UInt64) {
        self.bids = bids
        self.asks = asks
        self.lastUpdateID = lastUpdateID
    }

    /// The number of levels.
    public var levelCount: Int { bids.count + asks.count }

    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeLevels(bids)
        writer.writeLevels(asks)
        writer.writeUInt(lastUpdateID)
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> BookSnapshot {
        try check(version: version)
        return BookSnapshot(bids: try reader.readLevels(), asks: try reader.readLevels(), lastUpdateID: try reader.readUInt())
    }
}
