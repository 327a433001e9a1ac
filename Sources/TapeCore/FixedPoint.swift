/// Why a decimal text could not become a fixed-point number. Nothing is ever rounded: a value
/// that does not fit the scale exactly is an error, not an approximation.
public enum DecimalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// There were no digits.
    case empty
    /// A byte that cannot appear in a decimal number, at its 0-based position.
    case invalidCharacter(position: Int)
    /// The text spells NaN or infinity.
    case notFinite
    /// The value has non-zero digits beyond the allowed number of decimals.
    case tooManyDecimals(allowed: Int)
    /// The value does not fit the integer type at this scale.
    case overflow
    /// The value is negative where only zero or more is allowed.
    case negative

    public var description: String {
        switch self {
        case .empty: "no digits"
        case .invalidCharacter(let position): "unexpected character at position \(position + 1)"
        case .notFinite: "not a finite number"
        case .tooManyDecimals(let allowed): "more than \(allowed) decimal places"
        case .overflow: "too large"
        case .negative: "negative where only zero or more is allowed"
        }
    }
}

/// Exact conversion between decimal text and scaled integers.
///
/// A value `v` at scale `s` is stored as the integer `v × 10^s`. Parsing accepts an optional
/// sign, digits with an optional decimal point, and an optional exponent (`1.5e-3`); it never
/// goes through floating point. Trailing zeros beyond the scale are accepted (`"0.50000000"` at
/// scale 3 is 500); non-zero digits beyond it are `DecimalError.tooManyDecimals`.
public enum FixedPoint {
    /// The largest scale any Tape value uses (rates are stored at 18 decimals).
    public static let maximumScale = 18

    /// Parses `text` into `T` at `scale` decimals.
    /// - Complexity: O(n) in the length of the text.
    @inlinable
    public static func parse<T: FixedWidthInteger & SignedInteger>(
        _ text: UnsafeRawBufferPointer, scale: Int, as type: T.Type = T.self
    ) throws(DecimalError) -> T {
        precondition(scale >= 0 && scale <= maximumScale, "scale out of range")
        if T.Magnitude.bitWidth >= 64, let (negative, small) = quickMagnitude(text, scale: scale) {
            return negative ? -T(small) : T(small)
        }
        let shape = try DecimalShape(text)
        let magnitude: T.Magnitude
        if let small = try shape.smallMagnitude(text, scale: scale) {
            magnitude = T.Magnitude(small)
        } else {
            magnitude = try shape.magnitude(text, scale: scale)
        }
        if shape.isNegative {
            guard magnitude <= T.Magnitude(T.max) else { throw .overflow }
            return magnitude == 0 ? 0 : -T(magnitude)
        }
        guard magnitude <= T.Magnitude(T.max) else { throw .overflow }
        return T(magnitude)
    }

    /// One pass over the common shape `[-]digits[.digits]` (no exponent, at most 18 digits
    /// once scaled, no non-zero digit beyond the scale); nil sends the text to the general
    /// path, which also produces every error.
    @inlinable @inline(__always)
    static func quickMagnitude(_ text: UnsafeRawBufferPointer, scale: Int) -> (Bool, Int64)? {
        let count = text.count
        guard count > 0 else { return nil }
        var index = 0
        let negative = text[0] == 0x2D
        if negative { index = 1 }
        var value: UInt64 = 0
        var digits = 0
        while index < count {
            let digit = text[index] &- 0x30
            guard digit < 10 else { break }
            value = value &* 10 &+ UInt64(digit)
            digits &+= 1
            index &+= 1
        }
        var decimals = 0
        if index < count {
            guard text[index] == 0x2E else { return nil }
            index &+= 1
            while index < count {
                let digit = text[index] &- 0x30
                guard digit < 10 else { return nil }
                if decimals < scale {
                    value = value &* 10 &+ UInt64(digit)
                    digits &+= 1
                    decimals &+= 1
                } else if digit != 0 {
                    return nil
                }
                index &+= 1
            }
        }
        guard digits > 0, digits + (scale - decimals) <= 18, index == count else { return nil }
        let magnitude = value &* powersOfTen[scale - decimals]
        return (negative && magnitude != 0, Int64(magnitude))
    }

    /// Parses a Swift string; see `parse(_:scale:as:)`.
    public static func parse<T: FixedWidthInteger & SignedInteger>(
        _ text: String, scale: Int, as type: T.Type = T.self
    ) throws(DecimalError) -> T {
        var copy = text
        let result: Result<T, DecimalError> = copy.withUTF8 { bytes in
            do throws(DecimalError) {
                return .success(try parse(UnsafeRawBufferPointer(bytes), scale: scale, as: T.self))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Appends the decimal text of `units` at `scale` to `output`, with at least
    /// `minimumFractionDigits` and at most `scale` decimals (trailing zeros beyond the minimum
    /// are dropped, so the text is the shortest exact form that keeps the minimum).
    @inlinable
    public static func append<T: FixedWidthInteger & SignedInteger>(
        _ units: T, scale: Int, minimumFractionDigits: Int = 0, to output: inout [UInt8]
    ) {
        precondition(scale >= 0 && scale <= maximumScale, "scale out of range")
        // 40 digits hold Int128.max; one more for a leading zero before the point.
        var digits = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &digits) { raw in
            var magnitude = units.magnitude
            var count = 0
            repeat {
                let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: 10)
                raw[count] = UInt8(truncatingIfNeeded: remainder) &+ 0x30
                count += 1
                magnitude = quotient
            } while magnitude != 0
            while count <= scale {
                raw[count] = 0x30
                count += 1
            }
            var fractionEnd = 0  // index (from the least significant digit) of the last kept digit
            let keep = min(max(minimumFractionDigits, 0), scale)
            while fractionEnd < scale - keep && raw[fractionEnd] == 0x30 { fractionEnd += 1 }
            if units < 0 { output.append(0x2D) }
            var index = count - 1
            while index >= scale {
                output.append(raw[index])
                index -= 1
            }
            if index >= fractionEnd {
                output.append(0x2E)
                while index >= fractionEnd {
                    output.append(raw[index])
                    index -= 1
                }
            }
        }
    }

    /// The decimal text of `units` at `scale`; see `append(_:scale:minimumFractionDigits:to:)`.
    public static func format<T: FixedWidthInteger & SignedInteger>(
        _ units: T, scale: Int, minimumFractionDigits: Int = 0
    ) -> String {
        var bytes: [UInt8] = []
        append(units, scale: scale, minimumFractionDigits: minimumFractionDigits, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The number of decimals in the shortest exact text of `units` at `scale`.
    public static func significantDecimals<T: FixedWidthInteger & SignedInteger>(_ units: T, scale: Int) -> Int {
        var magnitude = units.magnitude
        var decimals = scale
        while decimals > 0 && magnitude % 10 == 0 && magnitude != 0 {
            magnitude /= 10
            decimals -= 1
        }
        return magnitude == 0 ? 0 : decimals
    }

    /// 10^0 … 10^19, the powers of ten that fit `UInt64`.
    public static let powersOfTen: [UInt64] = (0...19).map { exponent in
        (0..<exponent).reduce(UInt64(1)) { power, _ in power * 10 }
    }

    /// `10^exponent` as `T`, or nil when it does not fit.
    @inlinable
    public static func powerOfTen<T: FixedWidthInteger>(_ exponent: Int, as type: T.Type = T.self) -> T? {
        var result: T = 1
        for _ in 0..<exponent {
            let (product, overflow) = result.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            result = product
        }
        return result
    }
}

/// The parts of a decimal text located by one validating pass: sign, digit ranges, exponent.
@usableFromInline
struct DecimalShape {
    @usableFromInline var isNegative = false
    @usableFromInline var integerStart = 0
    @usableFromInline var integerEnd = 0
    @usableFromInline var fractionStart = 0
    @usableFromInline var fractionEnd = 0
    @usableFromInline var exponent = 0

    @inlinable
    init(_ text: UnsafeRawBufferPointer) throws(DecimalError) {
        let count = text.count
        var index = 0
        if count == 0 { throw .empty }
        if text[0] == 0x2D || text[0] == 0x2B {
            isNegative = text[0] == 0x2D
            index = 1
        }
        if index < count, Self.isLetterOfNonFinite(text[index]) { throw .notFinite }
        integerStart = index
        while index < count && text[index] &- 0x30 < 10 { index += 1 }
        integerEnd = index
        fractionStart = index
        fractionEnd = index
        if index < count && text[index] == 0x2E {
            index += 1
            fractionStart = index
            while index < count && text[index] &- 0x30 < 10 { index += 1 }
            fractionEnd = index
        }
        if integerEnd == integerStart && fractionEnd == fractionStart {
            if index < count { throw .invalidCharacter(position: index) }
            throw .empty
        }
        if index < count && (text[index] | 0x20) == 0x65 {
            index += 1
            var exponentNegative = false
            if index < count && (text[index] == 0x2D || text[index] == 0x2B) {
                exponentNegative = text[index] == 0x2D
                index += 1
            }
            let digitsStart = index
            var value = 0
            while index < count && text[index] &- 0x30 < 10 {
                value = value * 10 + Int(text[index] &- 0x30)
                if value > 10_000 { throw .overflow }
                index += 1
            }
            if digitsStart == index { throw index < count ? .invalidCharacter(position: index) : .empty }
            exponent = exponentNegative ? -value : value
        }
        if index < count { throw .invalidCharacter(position: index) }
    }

    /// Whether `byte` starts "nan" or "inf" in either case.
    @inlinable
    static func isLetterOfNonFinite(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return lower == 0x6E || lower == 0x69
    }

    /// The magnitude for the common case (no exponent, at most 18 digits once scaled), or nil
    /// when the general path must decide.
    @inlinable
    func smallMagnitude(_ text: UnsafeRawBufferPointer, scale: Int) throws(DecimalError) -> UInt64? {
        guard exponent == 0, integerEnd - integerStart + scale <= 18 else { return nil }
        var kept = fractionEnd - fractionStart
        if kept > scale {
            for index in (fractionStart + scale)..<fractionEnd where text[index] != 0x30 {
                throw .tooManyDecimals(allowed: scale)
            }
            kept = scale
        }
        var value: UInt64 = 0
        for index in integerStart..<integerEnd { value = value &* 10 &+ UInt64(text[index] &- 0x30) }
        for index in fractionStart..<(fractionStart + kept) { value = value &* 10 &+ UInt64(text[index] &- 0x30) }
        return value &* FixedPoint.powersOfTen[scale - kept]
    }

    /// The magnitude `|value| × 10^scale`, exact.
    @inlinable
    func magnitude<M: FixedWidthInteger & UnsignedInteger>(_ text: UnsafeRawBufferPointer, scale: Int) throws(DecimalError) -> M {
        // The power of ten that the first integer digit stands for, after scaling.
        let integerDigits = integerEnd - integerStart
        var power = integerDigits - 1 + exponent + scale
        var result: M = 0
        var lastPower = power + 1
        for index in integerStart..<integerEnd {
            try accumulate(text[index] &- 0x30, power: power, into: &result, lastPower: &lastPower, scale: scale)
            power -= 1
        }
        for index in fractionStart..<fractionEnd {
            try accumulate(text[index] &- 0x30, power: power, into: &result, lastPower: &lastPower, scale: scale)
            power -= 1
        }
        // Digits stopped above the units place: the remaining places are zeros.
        if lastPower > 0 && result != 0 {
            guard let factor: M = FixedPoint.powerOfTen(lastPower) else { throw .overflow }
            let (product, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { throw .overflow }
            result = product
        }
        return result
    }

    @inlinable
    func accumulate<M: FixedWidthInteger & UnsignedInteger>(
        _ digit: UInt8, power: Int, into result: inout M, lastPower: inout Int, scale: Int
    ) throws(DecimalError) {
        if power < 0 {
            if digit != 0 { throw .tooManyDecimals(allowed: scale) }
            return
        }
        if result == 0 && digit == 0 {
            lastPower = power
            return
        }
        // Bring the accumulated value from `lastPower` down to `power`, then add the digit.
        let gap = lastPower - power
        if gap == 1 {
            let (product, overflow) = result.multipliedReportingOverflow(by: 10)
            if overflow { throw .overflow }
            result = product
        } else if gap > 1 && result != 0 {
            guard let factor: M = FixedPoint.powerOfTen(gap) else { throw .overflow }
            let (product, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { throw .overflow }
            result = product
        }
        let (sum, overflow) = result.addingReportingOverflow(M(digit))
        if overflow { throw .overflow }
        result = sum
        lastPower = power
    }
}
