public import TapeCore

/// A funding payment on a perpetual position at a funding time: position × mark × rate, paid
/// by longs to shorts when the rate is positive.
public struct FundingPaid: EventPayload, Hashable {
    public static let eventType = EventType.fundingPayment
    public static let fieldKinds: [FieldKind] = Array(repeating: .int, count: 6)

    /// The sequence number of the funding-rate event that triggered the payment.
    public var causation: UInt64
    /// The signed position the payment was computed on.
    public var position: Quantity
    public var markPrice: Price
    public var rate: Rate
    /// The amount received (positive) or paid (negative), in minor units of the settlement currency.
    public var amount: Money

    public init(causation: UInt64, position: Quantity, markPrice: Price, rate: Rate, amount: Money) {
        self.causation = causation
        self.position = position
        self.markPrice = markPrice
        self.rate = rate
        self.amount = amount
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(causation)
        writer.writeInt(position.units)
        writer.writeInt(markPrice.units)
        writer.writeInt(rate.units)
        writer.writeMoney(amount)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> FundingPaid {
        try check(version: version)
        return FundingPaid(causation: try reader.readUInt(), position: Quantity(units: try reader.readInt()), markPrice: Price(units: try reader.readInt()), rate: Rate(units: try reader.readInt()), amount: try reader.readMoney())
    }
}
