/// An exact decimal that carries its own scale: `units / 10^scale`. Used for configuration
/// values (increments, multipliers) whose scale is not an instrument's.
public struct ScaledDecimal: Hashable, Sendable, CustomStringConvertible {
    /// The value in units of `10^-scale`.
    public var units: Int64
    /// The number of decimals.
    public var scale: Int

    /// Creates a decimal from units and scale.
    public init(units: Int64, scale: Int) {
        precondition(scale >= 0 && scale <= FixedPoint.maximumScale, "scale out of range")
        self.units = units
        self.scale = scale
    }

    /// Parses decimal text exactly, at the smallest scale that holds it.
    public init(parsing text: String) throws(DecimalError) {
        for scale in 0..<FixedPoint.maximumScale {
            do {
                self.init(units: try FixedPoint.parse(text, scale: scale), scale: scale)
                return
            } catch .tooManyDecimals {
                continue
            }
        }
        self.init(units: try FixedPoint.parse(text, scale: FixedPoint.maximumScale), scale: FixedPoint.maximumScale)
    }

    /// The units of this value at another scale, or nil when it does not fit exactly.
    public func units(atScale target: Int) -> Int64? {
        if target >= scale {
            guard let factor: Int64 = FixedPoint.powerOfTen(target - scale) else { return nil }
            let (product, overflow) = units.multipliedReportingOverflow(by: factor)
            return overflow ? nil : product
        }
        let divisor = Int64(FixedPoint.powersOfTen[scale - target])
        return units % divisor == 0 ? units / divisor : nil
    }

    /// The shortest exact decimal text.
    public var description: String { FixedPoint.format(units, scale: scale) }
}
