public import TapeCore

/// A run of unsigned integers stored in groups of four, for the grouped column layouts
/// (specs/journal-format.md §4.3): first one control byte per group, then every value's bytes.
///
/// A value takes one of four widths of little-endian bytes (`GroupWidths`: 1, 2, 3 or 8, or
/// in block encoding 2 1, 2, 4 or 8); its 2-bit code sits in its group's control byte at bits
/// `2k…2k+1` for the group's `k`-th value. Unused codes of a last, partial group are 0, and
/// take no bytes.
///
/// Why: in a varint run each value's length is found by reading the value, so decoding is a
/// chain from one value to the next (a load or a mispredicted branch per value). Here the
/// widths come from the control bytes, read apart from the data, so a group's four values are
/// cut out independently: on real book levels 1.2 ns a value against 3.0 for varints.
@usableFromInline
enum GroupedRun {
    /// The code of `value`: the narrowest of `widths` that holds it.
    @inlinable @inline(__always)
    static func code(_ value: UInt64, _ widths: GroupWidths) -> UInt64 {
        value < 0x100 ? 0 : value < 0x1_0000 ? 1 : value >> (8 &* UInt64(widths.width(2))) == 0 ? 2 : 3
    }

    /// The bytes `value` takes.
    @inlinable @inline(__always)
    static func width(_ value: UInt64, _ widths: GroupWidths) -> Int { widths.width(code(value, widths)) }

    /// The most bytes a run of `count` values takes.
    @inlinable
    static func maximumSize(_ count: Int) -> Int { (count + 3) / 4 + 8 * count }

    /// Writes the run of `count` values, `value(i)` for `i` in `0..<count`, at `position` of
    /// `output`; returns the position after it. `output` must hold `maximumSize(count)`
    /// bytes from `position`: each value is stored as 8 bytes and the next overwrites the
    /// excess.
    @inlinable @inline(__always)
    static func write(_ count: Int, _ widths: GroupWidths, into output: RawOutput, at position: Int, _ value: (Int) -> UInt64) -> Int {
        let controls = (count + 3) / 4
        let base = output.bytes(from: position, count: maximumSize(count))
        base.update(repeating: 0, count: controls)
        var data = controls
        for index in 0..<count {
            let element = value(index)
            let code = code(element, widths)
            base[index &>> 2] |= UInt8(truncatingIfNeeded: code &<< UInt64(2 &* (index & 3)))
            UnsafeMutableRawPointer(base + data).storeBytes(of: element.littleEndian, as: UInt64.self)
            data &+= widths.width(code)
        }
        return position + data
    }

    /// Reads a run of `count` values (at least one), calling `body` with each index and value
    /// in order until it returns false. Checks that the control bytes and the data are there
    /// and that a partial group's unused codes are 0.
    @inlinable @inline(__always)
    static func read(count: Int, _ widths: GroupWidths, from reader: inout ByteReader, _ body: (Int, UInt64) -> Bool) throws(CodecError) {
        let groups = (count + 3) / 4
        let controlsOffset = reader.offset
        let controls = try reader.readBytes(groups).assumingMemoryBound(to: UInt8.self)
        let whole = count / 4
        let partial = count & 3
        // A partial group's unused codes must be 0; summed as a whole group, each then counts
        // the one byte of code 0, which it does not take.
        if partial > 0 && controls[whole] &>> UInt8(2 * partial) != 0 {
            throw .invalidValue(field: "column group codes", offset: controlsOffset + whole)
        }
        let total = widths.dataWidth(ofWholeGroups: UnsafeRawPointer(controls.baseAddress!), count: groups) &- (partial > 0 ? 4 &- partial : 0)
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
            let width0 = widths.width(control & 3)
            let width1 = widths.width((control &>> 2) & 3)
            let width2 = widths.width((control &>> 4) & 3)
            let width3 = widths.width(control &>> 6)
            let offset1 = width0
            let offset2 = offset1 &+ width1
            let offset3 = offset2 &+ width2
            let word = base + position
            let value0 = UInt64(littleEndian: word.loadUnaligned(as: UInt64.self)) & GroupWidths.mask(width0)
            let value1 = UInt64(littleEndian: word.loadUnaligned(fromByteOffset: offset1, as: UInt64.self)) & GroupWidths.mask(width1)
            let value2 = UInt64(littleEndian: word.loadUnaligned(fromByteOffset: offset2, as: UInt64.self)) & GroupWidths.mask(width2)
            let value3 = UInt64(littleEndian: word.loadUnaligned(fromByteOffset: offset3, as: UInt64.self)) & GroupWidths.mask(width3)
            position &+= offset3 &+ width3
            let index = group &* 4
            guard body(index, value0), body(index &+ 1, value1), body(index &+ 2, value2), body(index &+ 3, value3) else { return }
            group &+= 1
        }
        var index = group &* 4
        while index < count {
            let width = widths.width((UInt64(controls[index &>> 2]) &>> UInt64(2 &* (index & 3))) & 3)
            var value: UInt64 = 0
            for byte in 0..<width {
                value |= UInt64(base.load(fromByteOffset: position &+ byte, as: UInt8.self)) &<< UInt64(8 &* byte)
            }
            position &+= width
            guard body(index, value) else { return }
            index &+= 1
        }
    }
}

/// The four byte widths a grouped run's 2-bit codes stand for, packed one a byte.
@usableFromInline
struct GroupWidths: Sendable {
    @usableFromInline let packed: UInt32

    @inlinable init(packed: UInt32) { self.packed = packed }

    /// 1, 2, 3 or 8 bytes: modes 7 and 8, from block encoding version 3. (Three bytes hold
    /// most of the values that needed four: in a side's price column, the jump from one diff's
    /// last level to the next diff's first.)
    @usableFromInline static let compact = GroupWidths(packed: 0x0803_0201)
    /// 1, 2, 4 or 8 bytes: modes 5 and 6, written in block encoding version 2, still read.
    @usableFromInline static let powers = GroupWidths(packed: 0x0804_0201)

    /// The width of code `code` (0…3).
    @inlinable @inline(__always)
    func width(_ code: UInt64) -> Int { Int(truncatingIfNeeded: (packed &>> UInt32(truncatingIfNeeded: code &* 8)) & 0xFF) }

    /// The bytes of the values of `count` whole groups, whose control bytes are at `controls`
    /// (a code 0 counting one byte).
    ///
    /// A width is `1 + a·l + b·h + d·l·h` of its code's low and high bits `l` and `h` (so
    /// `a`, `b` and `d` follow from the widths of codes 1, 2 and 3): the sum over the groups
    /// counts the bits set, eight control bytes a word.
    @inlinable @inline(__always)
    func dataWidth(ofWholeGroups controls: UnsafeRawPointer, count: Int) -> Int {
        let a = width(1) &- 1
        let b = width(2) &- 1
        let d = width(3) &- 1 &- a &- b
        var lows = 0
        var highs = 0
        var boths = 0
        func tally(_ word: UInt64) {
            let low = word & 0x5555_5555_5555_5555
            let high = (word &>> 1) & 0x5555_5555_5555_5555
            lows &+= low.nonzeroBitCount
            highs &+= high.nonzeroBitCount
            boths &+= (low & high).nonzeroBitCount
        }
        var group = 0
        while group &+ 8 <= count {
            tally(UInt64(littleEndian: controls.loadUnaligned(fromByteOffset: group, as: UInt64.self)))
            group &+= 8
        }
        // The last few control bytes, in a word whose other bytes (codes 0) add nothing.
        var rest: UInt64 = 0
        for byte in group..<count { rest |= UInt64(controls.load(fromByteOffset: byte, as: UInt8.self)) &<< UInt64(8 &* (byte &- group)) }
        tally(rest)
        return 4 &* count &+ a &* lows &+ b &* highs &+ d &* boths
    }

    /// The mask of a value's `width` bytes.
    @inlinable @inline(__always)
    static func mask(_ width: Int) -> UInt64 { UInt64.max &>> UInt64(truncatingIfNeeded: 64 &- 8 &* width) }
}
