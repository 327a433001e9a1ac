import Testing
import TapeCore

@Suite("Hash256")
struct Hash256Tests {
    @Test("32 bytes make the same value whether they lie in one buffer or not: four big-endian words, ordered like the bytes")
    func fromBytes() throws {
        var bytes = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let contiguous = try #require(Hash256(bytes: bytes))
        // A lazy map has no contiguous storage: the byte-by-byte reading.
        let scattered = try #require(Hash256(bytes: bytes.lazy.map { $0 }))
        let raw = try #require(bytes.withUnsafeBytes { Hash256(bytes: $0) })
        #expect(contiguous == scattered && contiguous == raw)
        #expect(contiguous.words.0 == bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) })
        #expect(contiguous.words.3 == bytes[24..<32].reduce(0) { $0 << 8 | UInt64($1) })
        #expect(Hash256(hex: contiguous.description) == contiguous)
        bytes[31] &+= 1
        #expect(try #require(Hash256(bytes: bytes)) > contiguous)
        #expect(Hash256(bytes: bytes.dropLast()) == nil && Hash256(bytes: bytes + [0]) == nil)
    }
}
