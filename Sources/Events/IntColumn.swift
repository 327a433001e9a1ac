public import TapeCore

/// The encoding of one column of `Int64` values inside a block, chosen per column among
/// seven layouts. Every layout is exact, including at the extremes of `Int64`.
///
/// | mode | layout after the mode byte | fits |
/// |---|---|---|
/// | 0 constant | `zz(v0)` | all values equal |
/// | 1 linear | `zz(v0) zz(step)` | `v[i] = v0 + i·step` |
/// | 2 delta | `zz(v0) g zz(Δ1/g) … zz(Δn-1/g)` | slowly moving values (prices, times, ids) |
/// | 3 plain | `g zz(v0/g) … zz(vn-1/g)` | small values (sizes, codes) |
/// | 4 fixed | `v0 … vn-1` as 8 little-endian bytes | random bits (hashes, doubles) |
/// | 5 grouped delta, widths 1 2 4 8 | as 7 | (block encoding 2; read, no longer written) |
/// | 6 grouped plain, widths 1 2 4 8 | as 8 | (block encoding 2; read, no longer written) |
/// | 7 grouped delta | `zz(v0) g` then `z(Δ1/g) … z(Δn-1/g)` as a `GroupedRun` | as delta, faster to read |
/// | 8 grouped plain | `g` then `z(v0/g) … z(vn-1/g)` as a `GroupedRun` | as plain, faster to read |
///
/// `zz` is a zigzag varint, `z` the zigzag mapping alone, `g` a varint common divisor (≥ 1)
/// and `Δi = v[i] − v[i−1]` in wrapping arithmetic. The count is known from the block, never
/// stored in the column. Modes 5 and 6 came with block encoding version 2, 7 and 8 (values of
/// 1, 2, 3 or 8 bytes) with version 3.
public enum IntColumn {
    public enum Mode: UInt8, Sendable {
        case constant = 0, linear = 1, delta = 2, plain = 3, fixed = 4
        case groupedDeltaV2 = 5, groupedPlainV2 = 6, groupedDelta = 7, groupedPlain = 8

        /// The widths of a grouped mode's values.
        @inlinable var groupWidths: GroupWidths { self == .groupedDeltaV2 || self == .groupedPlainV2 ? .powers : .compact }
    }

    /// How much larger than the smaller varint layout a grouped layout may be and still be
    /// chosen: it decodes about 2.5 times faster (book levels, 10 % larger: 1.2 ns a value
    /// against 3.0) when the varints' lengths mix. Columns of mostly one-byte varints grow more
    /// when grouped (trade times and sizes: 16 %) and gain little: they stay varints.
    static let groupedAllowance = 1.125
    /// The share of sampled varints whose length differs from the one before, below which
    /// the varint layouts are kept: when lengths seldom change the processor predicts them
    /// and varints decode faster than groups (a column of one-byte steps, say).
    static let groupedMixture = 0.125

    /// The most values whose encoded sizes are measured to choose a layout; longer columns
    /// are measured on an evenly spaced sample.
    static let sampleSize = 1024

    /// Appends the smallest encoding of `values` (at least one value) to `writer`.
    ///
    /// Constant and linear columns are recognised exactly. Otherwise the other layouts are
    /// measured on up to `sampleSize` evenly spaced values (all of them in shorter columns):
    /// the smaller grouped layout is written when the smaller varint layout's lengths mix
    /// (`groupedMixture`) and it is within `groupedAllowance` of it and not larger than fixed,
    /// else the smallest. The choice affects only the size and the speed of reading, never
    /// the values.
    /// - Complexity: O(n): one pass to find the divisors, one to write; no division per value
    ///   (divisors are applied as modular inverses).
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
            let delta = value &- values[index &- 1]
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
        switch chooseLayout(values, deltaDivisor: deltaDivisor, plainDivisor: plainDivisor) {
        case .delta:
            writer.write(Mode.delta.rawValue)
            writer.appendBounded(maximum: 10 * (count + 2)) { output in
                var position = output.writeVarint(ZigZag.encode(first), at: 0)
                position = output.writeVarint(deltaDivisor.value, at: position)
                for index in 1..<count {
                    position = output.writeVarint(ZigZag.encode(deltaDivisor.divide(values[index] &- values[index &- 1])), at: position)
                }
                return position
            }
        case .plain:
            writer.write(Mode.plain.rawValue)
            writer.appendBounded(maximum: 10 * (count + 1)) { output in
                var position = output.writeVarint(plainDivisor.value, at: 0)
                for value in values {
                    position = output.writeVarint(ZigZag.encode(plainDivisor.divide(value)), at: position)
                }
                return position
            }
        case .groupedDelta:
            writer.write(Mode.groupedDelta.rawValue)
            writer.appendBounded(maximum: 20 + GroupedRun.maximumSize(count - 1)) { output in
                var position = output.writeVarint(ZigZag.encode(first), at: 0)
                position = output.writeVarint(deltaDivisor.value, at: position)
                return GroupedRun.write(count - 1, .compact, into: output, at: position) { index in
                    ZigZag.encode(deltaDivisor.divide(values[index &+ 1] &- values[index]))
                }
            }
        case .groupedPlain:
            writer.write(Mode.groupedPlain.rawValue)
            writer.appendBounded(maximum: 10 + GroupedRun.maximumSize(count)) { output in
                let position = output.writeVarint(plainDivisor.value, at: 0)
                return GroupedRun.write(count, .compact, into: output, at: position) { index in
                    ZigZag.encode(plainDivisor.divide(values[index]))
                }
            }
        default:
            writer.write(Mode.fixed.rawValue)
            for value in values { writer.writeLittleEndian(UInt64(bitPattern: value)) }
        }
    }

    /// Which layout to write, measured on a sample (see `encode`).
    private static func chooseLayout(_ values: UnsafeBufferPointer<Int64>, deltaDivisor: ExactDivisor, plainDivisor: ExactDivisor) -> Mode {
        let count = values.count
        let stride = max(1, (count - 1) / sampleSize)
        var deltaSize = 0
        var plainSize = 0
        var groupedDeltaSize = 0
        var groupedPlainSize = 0
        var deltaChanges = 0
        var plainChanges = 0
        var previous = (delta: 0, plain: 0)
        var measured = 0
        var index = 1
        while index < count {
            let delta = ZigZag.encode(deltaDivisor.divide(values[index] &- values[index &- 1]))
            let plain = ZigZag.encode(plainDivisor.divide(values[index]))
            let sizes = (delta: varintSize(delta), plain: varintSize(plain))
            deltaSize &+= sizes.delta
            plainSize &+= sizes.plain
            if measured > 0 {
                if sizes.delta != previous.delta { deltaChanges &+= 1 }
                if sizes.plain != previous.plain { plainChanges &+= 1 }
            }
            previous = sizes
            groupedDeltaSize &+= GroupedRun.width(delta, .compact)
            groupedPlainSize &+= GroupedRun.width(plain, .compact)
            measured &+= 1
            index &+= stride
        }
        // Scale the sample to the column (a grouped value also takes a quarter of a control
        // byte); the fixed layout costs 8 bytes a value either way.
        let scale = Double(count - 1) / Double(measured)
        let deltaHead = Double(varintSize(ZigZag.encode(values[0])) + varintSize(deltaDivisor.value))
        let firstPlain = ZigZag.encode(plainDivisor.divide(values[0]))
        let plainHead = Double(varintSize(plainDivisor.value))
        let delta = Double(deltaSize) * scale + deltaHead
        let plain = Double(plainSize) * scale + plainHead + Double(varintSize(firstPlain))
        let groupedDelta = (Double(groupedDeltaSize) + 0.25 * Double(measured)) * scale + deltaHead
        let groupedPlain = (Double(groupedPlainSize) + 0.25 * Double(measured)) * scale + plainHead + Double(GroupedRun.width(firstPlain, .compact)) + 0.25
        let fixed = Double(8 * count)
        let grouped = min(groupedDelta, groupedPlain)
        let changes = delta <= plain ? deltaChanges : plainChanges
        if Double(changes) >= groupedMixture * Double(measured) && grouped <= groupedAllowance * min(delta, plain) && grouped <= fixed {
            return groupedDelta <= groupedPlain ? .groupedDelta : .groupedPlain
        }
        if delta <= plain && delta <= fixed { return .delta }
        return plain <= fixed ? .plain : .fixed
    }

    /// Decodes `count` values from `reader` into `output`, `stride` values apart.
    /// - Complexity: O(n).
    @inlinable
    public static func decode(
        count: Int, from reader: inout ByteReader, into output: UnsafeMutablePointer<Int64>, stride: Int = 1
    ) throws(CodecError) {
        precondition(count >= 1, "a column holds at least one value")
        let mode = try readMode(&reader)
        switch mode {
        case .constant:
            let value = try reader.readZigZag()
            if stride == 1 {
                output.update(repeating: value, count: count)
            } else {
                for index in 0..<count { output[index &* stride] = value }
            }
        case .linear:
            var value = try reader.readZigZag()
            let step = try reader.readZigZag()
            for index in 0..<count {
                output[index &* stride] = value
                value = value &+ step
            }
        case .delta:
            var value = try reader.readZigZag()
            let divisor = try readDivisor(&reader)
            output[0] = value
            var index = 1
            try fastLoop(&reader, count: count, index: &index) { position, quotient in
                value = value &+ ZigZag.decode(quotient) &* divisor
                output[position &* stride] = value
                return true
            }
            while index < count {
                value = value &+ (try reader.readZigZag() &* divisor)
                output[index &* stride] = value
                index += 1
            }
        case .plain:
            let divisor = try readDivisor(&reader)
            var index = 0
            var overflow = false
            try fastLoop(&reader, count: count, index: &index) { position, quotient in
                let (value, overflowed) = ZigZag.decode(quotient).multipliedReportingOverflow(by: divisor)
                overflow = overflow || overflowed
                output[position &* stride] = value
                return true
            }
            while index < count {
                let (value, overflowed) = (try reader.readZigZag()).multipliedReportingOverflow(by: divisor)
                overflow = overflow || overflowed
                output[index &* stride] = value
                index += 1
            }
            if overflow { throw .invalidValue(field: "column value", offset: reader.offset) }
        case .fixed:
            let bytes = try reader.readBytes(8 * count)
            for index in 0..<count {
                output[index &* stride] = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * index, as: Int64.self))
            }
        // The grouped layouts repeat the varint layouts' steps on purpose: one run reader for
        // both, taking the step as a closure, was compiled out of line and cost 6 % of a replay.
        case .groupedDelta, .groupedDeltaV2:
            var value = try reader.readZigZag()
            let divisor = try readDivisor(&reader)
            output[0] = value
            guard count > 1 else { return }
            let shifted = output + stride
            try GroupedRun.read(count: count - 1, mode.groupWidths, from: &reader) { index, quotient in
                value = value &+ ZigZag.decode(quotient) &* divisor
                shifted[index &* stride] = value
                return true
            }
        case .groupedPlain, .groupedPlainV2:
            let divisor = try readDivisor(&reader)
            var overflow = false
            try GroupedRun.read(count: count, mode.groupWidths, from: &reader) { index, quotient in
                let (value, overflowed) = ZigZag.decode(quotient).multipliedReportingOverflow(by: divisor)
                overflow = overflow || overflowed
                output[index &* stride] = value
                return true
            }
            if overflow { throw .invalidValue(field: "column value", offset: reader.offset) }
        }
    }

    /// The index of the first value at or after `target` in a column of `count`
    /// non-decreasing values (a receive-time column), or `count` when there is none. Decodes
    /// only as far as the answer.
    public static func firstIndex(atOrAfter target: Int64, count: Int, from reader: inout ByteReader) throws(CodecError) -> Int {
        precondition(count >= 1, "a column holds at least one value")
        let mode = try readMode(&reader)
        switch mode {
        case .constant:
            return try reader.readZigZag() >= target ? 0 : count
        case .linear:
            let first = try reader.readZigZag()
            let step = try reader.readZigZag()
            if first >= target { return 0 }
            guard step > 0 else { return count }
            let (gap, overflow) = target.subtractingReportingOverflow(first)
            if overflow { return count }
            let steps = gap / step + (gap % step == 0 ? 0 : 1)
            return steps < Int64(count) ? Int(steps) : count
        case .delta:
            var value = try reader.readZigZag()
            let divisor = try readDivisor(&reader)
            if value >= target { return 0 }
            var index = 1
            var found: Int?
            try fastLoop(&reader, count: count, index: &index) { position, quotient in
                value = value &+ ZigZag.decode(quotient) &* divisor
                if value >= target { found = position }
                return found == nil
            }
            if let found { return found }
            while index < count {
                value = value &+ (try reader.readZigZag() &* divisor)
                if value >= target { return index }
                index += 1
            }
            return count
        case .plain:
            let divisor = try readDivisor(&reader)
            for index in 0..<count where try reader.readZigZag() &* divisor >= target {
                return index
            }
            return count
        case .groupedDelta, .groupedDeltaV2:
            var value = try reader.readZigZag()
            let divisor = try readDivisor(&reader)
            if value >= target || count == 1 { return value >= target ? 0 : count }
            var found = count
            try GroupedRun.read(count: count - 1, mode.groupWidths, from: &reader) { index, quotient in
                value = value &+ ZigZag.decode(quotient) &* divisor
                if value >= target { found = index + 1 }
                return found == count
            }
            return found
        case .groupedPlain, .groupedPlainV2:
            let divisor = try readDivisor(&reader)
            var found = count
            try GroupedRun.read(count: count, mode.groupWidths, from: &reader) { index, quotient in
                if ZigZag.decode(quotient) &* divisor >= target { found = index }
                return found == count
            }
            return found
        case .fixed:
            let bytes = try reader.readBytes(8 * count)
            var low = 0
            var high = count
            while low < high {
                let middle = (low + high) / 2
                if Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * middle, as: Int64.self)) < target { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    /// Decodes varints without bounds checks while at least 10 bytes (the longest varint)
    /// remain, calling `body` with each position and value and advancing `index`, until
    /// `body` returns false; the caller finishes the column with checked reads.
    @inlinable @inline(__always)
    static func fastLoop(_ reader: inout ByteReader, count: Int, index: inout Int, _ body: (Int, UInt64) -> Bool) throws(CodecError) {
        guard let base = reader.buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var position = reader.offset
        let safeEnd = reader.buffer.count &- 10
        while index < count && position <= safeEnd {
            let start = position
            var byte = base[position]
            position &+= 1
            var value = UInt64(byte)
            if byte >= 0x80 {
                value &= 0x7F
                var shift: UInt64 = 7
                repeat {
                    byte = base[position]
                    position &+= 1
                    value |= UInt64(byte & 0x7F) << shift
                    shift &+= 7
                } while byte >= 0x80 && shift < 70
                if byte >= 0x80 || (shift == 70 && byte > 1) { throw .malformedVarint(offset: start) }
            }
            let more = body(index, value)
            index &+= 1
            if !more { break }
        }
        reader.offset = position
    }

    @inlinable
    static func readMode(_ reader: inout ByteReader) throws(CodecError) -> Mode {
        let offset = reader.offset
        guard let mode = Mode(rawValue: try reader.readByte()) else {
            throw .invalidValue(field: "column mode", offset: offset)
        }
        return mode
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
