import Testing
import TapeCore

@Suite("ByteWriter")
struct ByteWriterTests {
    /// LEB128 a byte at a time: the definition the writer's encodings are held to.
    static func varint(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        return bytes + [UInt8(truncatingIfNeeded: rest)]
    }

    @Test("varints, zigzags and fixed-width integers are the bytes their definitions give, at every length")
    func encodings() {
        var values: [UInt64] = [0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, .max, .max - 1]
        for shift in 0..<64 { values += [1 << UInt64(shift), (1 << UInt64(shift)) - 1, (1 << UInt64(shift)) + 1] }
        var generator = SeededGenerator(seed: 3)
        values += (0..<200).map { _ in UInt64.random(in: 0...UInt64.max, using: &generator) >> UInt64.random(in: 0..<64, using: &generator) }
        for value in values {
            var writer = ByteWriter()
            writer.write(0xAA)
            writer.writeVarint(value)
            writer.writeLittleEndian(value)
            writer.writeBigEndian(value)
            writer.writeLittleEndian(UInt32(truncatingIfNeeded: value))
            writer.writeLittleEndian(UInt16(truncatingIfNeeded: value))
            writer.writeZigZag(Int64(bitPattern: value))
            let little = (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64($0 * 8)) }
            let zigzag = Self.varint(UInt64(bitPattern: (Int64(bitPattern: value) << 1) ^ (Int64(bitPattern: value) >> 63)))
            #expect(writer.bytes == [0xAA] + Self.varint(value) + little + little.reversed() + little[0..<4] + little[0..<2] + zigzag, "\(value)")
        }
    }

    @Test("a length prefix filled in after its bytes is the varint of their count, and moves them when it needs more than one byte")
    func lengthPrefix() {
        for length in [0, 1, 127, 128, 129, 300, 16_383, 16_384, 70_000] {
            var writer = ByteWriter()
            writer.write(7)
            writer.write(0)
            let body = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            writer.write(contentsOf: body)
            writer.fillLengthPrefix(at: 1)
            #expect(writer.bytes == [7] + Self.varint(UInt64(length)) + body, "length \(length)")
        }
    }

    @Test("a writer is a value: a copy keeps its bytes whatever the other then writes, patches, fills or empties")
    func copyOnWrite() {
        var original = ByteWriter(capacity: 4)
        for byte in 0..<20 { original.write(UInt8(byte)) }
        let snapshot = original.bytes
        var copy = original
        copy.writeVarint(300)
        copy.patchLittleEndian(0xDEAD_BEEF, at: 0)
        #expect(original.bytes == snapshot)
        var second = original
        second.write(0)
        second.write(contentsOf: (0..<200).map { UInt8(truncatingIfNeeded: $0) })
        second.fillLengthPrefix(at: 20)
        #expect(original.bytes == snapshot)
        #expect(second.count == 20 + 2 + 200 && second.bytes[20..<22] == [0xC8, 0x01])
        var third = original
        third.removeAll()
        third.appendBounded(maximum: 8) { output in output.writeVarint(1, at: 0) }
        #expect(third.bytes == [1] && original.bytes == snapshot)
        original.write(99)
        #expect(copy.bytes.prefix(4) == [0xEF, 0xBE, 0xAD, 0xDE] && copy.count == 22)
        // Writers made empty share no room to write into: each gets its own.
        var first = ByteWriter()
        var other = ByteWriter()
        first.write(1)
        other.writeVarint(2)
        #expect(first.bytes == [1] && other.bytes == [2] && ByteWriter().bytes.isEmpty)
    }
}
