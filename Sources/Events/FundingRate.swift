public import TapeCore

/// A perpetual's funding rate. When `fundingTime` is after the event time the rate is the
/// venue's current estimate for that funding time; when it is at or before the event time the
/// rate was settled at `fundingTime`.
public struct FundingRate: EventPayload, Hashable {
    public static let eventType = EventType.fundingRate
    public static let fieldKinds: [FieldKind] = [.int, .int, .int]

    /// The rate per funding interval (0.0001 = 1 bp); longs pay shorts when positive.
    public var rate: Rate
    /// The funding time the rate applies to.
    public var fundingTime: Timestamp
    /// The funding interval in nanoseconds, 0 when the venue does not say.
    public var intervalNanos: Int64

    public init(rate: Rate, fundingTime: Timestamp, intervalNanos: Int64) {
        self.rate = rate
        self.fundingTime = fundingTime
        self.intervalNanos = intervalNanos
    }

    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeInt(rate.units)
        writer.writeTime(fundingTime)
        writer.writeInt(intervalNanos)
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> FundingRate {
        try check(version: version)
        return FundingRate(rate: Rate(units: try reader.readInt()), fundingTime: try reader.readTime(), intervalNanos: try reader.readInt())
    }
}
