public import TapeCore

/// Exact amounts of money for the ledger: `Int128` in units of 10⁻¹⁸ of a currency, with the
/// one rounding rule the ledger uses wherever a division cannot be exact (half to even).
enum Amount {
    static let scale = 18
    static let one: Int128 = 1_000_000_000_000_000_000

    /// `units` at `scale` decimals as 10⁻¹⁸ units (exact up to 18 decimals, rounded beyond).
    @inline(__always)
    static func from(_ units: Int128, scale: Int) -> Int128 {
        if scale <= Self.scale { return units * power(Self.scale - scale) }
        return divide(units, power(scale - Self.scale))
    }

    /// 10^exponent, for exponents 0 through 38.
    @inline(__always)
    static func power(_ exponent: Int) -> Int128 { powers[exponent] }

    private static let powers: [Int128] = (0...38).map { exponent in (0..<exponent).reduce(1) { power, _ in power * 10 } }

    /// `a × b / c` with a 256-bit intermediate, rounded half to even.
    static func mulDiv(_ a: Int128, _ b: Int128, _ c: Int128) -> Int128 {
        precondition(c != 0, "division by zero in the ledger")
        let negative = (a < 0) != (b < 0) ? c > 0 : c < 0
        let product = a.magnitude.multipliedFullWidth(by: b.magnitude)
        let divisor = c.magnitude
        let (quotient, remainder) = divisor.dividingFullWidth(product)
        var magnitude = quotient
        // Half to even: round up when the remainder is over half, or exactly half and odd.
        let twice = remainder.multipliedReportingOverflow(by: 2)
        if twice.overflow || twice.partialValue > divisor || (twice.partialValue == divisor && quotient & 1 == 1) {
            magnitude += 1
        }
        let result = Int128(magnitude)
        return negative ? -result : result
    }

    /// `a / b` rounded half to even.
    static func divide(_ a: Int128, _ b: Int128) -> Int128 { mulDiv(a, 1, b) }

    /// A double of an amount, for reporting (ratios, doubles in JSON).
    @inline(__always)
    static func double(_ amount: Int128) -> Double { approximate(amount) / 1e18 }

    /// `value` as a double: exact rounding when it fits 64 bits, else within an ulp (the
    /// standard library's generic Int128 conversion is an order of magnitude slower, and the
    /// readings are doubles anyway).
    @inline(__always)
    static func approximate(_ value: Int128) -> Double {
        if let small = Int64(exactly: value) { return Double(small) }
        return Double(Int64(truncatingIfNeeded: value >> 64)) * 18_446_744_073_709_551_616.0 + Double(UInt64(truncatingIfNeeded: value))
    }

    /// An amount of a double (reporting inputs such as tier rates), rounded. (Through `Int64`
    /// when it fits, the same value: the standard library's conversion of a double to `Int128`
    /// takes its generic path, about a hundred instructions, at every maintenance margin.)
    @inline(__always)
    static func of(_ value: Double) -> Int128 {
        let units = (value * 1e18).rounded()
        // (2⁶³, the bound, is a double exactly; every whole double below it fits an `Int64`.)
        if abs(units) < Double(Int64.max) { return Int128(Int64(units)) }
        return Int128(units)
    }

    /// Exact decimal text of an amount, trailing zeros trimmed.
    static func text(_ amount: Int128) -> String {
        let negative = amount < 0
        let magnitude = amount.magnitude
        let whole = magnitude / UInt128(one)
        var fraction = String(magnitude % UInt128(one))
        fraction = String(repeating: "0", count: 18 - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return (negative ? "-" : "") + String(whole) + (fraction.isEmpty ? "" : "." + fraction)
    }
}

/// An instrument's terms that amounts are computed from, without its names: what the ledger
/// reads at every price (copying an `Instrument` copies its strings).
public struct Contract: Sendable {
    public var kind: InstrumentKind
    public var priceScale: Int
    public var sizeScale: Int
    public var multiplier: ScaledDecimal

    public var isDerivative: Bool { kind == .linearPerpetual || kind == .inversePerpetual || kind == .future }

    /// `contracts × multiplier / price` in 10⁻¹⁸ of the coin (inverse contracts).
    func coinValue(contracts: Int64, price: Int64) -> Int128 {
        // contracts (size units) × multiplier (units at its scale) / price (price units), as 10⁻¹⁸.
        let numerator = Int128(contracts) * Int128(multiplier.units)
        let scaleShift = 18 + priceScale - sizeScale - multiplier.scale
        return Amount.mulDiv(numerator, Amount.power(max(scaleShift, 0)), Int128(price) * Amount.power(max(-scaleShift, 0)))
    }

    /// The notional of `size` units at `price` in 10⁻¹⁸ of the settlement currency: linear
    /// size × multiplier × price; inverse contracts × multiplier / price (coin); 0 without a price.
    public func notionalAmount(size: Int64, price: Int64) -> Int128 {
        guard price > 0 else { return 0 }
        if kind == .inversePerpetual { return coinValue(contracts: size, price: price) }
        return Amount.from(Int128(size) * Int128(price) * Int128(multiplier.units), scale: priceScale + sizeScale + multiplier.scale)
    }

    /// The fee of a fill of `size` units at `price` at `rate` (negative: a rebate): the
    /// notional × rate as money of the settlement currency at the price scale (specs/events.md),
    /// rounded half to even.
    public func fee(size: Int64, price: Int64, rate: Rate) -> Money {
        let notional = notionalAmount(size: abs(size), price: price)
        return Money(units: Amount.mulDiv(notional, Int128(rate.units), Amount.power(2 * Amount.scale - priceScale)))
    }
}

extension Instrument {
    public var contract: Contract { Contract(kind: kind, priceScale: priceScale, sizeScale: sizeScale, multiplier: multiplier) }
}
