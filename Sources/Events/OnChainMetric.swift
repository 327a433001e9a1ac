public import TapeCore

/// A value of an on-chain metric for a chain (kind `chain`), such as daily exchange netflow.
public struct OnChainMetric: EventPayload, Hashable {
    public static let eventType = EventType.onChainMetric
    public static let fieldKinds: [FieldKind] = [.int, .int]
    /// Metric values are stored at 8 decimals.
    public static let valueScale = 8

    public var metric: OnChainMetricKind
    /// The value in units of 10^-8.
    public var value: Int64

    public init(metric: OnChainMetricKind, value: Int64) {
        self.metric = metric
        self.value = value
    }

    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeCode(metric)
        writer.writeInt(value)
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> OnChainMetric {
        try check(version: version)
        return OnChainMetric(metric: try reader.readCode(OnChainMetricKind.self, field: "metric"), value: try reader.readInt())
    }
}
