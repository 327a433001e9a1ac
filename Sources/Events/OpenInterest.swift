public import TapeCore

/// The open interest of a derivative: contracts (or base units) outstanding.
public struct OpenInterest: EventPayload, Hashable {
    public static let eventType = EventType.openInterest
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int]

    /// Outstanding size, at the instrument's size scale.
    public var openInterest: Quantity
    /// Outstanding value in the quote currency at the price scale, when the venue gives it.
    public var value: Money?

    public init(openInterest: Quantity, value: Money?) {
        self.openInterest = openInterest
        self.value = value
    }

    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeInt(openInterest.units)
        writer.writeBool(value != nil)
        writer.writeMoney(value ?? .zero)
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> OpenInterest {
        try check(version: version)
        let size = Quantity(units: try reader.readInt())
        let hasValue = try reader.readBool(field: "value present")
        let value = try reader.readMoney()
        return OpenInterest(openInterest: size, value: hasValue ? value : nil)
    }
}
