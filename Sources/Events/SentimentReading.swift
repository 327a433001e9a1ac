public import TapeCore

/// A reading of a sentiment index (such as the Crypto Fear & Greed Index). The instrument is
/// the index (kind `index`); the value is stored at that instrument's price scale.
public struct SentimentReading: EventPayload, Hashable {
    public static let eventType = EventType.sentiment
    public static let fieldKinds: [FieldKind] = [.int]

    /// The index value in units of the index instrument's price scale.
    public var value: Int64

    public init(value: Int64) { self.value = value }

    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeInt(value)
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> SentimentReading {
        try check(version: version)
        return SentimentReading(value: try reader.readInt())
    }
}
