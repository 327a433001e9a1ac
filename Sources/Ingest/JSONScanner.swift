import Foundation

/// A pull scanner over one JSON text that hands out values as borrowed bytes: numbers as their
/// exact text (so decimals never pass through floating point), strings raw or unescaped.
/// Nesting is bounded, every read is bounds-checked, and errors name the byte offset.
struct JSONScanner {
    /// The deepest nesting accepted.
    static let maximumDepth = 64

    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0
    private var depth = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Moves to `offset`, a position recorded earlier in the same text.
    mutating func skip(to offset: Int) {
        precondition(offset >= 0 && offset <= bytes.count, "offset outside the text")
        self.offset = offset
    }

    /// Whether only whitespace is left.
    mutating func isAtEnd() -> Bool {
        skipSpace()
        return offset >= bytes.count
    }

    @inline(__always)
    mutating func skipSpace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    /// The next non-space byte, not consumed.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipSpace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    func problem(_ what: String) -> RowProblem {
        RowProblem("JSON: \(what) at byte \(offset + 1)")
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8) throws(RowProblem) {
        guard peek() == byte else { throw problem("expected '\(Character(Unicode.Scalar(byte)))'") }
        offset += 1
    }

    /// Reads a string and returns its bytes between the quotes, escapes untouched, and whether
    /// it holds any escape.
    mutating func readRawString() throws(RowProblem) -> (UnsafeRawBufferPointer, hasEscapes: Bool) {
        try expect(0x22)
        let start = offset
        var escaped = false
        let count = bytes.count
        while offset < count {
            // Eight bytes at a time up to the first '"', '\\' or control byte (SWAR test).
            while offset &+ 8 <= count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                let special = Self.specialBytes(word)
                if special != 0 {
                    offset &+= special.trailingZeroBitCount >> 3
                    break
                }
                offset &+= 8
            }
            guard offset < count else { break }
            let byte = bytes[offset]
            if byte == 0x22 {
                offset += 1
                return (UnsafeRawBufferPointer(rebasing: bytes[start..<(offset - 1)]), escaped)
            }
            if byte == 0x5C {
                escaped = true
                offset += 2
                continue
            }
            if byte < 0x20 { throw problem("control character in a string") }
            offset += 1
        }
        offset = min(offset, count)
        throw problem("unterminated string")
    }

    /// A mask whose lowest set bit is the high bit of the first byte of `word` (in memory order)
    /// that is '"', '\\' or below 0x20, or 0 when there is none (the classic "has zero byte"
    /// and "has byte less than" tests on 8 lanes; their false positives lie only above a true
    /// one, so the lowest bit is exact).
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroQuote = (quote &- ones) & ~quote & highs
        let zeroBackslash = (backslash &- ones) & ~backslash & highs
        let control = (word &- ones &* 0x20) & ~word & highs
        return zeroQuote | zeroBackslash | control
    }

    /// Reads a string, unescaped.
    mutating func readString() throws(RowProblem) -> String {
        let (raw, hasEscapes) = try readRawString()
        guard hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        guard let object = try? JSONSerialization.jsonObject(with: Data([0x22] + raw + [0x22]), options: .fragmentsAllowed),
              let text = object as? String else { throw problem("invalid escape in a string") }
        return text
    }

    /// Reads a number and returns its text.
    mutating func readNumberText() throws(RowProblem) -> UnsafeRawBufferPointer {
        skipSpace()
        let start = offset
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x30...0x39, 0x2D, 0x2B, 0x2E, 0x65, 0x45: offset += 1
            default:
                guard offset > start else { throw problem("expected a number") }
                return UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
            }
        }
        guard offset > start else { throw problem("expected a number") }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
    }

    /// Reads a number or a string holding one, and returns the text: venues send decimals
    /// both ways.
    mutating func readDecimalText() throws(RowProblem) -> UnsafeRawBufferPointer {
        if peek() == 0x22 {
            let (raw, escaped) = try readRawString()
            guard !escaped else { throw problem("escape inside a number") }
            return raw
        }
        return try readNumberText()
    }

    /// Reads an integer given as a number or a string of digits.
    mutating func readInt64() throws(RowProblem) -> Int64 {
        let text = try readDecimalText()
        guard let value = Self.integer(text) else { throw problem("expected an integer, found '\(String(decoding: text, as: UTF8.self))'") }
        return value
    }

    /// Reads `true` or `false`.
    mutating func readBool() throws(RowProblem) -> Bool {
        if try readLiteral("true") { return true }
        if try readLiteral("false") { return false }
        throw problem("expected true or false")
    }

    /// Consumes `null` if it is next; returns whether it was.
    mutating func readNull() throws(RowProblem) -> Bool {
        try readLiteral("null")
    }

    private mutating func readLiteral(_ word: StaticString) throws(RowProblem) -> Bool {
        skipSpace()
        let length = word.utf8CodeUnitCount
        guard offset + length <= bytes.count, memcmp(bytes.baseAddress! + offset, word.utf8Start, length) == 0 else { return false }
        offset += length
        return true
    }

    /// Reads an object, calling `body` with each key (raw bytes); `body` must read or skip the
    /// member's value.
    mutating func readObject(_ body: (UnsafeRawBufferPointer, inout JSONScanner) throws(RowProblem) -> Void) throws(RowProblem) {
        try expect(0x7B)
        try enter()
        if peek() == 0x7D {
            offset += 1
            depth -= 1
            return
        }
        while true {
            let (key, _) = try readRawString()
            try expect(0x3A)
            try body(key, &self)
            switch peek() {
            case 0x2C: offset += 1
            case 0x7D:
                offset += 1
                depth -= 1
                return
            default: throw problem("expected ',' or '}'")
            }
        }
    }

    /// Reads an array, calling `body` for each element, which it must read or skip.
    mutating func readArray(_ body: (inout JSONScanner) throws(RowProblem) -> Void) throws(RowProblem) {
        try expect(0x5B)
        try enter()
        if peek() == 0x5D {
            offset += 1
            depth -= 1
            return
        }
        while true {
            try body(&self)
            switch peek() {
            case 0x2C: offset += 1
            case 0x5D:
                offset += 1
                depth -= 1
                return
            default: throw problem("expected ',' or ']'")
            }
        }
    }

    /// Skips one value of any kind.
    mutating func skipValue() throws(RowProblem) {
        switch peek() {
        case 0x7B: try readObject { (_, scanner) throws(RowProblem) in try scanner.skipValue() }
        case 0x5B: try readArray { (scanner) throws(RowProblem) in try scanner.skipValue() }
        case 0x22: _ = try readRawString()
        case 0x74, 0x66: _ = try readBool()
        case 0x6E: guard try readNull() else { throw problem("unexpected value") }
        case nil: throw problem("unexpected end")
        default: _ = try readNumberText()
        }
    }

    private mutating func enter() throws(RowProblem) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw problem("nested deeper than \(Self.maximumDepth)") }
    }

    /// The integer spelled by `text` (optional minus, digits), or nil.
    @inline(__always)
    static func integer(_ text: UnsafeRawBufferPointer) -> Int64? {
        guard !text.isEmpty else { return nil }
        let negative = text[0] == 0x2D
        let start = negative ? 1 : 0
        let digits = text.count - start
        guard digits > 0 else { return nil }
        var value: UInt64 = 0
        if digits <= 18 {
            // 18 digits cannot overflow: no checks in the loop.
            var invalid: UInt8 = 0
            for index in start..<text.count {
                let digit = text[index] &- 0x30
                invalid |= digit > 9 ? 1 : 0
                value = value &* 10 &+ UInt64(digit)
            }
            guard invalid == 0 else { return nil }
            return negative ? -Int64(value) : Int64(value)
        }
        for index in start..<text.count {
            let digit = text[index] &- 0x30
            guard digit < 10 else { return nil }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(digit))
            guard !overflow && !overflow2 else { return nil }
            value = sum
        }
        if negative { return value <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- value) : nil }
        return value <= UInt64(Int64.max) ? Int64(value) : nil
    }
}

extension UnsafeRawBufferPointer {
    /// Whether these bytes spell `text` exactly.
    @inline(__always)
    func matches(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && (count == 0 || memcmp(baseAddress!, text.utf8Start, count) == 0)
    }

    /// Whether these bytes are exactly one byte, `byte`.
    @inline(__always)
    func isKey(_ byte: UInt8) -> Bool {
        count == 1 && self[0] == byte
    }

    /// The bytes as a string, for messages.
    var text: String { String(decoding: self, as: UTF8.self) }
}
