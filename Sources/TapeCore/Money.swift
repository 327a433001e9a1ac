/// An amount of one currency as an `Int128` number of minor units; the scale (how many minor
/// units make one whole unit) belongs to the context that holds the amount, as with `Price`.
/// `Int128` leaves room for notional sums of price × size at full precision.
public struct Money: Hashable, Comparable, Sendable {
    /// The amount in minor units.
    public var units: Int128

    /// Creates an amount from its minor units.
    @inlinable public init(units: Int128) { self.units = units }

    /// Zero.
    public static let zero = Money(units: 0)

    /// Parses decimal text exactly at `scale` decimals.
    @inlinable
    public init(parsing text: UnsafeRawBufferPointer, scale: Int) throws(DecimalError) {
        units = try FixedPoint.parse(text, scale: scale)
    }

    /// Parses decimal text exactly at `scale` decimals.
    public init(parsing text: String, scale: Int) throws(DecimalError) {
        units = try FixedPoint.parse(text, scale: scale)
    }

    @inlinable public static func < (lhs: Money, rhs: Money) -> Bool { lhs.units < rhs.units }
    @inlinable public static func + (lhs: Money, rhs: Money) -> Money { Money(units: lhs.units + rhs.units) }
    @inlinable public static func - (lhs: Money, rhs: Money) -> Money { Money(units: lhs.units - rhs.units) }
}
