/// A quantity (size, position, volume) as an integer number of the instrument's size units:
/// the value is `units / 10^instrument.sizeScale`. Signed, so that a position or a change of
/// position can be short; market-data sizes are never negative (`init(parsingSize:scale:)`).
public struct Quantity: Hashable, Comparable, Sendable {
    /// The quantity in units of `10^-sizeScale`.
    public var units: Int64

    /// Creates a quantity from its units.
    @inlinable public init(units: Int64) { self.units = units }

    /// The zero quantity.
    public static let zero = Quantity(units: 0)

    /// Parses a size: decimal text at `scale` decimals that must not be negative.
    @inlinable
    public init(parsingSize text: UnsafeRawBufferPointer, scale: Int) throws(DecimalError) {
        let parsed: Int64 = try FixedPoint.parse(text, scale: scale)
        guard parsed >= 0 else { throw .negative }
        units = parsed
    }

    /// Parses a size from a Swift string.
    public init(parsingSize text: String, scale: Int) throws(DecimalError) {
        let parsed: Int64 = try FixedPoint.parse(text, scale: scale)
        guard parsed >= 0 else { throw .negative }
        units = parsed
    }

    @inlinable public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.units < rhs.units }
    @inlinable public static func + (lhs: Quantity, rhs: Quantity) -> Quantity { Quantity(units: lhs.units + rhs.units) }
    @inlinable public static func - (lhs: Quantity, rhs: Quantity) -> Quantity { Quantity(units: lhs.units - rhs.units) }
    @inlinable public static prefix func - (value: Quantity) -> Quantity { Quantity(units: -value.units) }
}
