/// A 256-bit value: a SHA-256 digest, a transaction id. Held as four big-endian words so that
/// it is a trivial value type (no heap storage), and ordered like its bytes.
public struct Hash256: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The bytes 0–7, 8–15, 16–23 and 24–31, each read big-endian.
    public var words: (UInt64, UInt64, UInt64, UInt64)

    /// The all-zero value, meaning "none".
    public static let zero = Hash256(words: (0, 0, 0, 0))

    /// Creates a value from its four words.
    public init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

    /// Creates a value from exactly 32 bytes.
    @inlinable
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        // Contiguous bytes (an array, a digest's buffer) are read a word at a time.
        if let words = bytes.withContiguousStorageIfAvailable({ bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            func word(_ offset: Int) -> UInt64 { UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
            return (word(0), word(8), word(16), word(24))
        }) {
            self.words = words
            return
        }
        var values: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var index = 0
        for byte in bytes {
            switch index >> 3 {
            case 0: values.0 = values.0 << 8 | UInt64(byte)
            case 1: values.1 = values.1 << 8 | UInt64(byte)
            case 2: values.2 = values.2 << 8 | UInt64(byte)
            default: values.3 = values.3 << 8 | UInt64(byte)
            }
            index += 1
        }
        words = values
    }

    /// Parses 64 hexadecimal digits.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), let value = Hash256(bytes: bytes) else { return nil }
        self = value
    }

    /// The 32 bytes.
    public var bytes: [UInt8] {
        [words.0, words.1, words.2, words.3].flatMap { word in
            (0..<8).map { UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * $0)) }
        }
    }

    /// Lower-case hexadecimal.
    public var description: String { Hex.encode(bytes) }

    public static func == (lhs: Hash256, rhs: Hash256) -> Bool {
        lhs.words == rhs.words
    }

    public static func < (lhs: Hash256, rhs: Hash256) -> Bool {
        lhs.words < rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

/// Hexadecimal text of bytes.
public enum Hex {
    /// The lower-case hexadecimal text of `bytes`.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of hexadecimal text (either case), or nil if it is not an even number of digits.
    public static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        case 0x41...0x46: digit - 0x41 + 10
        default: nil
        }
    }
}
