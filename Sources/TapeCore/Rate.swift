/// A dimensionless rate (funding rate, fee rate) as a fixed-point `Int64` at 18 decimals:
/// `0.0001` (one basis point) is `100_000_000_000_000`. Eighteen decimals hold every funding
/// rate venues publish exactly (some publish 18 digits) and rates up to ±9.2.
public struct Rate: Hashable, Comparable, Sendable {
    /// The number of decimals a rate keeps.
    public static let scale = 18

    /// The rate in units of 10^-18.
    public var units: Int64

    /// Creates a rate from its units.
    @inlinable public init(units: Int64) { self.units = units }

    /// Zero.
    public static let zero = Rate(units: 0)

    /// Parses decimal text exactly (exponents such as `5.0e-05` included).
    @inlinable
    public init(parsing text: UnsafeRawBufferPointer) throws(DecimalError) {
        units = try FixedPoint.parse(text, scale: Rate.scale)
    }

    /// Parses decimal text exactly.
    public init(parsing text: String) throws(DecimalError) {
        units = try FixedPoint.parse(text, scale: Rate.scale)
    }

    @inlinable public static func < (lhs: Rate, rhs: Rate) -> Bool { lhs.units < rhs.units }

    /// The shortest exact decimal text.
    public var text: String { FixedPoint.format(units, scale: Rate.scale) }
}
