public import TapeCore

/// A closed OHLCV bar. Its event time is the bar's end (open time + interval): a bar is a
/// fact only once it has closed.
public struct Bar: EventPayload, Hashable {
    public static let eventType = EventType.bar
    public static let fieldKinds: [FieldKind] = Array(repeating: .int, count: 12)

    /// The bar's length in nanoseconds.
    public var intervalNanos: Int64
    public var open: Price
    public var high: Price
    public var low: Price
    public var close: Price
    /// Traded size in the bar.
    public var volume: Quantity
    /// Traded value in the quote currency, at the instrument's price scale.
    public var quoteVolume: Money
    /// The number of trades, 0 when unknown.
    public var tradeCount: UInt64
    /// Size bought by takers.
    public var takerBuyVolume: Quantity
    /// Value bought by takers, at the instrument's price scale.
    public var takerBuyQuoteVolume: Money

    public init(
        intervalNanos: Int64, open: Price, high: Price, low: Price, close: Price, volume: Quantity,
        quoteVolume: Money = .zero, tradeCount: UInt64 = 0, takerBuyVolume: Quantity = .zero,
        takerBuyQuoteVolume: Money = .zero
    ) {
        self.intervalNanos = intervalNanos
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.quoteVolume = quoteVolume
        self.tradeCount = tradeCount
        self.takerBuyVolume = takerBuyVolume
        self.takerBuyQuoteVolume = takerBuyQuoteVolume
    }

    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeInt(intervalNanos)
        writer.writeInt(open.units)
        writer.writeInt(high.units)
        writer.writeInt(low.units)
        writer.writeInt(close.units)
        writer.writeInt(volume.units)
        writer.writeMoney(quoteVolume)
        writer.writeUInt(tradeCount)
        writer.writeInt(takerBuyVolume.units)
        writer.writeMoney(takerBuyQuoteVolume)
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> Bar {
        try check(version: version)
        return Bar(
            intervalNanos: try reader.readInt(),
            open: Price(units: try reader.readInt()),
            high: Price(units: try reader.readInt()),
            low: Price(units: try reader.readInt()),
            close: Price(units: try reader.readInt()),
            volume: Quantity(units: try reader.readInt()),
            quoteVolume: try reader.readMoney(),
            tradeCount: try reader.readUInt(),
            takerBuyVolume: Quantity(units: try reader.readInt()),
            takerBuyQuoteVolume: try reader.readMoney()
        )
    }
}
