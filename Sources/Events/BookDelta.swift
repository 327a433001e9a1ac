public import TapeCore

/// One venue message changing an order book: the new total size at each listed level, zero
/// meaning the level is gone. The message is applied whole, so a book is consistent after
/// every event. Levels keep the venue's order within each side.
public struct BookDelta: EventPayload, Hashable {
    public static let eventType = EventType.bookDelta
    public static let fieldKinds: [FieldKind] = [.levels, .levels, .int, .int, .int]

    /// Changed bid levels.
    public var bids: ArraySlice<BookLevel>
    /// Changed ask levels.
    public var asks: ArraySlice<BookLevel>
    /// The venue's first update id in the message (Binance `U`), 0 when none.
    public var firstUpdateID: UInt64
    /// The venue's last update id in the message (Binance `u`), 0 when none.
    public var lastUpdateID: UInt64
    /// The last update id of the venue's previous message (Binance futures `pu`), 0 when none.
    public var previousUpdateID: UInt64

    public init(bids: ArraySlice<BookLevel>, asks: ArraySlice<BookLevel>, firstUpdateID: UInt64, lastUpdateID: UInt64, previousUpdateID: UInt64) {
        self.bids = bids
        self.asks = asks
        self.firstUpdateID = firstUpdateID
        self.lastUpdateID = lastUpdateID
        self.previousUpdateID = previousUpdateID
    }

    /// The number of levels changed.
    public var levelCount: Int { bids.count + asks.count }

    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeLevels(bids)
        writer.writeLevels(asks)
        writer.writeUInt(firstUpdateID)
        writer.writeUInt(lastUpdateID)
        writer.writeUInt(previousUpdateID)
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> BookDelta {
        try check(version: version)
        return BookDelta(
            bids: try reader.readLevels(), asks: try reader.readLevels(),
            firstUpdateID: try reader.readUInt(), lastUpdateID: try reader.readUInt(), previousUpdateID: try reader.readUInt()
        )
    }
}

/// A book delta lent by a decoded block without copying its levels: the level lists point
/// into the block's storage and are valid only inside the closure that lends the view
/// (`DecodedBlock.withBookDelta(at:_:)`, `BookDelta.withView(_:)`).
public struct BookDeltaView {
    /// Changed bid levels.
    public let bids: UnsafeBufferPointer<BookLevel>
    /// Changed ask levels.
    public let asks: UnsafeBufferPointer<BookLevel>
    public let firstUpdateID: UInt64
    public let lastUpdateID: UInt64
    public let previousUpdateID: UInt64

    @inlinable
    public init(bids: UnsafeBufferPointer<BookLevel>, asks: UnsafeBufferPointer<BookLevel>, firstUpdateID: UInt64, lastUpdateID: UInt64, previousUpdateID: UInt64) {
        self.bids = bids
        self.asks = asks
        self.firstUpdateID = firstUpdateID
        self.lastUpdateID = lastUpdateID
        self.previousUpdateID = previousUpdateID
    }
}

extension BookDelta {
    /// Calls `body` with this delta as a view.
    public func withView<Result>(_ body: (BookDeltaView) -> Result) -> Result {
        bids.withUnsafeBufferPointer { bids in
            asks.withUnsafeBufferPointer { asks in
                body(BookDeltaView(bids: bids, asks: asks, firstUpdateID: firstUpdateID, lastUpdateID: lastUpdateID, previousUpdateID: previousUpdateID))
            }
        }
    }
}
