/// A price as an integer number of the instrument's price units: the value is
/// `units / 10^instrument.priceScale`. Prices may be negative (spreads, some futures).
public struct Price: Hashable, Comparable, Sendable {
    /// The price in units of `10^-priceScale`.
    public var units: Int64

    /// Creates a price from its units.
    @inlinable public init(units: Int64) { self.units = units }

    /// The zero price.
    public static let zero = Price(units: 0)

    /// Parses decimal text exactly at `scale` decimals; see `FixedPoint`.
    @inlinable
    public init(parsing text: UnsafeRawBufferPointer, scale: Int) throws(DecimalError) {
        units = try FixedPoint.parse(text, scale: scale)
    }

    /// Parses decimal text exactly at `scale` decimals.
    public init(parsing text: String, scale: Int) throws(DecimalError) {
        units = try FixedPoint.parse(text, scale: scale)
    }

    @inlinable public static func < (lhs: Price, rhs: Price) -> Bool { lhs.units < rhs.units }
    @inlinable public static func + (lhs: Price, rhs: Price) -> Price { Price(units: lhs.units + rhs.units) }
    @inlinable public static func - (lhs: Price, rhs: Price) -> Price { Price(units: lhs.units - rhs.units) }
}
