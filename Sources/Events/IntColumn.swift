public import TapeCore

/// The encoding of one column of `Int64` values inside a block, chosen per column as the
/// smallest of five layouts. Every layout is exact, including at the extremes of `Int64`.
///
/// | mode | layout after the mode byte | fits |
/// |---|---|---|
/// | 0 constant | `zz(v0)` | all values equal |
/// | 1 linear | `zz(v0) zz(step)` | `v[i] = v0 + i·step` |
/// | 2 delta | `zz(v0) g zz(Δ1/g) … zz(Δn-1/g)` | slowly moving values (prices, times, ids) |
/// | 3 plain | `g zz(v0/g) … zz(vn-1/g)` | small values (sizes, codes) |
/// | 4 fixed | `v0 … vn-1` as 8 little-endian bytes | random bits (hashes, doubles) |
///
/// `zz` is a zigzag varint, `g` a varint common divisor (≥ 1) and `Δi = v[i] − v[i−1]` in
/// wrapping arithmetic. The count is known from the block, never stored in the column.
public enum IntColumn {
    public enum Mode: UInt8, Sendable {
        case constant = 0, linear = 1, delta = 2, plain = 3, fixed = 4
    }

    /// Appends the smallest encoding of `values` (at least one value) to `writer`.
    /// - Complexity: O(n), with no division per value: divisors are applied as modular inverses.
    public static func encode(_ values: UnsafeBufferPointer<Int64>, into writer: inout ByteWriter) {
        precondition(!values.isEmpty, "a column holds at least one value")
        let first = values[0]
        let count = values.count
        let step = count > 1 ? values[1] &- first : 0
        var allEqual = true
        var deltasEqual = true
        var deltaDivisor = ExactDivisor()
        var plainDivisor = ExactDivisor()
        plainDivisor.include(first.magnitude)
        for index in 1..<max(count, 1) {
            let value = values[index]
            let delta = value &- values[index - 1]
            allEqual = allEqual && value == first
            deltasEqual = deltasEqual && delta == step
            deltaDivisor.include(delta.magnitude)
            plainDivisor.include(value.magnitude)
        }
        if allEqual {
            writer.write(Mode.constant.rawValue)
            writer.writeZigZag(first)
            return
        }
        if deltasEqual {
            writer.write(Mode.linear.rawValue)
            writer.writeZigZag(first)
            writer.writeZigZag(step)
            return
        }
        var deltaSize = 0
        var plainSize = varintSize(ZigZag.encode(plainDivisor.divide(first)))
        for index in 1..<count {
            let value = values[index]
            plainSize &+= varintSize(ZigZag.encode(plainDivisor.divide(value)))
            deltaSize &+= varintSize(ZigZag.encode(deltaDivisor.divide(value &- values[index - 1])))
        }
        deltaSize += varintSize(ZigZag.encode(first)) + varintSize(deltaDivisor.value)
        plainSize += varintSize(plainDivisor.value)
        if deltaSize <= plainSize && deltaSize <= 8 * count {
            writer.write(Mode.delta.rawValue)
            writer.appendReserved(deltaSize) { output in
                var position = output.writeVarint(ZigZag.encode(first), at: 0)
                position = output.writeVarint(deltaDivisor.value, at: position)
                for index in 1..<count {
                    position = output.writeVarint(ZigZag.encode(deltaDivisor.divide(values[index] &- values[index - 1])), at: position)
                }
                return position
            }
        } else if plainSize <= 8 * count {
            writer.write(Mode.plain.rawValue)
            writer.appendReserved(plainSize) { output in
                var position = output.writeVarint(plainDivisor.value, at: 0)
                for value in values {
                    position = output.writeVarint(ZigZag.encode(plainDivisor.divide(value)), at: position)
                }
                return position
            }
        } else {
            writer.write(Mode.fixed.rawValue)
            for value in values { writer.writeLittleEndian(UInt64(bitPattern: value)) }
        }
    }

    /// Decodes `count` values from `reader` into `output`.
    /// - Complexity: O(n).
    @inlinable
    public static func decode(
        count: Int, from reader: inout ByteReader, into output: UnsafeMutablePointer<Int64>
    ) throws(CodecError) {
        precondition(count >= 1, "a column holds at least one value")
        let modeOffset = reader.offset
        guard let mode = Mode(rawValue: try reader.readByte()) else {
            throw .invalidValue(field: "column mode", offset: modeOffset)
        }
        switch mode {
        case .constant:
            let value = try reader.readZigZag()
            output.update(repeating: value, count: count)
        case .linear:
            var value = try reader.readZigZag()
            let step = try reader.readZigZag()
            for index in 0..<count {
                output[index] = value
                value = value &+ step
            }
        case .delta:
            var value = try reader.readZigZag()
            let divisor = try readDivisor(&reader)
            output[0] = value
            if divisor == 1 {
                for index in 1..<count {
                    value = value &+ (try reader.readZigZag())
                    output[index] = value
                }
            } else {
                for index in 1..<count {
                    value = value &+ (try reader.readZigZag() &* divisor)
                    output[index] = value
                }
            }
        case .plain:
            let divisor = try readDivisor(&reader)
            for index in 0..<count {
                let quotient = try reader.readZigZag()
                let (value, overflow) = quotient.multipliedReportingOverflow(by: divisor)
                if overflow { throw .invalidValue(field: "column value", offset: reader.offset) }
                output[index] = value
            }
        case .fixed:
            let bytes = try reader.readBytes(8 * count)
            for index in 0..<count {
                output[index] = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * index, as: Int64.self))
            }
        }
    }

    @inlinable
    static func readDivisor(_ reader: inout ByteReader) throws(CodecError) -> Int64 {
        let offset = reader.offset
        let divisor = try reader.readVarint()
        guard divisor >= 1 && divisor <= UInt64(Int64.max) else {
            throw .invalidValue(field: "column divisor", offset: offset)
        }
        return Int64(divisor)
    }

    /// The number of bytes the varint of `value` takes.
    @inlinable
    static func varintSize(_ value: UInt64) -> Int {
        // 1 byte per 7 significant bits, at least 1.
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }
}

/// The greatest common divisor of the magnitudes seen so far, kept as `2^shift × odd` with the
/// odd part's inverse modulo 2^64, so that testing divisibility and dividing exactly cost a
/// multiplication instead of a division (Granlund & Montgomery's exact division).
struct ExactDivisor {
    /// The divisor; 0 until a non-zero magnitude is seen.
    private(set) var value: UInt64 = 0
    private var shift: UInt64 = 0
    private var inverse: UInt64 = 1
    /// The largest quotient a multiple of the odd part can have.
    private var limit: UInt64 = .max

    /// Narrows the divisor so that it also divides `magnitude`.
    @inline(__always)
    mutating func include(_ magnitude: UInt64) {
        if value == 1 || magnitude == 0 { return }
        if value != 0 && magnitude & ((1 << shift) &- 1) == 0 && (magnitude >> shift) &* inverse <= limit { return }
        set(Self.gcd(value, magnitude))
    }

    /// `value / divisor`, exact (the divisor divides it); values stay unscaled when the divisor
    /// is 0 (every magnitude was 0) or cannot be applied as an `Int64` (2^63).
    @inline(__always)
    func divide(_ value: Int64) -> Int64 {
        Int64(bitPattern: UInt64(bitPattern: value >> Int64(shift)) &* inverse)
    }

    private mutating func set(_ divisor: UInt64) {
        guard divisor != 0, divisor <= UInt64(Int64.max) else {
            (value, shift, inverse, limit) = (1, 0, 1, .max)
            return
        }
        value = divisor
        shift = UInt64(divisor.trailingZeroBitCount)
        let odd = divisor >> shift
        // Newton's iteration doubles the correct low bits each step: 3 → 6 → 12 → 24 → 48 → 96.
        var inverse = odd
        for _ in 0..<5 { inverse &*= 2 &- odd &* inverse }
        self.inverse = inverse
        limit = UInt64.max / odd
    }

    /// The greatest common divisor (Stein's binary algorithm: shifts and subtractions only).
    static func gcd(_ lhs: UInt64, _ rhs: UInt64) -> UInt64 {
        if lhs == 0 { return rhs }
        if rhs == 0 { return lhs }
        let shift = (lhs | rhs).trailingZeroBitCount
        var a = lhs >> lhs.trailingZeroBitCount
        var b = rhs
        repeat {
            b >>= b.trailingZeroBitCount
            if a > b { swap(&a, &b) }
            b -= a
        } while b != 0
        return a << shift
    }
}
