public import TapeCore

/// A run of unsigned integers stored in groups of four, for the grouped column layouts
/// (specs/journal-format.md §4.3): first one control byte per group, then every value's bytes.
///
/// A value takes 1, 2, 4 or 8 little-endian bytes; its 2-bit code `c` (width `1 << c`) sits in
/// its group's control byte at bits `2k…2k+1` for the group's `k`-th value. Unused codes of a
/// last, partial group are 0, and take no bytes.
///
/// Why: in a varint run each value's length is found by reading the value, so decoding is a
/// chain from one value to the next (a load or a mispredicted branch per value). Here the
/// widths come from the control bytes, read apart from the data, so a group's four values are
/// cut out independently: on real book levels 1.2 ns a value against 3.0 for varints.
@usableFromInline
enum GroupedRun {
    /// The code of `value`: the fewest of 1, 2, 4 or 8 bytes that hold it, as a power of two.
    @inlinable @inline(__always)
    static func code(_ value: UInt64) -> UInt64 {
        value < 0x100 ? 0 : value < 0x1_0000 ? 1 : value < 0x1_0000_0000 ? 2 : 3
    }

    /// The bytes a value of `value`'s code takes.
    @inlinable @inline(__always)
    static func width(_ value: UInt64) -> Int { 1 &<< Int(truncatingIfNeeded: code(value)) }

    /// The bytes of the `count` values that `control` describes (its codes `0…count−1`).
    @inlinable @inline(__always)
    static func dataWidth(_ control: UInt8, count: Int = 4) -> Int {
        var total = 0
        for slot in 0..<count { total &+= 1 &<< Int((control &>> UInt8(2 * slot)) & 3) }
        return total
    }

    /// The mask of a value's bytes by its code.
    @inlinable @inline(__always)
    static func mask(_ code: UInt64) -> UInt64 { UInt64.max &>> (64 &- (8 &<< code)) }

    /// The most bytes a run of `count` values takes.
    @inlinable
    static func maximumSize(_ count: Int) -> Int { (count + 3) / 4 + 8 * count }

    /// Writes the run of `count` values, `value(i)` for `i` in `0..<count`, at `position` of
    /// `output`; returns the position after it. `output` must hold `maximumSize(count)`
    /// bytes from `position`: each value is stored as 8 bytes and the next overwrites the
    /// excess.
    @inlinable @inline(__always)
    static func write(_ count: Int, into output: RawOutput, at position: Int, _ value: (Int) -> UInt64) -> Int {
        let controls = (count + 3) / 4
        let base = output.bytes(from: position, count: maximumSize(count))
        base.update(repeating: 0, count: controls)
        var data = controls
        for index in 0..<count {
            let element = value(index)
            let code = code(element)
            base[index &>> 2] |= UInt8(truncatingIfNeeded: code &<< UInt64(2 &* (index & 3)))
            UnsafeMutableRawPointer(base + data).storeBytes(of: element.littleEndian, as: UInt64.self)
            data &+= 1 &<< Int(truncatingIfNeeded: code)
        }
        return position + data
    }

    /// Reads a run of `count` values (at least one), calling `body` with each index and value
    /// in order until it returns false. Checks that the control bytes and the data are there
    /// and that a partial group's unused codes are 0.
    @inlinable @inline(__always)
    static func read(count: Int, from reader: inout ByteReader, _ body: (Int, UInt64) -> Bool) throws(CodecError) {
        let groups = (count + 3) / 4
        let controlsOffset = reader.offset
        let controls = try reader.readBytes(groups).assumingMemoryBound(to: UInt8.self)
        let whole = count / 4
        let partial = count & 3
        var total = 0
        for group in 0..<whole { total &+= dataWidth(controls[group]) }
        if partial > 0 {
            let last = controls[whole]
            guard last &>> UInt8(2 * partial) == 0 else {
                throw .invalidValue(field: "column group codes", offset: controlsOffset + whole)
            }
            total &+= dataWidth(last, count: partial)
        }
        let dataOffset = reader.offset
        let data = try reader.readBytes(total)
        guard let base = data.baseAddress else { return }
        // A whole group's four 8-byte loads stay within the reader's buffer while its data
        // starts at least 32 bytes before the buffer's end; the rest is read byte by byte.
        let safeEnd = reader.buffer.count - dataOffset - 32
        var position = 0
        var group = 0
        while group < whole && position <= safeEnd {
            let control = UInt64(controls[group])
            let code0 = control & 3
            let code1 = (control &>> 2) & 3
            let code2 = (control &>> 4) & 3
            let code3 = control &>> 6
            let offset1 = 1 &<< Int(truncatingIfNeeded: code0)
            let offset2 = offset1 &+ 1 &<< Int(truncatingIfNeeded: code1)
            let offset3 = offset2 &+ 1 &<< Int(truncatingIfNeeded: code2)
            let word = base + position
            let value0 = UInt64(littleEndian: word.loadUnaligned(as: UInt64.self)) & mask(code0)
            let value1 = UInt64(littleEndian: word.loadUnaligned(fromByteOffset: offset1, as: UInt64.self)) & mask(code1)
            let value2 = UInt64(littleEndian: word.loadUnaligned(fromByteOffset: offset2, as: UInt64.self)) & mask(code2)
            let value3 = UInt64(littleEndian: word.loadUnaligned(fromByteOffset: offset3, as: UInt64.self)) & mask(code3)
            position &+= offset3 &+ 1 &<< Int(truncatingIfNeeded: code3)
            let index = group &* 4
            guard body(index, value0), body(index &+ 1, value1), body(index &+ 2, value2), body(index &+ 3, value3) else { return }
            group &+= 1
        }
        var index = group &* 4
        while index < count {
            let code = (UInt64(controls[index &>> 2]) &>> UInt64(2 &* (index & 3))) & 3
            var value: UInt64 = 0
            for byte in 0..<(1 &<< Int(truncatingIfNeeded: code)) {
                value |= UInt64(base.load(fromByteOffset: position &+ byte, as: UInt8.self)) &<< UInt64(8 &* byte)
            }
            position &+= 1 &<< Int(truncatingIfNeeded: code)
            guard body(index, value) else { return }
            index &+= 1
        }
    }
}
