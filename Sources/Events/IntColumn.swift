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
    /// - Complexity: O(n).
    public static func encode(_ values: UnsafeBufferPointer<Int64>, into writer: inout ByteWriter) {
        precondition(!values.isEmpty, "a column holds at least one value")
        let first = values[0]
        let count = values.count
        var allEqual = true
        var deltasEqual = true
        var deltaDivisor: UInt64 = 0
        var plainDivisor: UInt64 = first.magnitude
        let step = count > 1 ? values[1] &- first : 0
        for index in 1..<max(count, 1) {
            let delta = values[index] &- values[index - 1]
            if values[index] != first { allEqual = false }
            if delta != step { deltasEqual = false }
            if deltaDivisor != 1 { deltaDivisor = gcd(deltaDivisor, delta.magnitude) }
            if plainDivisor != 1 { plainDivisor = gcd(plainDivisor, values[index].magnitude) }
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
        // A divisor of 2^63 cannot be applied as an Int64; such columns go unscaled.
        if deltaDivisor > UInt64(Int64.max) { deltaDivisor = 1 }
        if plainDivisor == 0 || plainDivisor > UInt64(Int64.max) { plainDivisor = 1 }
        let deltaStep = Int64(deltaDivisor)
        let plainStep = Int64(plainDivisor)
        var deltaSize = varintSize(ZigZag.encode(first)) + varintSize(deltaDivisor)
        var plainSize = varintSize(plainDivisor) + varintSize(ZigZag.encode(first / plainStep))
        for index in 1..<count {
            let value = values[index]
            let delta = value &- values[index - 1]
            plainSize += varintSize(ZigZag.encode(plainStep == 1 ? value : value / plainStep))
            deltaSize += varintSize(ZigZag.encode(deltaStep == 1 ? delta : delta / deltaStep))
        }
        let fixedSize = 8 * count
        if deltaSize <= plainSize && deltaSize <= fixedSize {
            writer.write(Mode.delta.rawValue)
            writer.writeZigZag(first)
            writer.writeVarint(deltaDivisor)
            for index in 1..<count {
                writer.writeZigZag((values[index] &- values[index - 1]) / deltaStep)
            }
        } else if plainSize <= fixedSize {
            writer.write(Mode.plain.rawValue)
            writer.writeVarint(plainDivisor)
            for value in values { writer.writeZigZag(value / plainStep) }
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
