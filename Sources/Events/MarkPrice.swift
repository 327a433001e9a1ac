public import TapeCore

/// A derivative's mark price, with the index price and estimated settlement price when the
/// venue publishes them in the same message.
public struct MarkPrice: EventPayload, Hashable {
    public static let eventType = EventType.markPrice
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int]

    public var mark: Price
    public var index: Price?
    public var estimatedSettle: Price?

    public init(mark: Price, index: Price?, estimatedSettle: Price?) {
        self.mark = mark
        self.index = index
        self.estimatedSettle = estimatedSettle
    }

    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeInt((index == nil ? 0 : 1) | (estimatedSettle == nil ? 0 : 2))
        writer.writeInt(mark.units)
        writer.writeInt(index?.units ?? 0)
        writer.writeInt(estimatedSettle?.units ?? 0)
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> MarkPrice {
        try check(version: version)
        let present = try reader.readInt()
        guard (0...3).contains(present) else { throw .invalidValue(field: "mark price presence", offset: 0) }
        let mark = try reader.readInt()
        let index = try reader.readInt()
        let settle = try reader.readInt()
        return MarkPrice(
            mark: Price(units: mark),
            index: present & 1 != 0 ? Price(units: index) : nil,
            estimatedSettle: present & 2 != 0 ? Price(units: settle) : nil
        )
    }
}
