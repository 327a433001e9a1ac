/// The identity of a journal: 128 bits chosen at random when the journal is created, and
/// named by every run that reads it. Shown as 32 hexadecimal digits in 8-4-4-4-12 groups.
public struct JournalID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The high and low 64 bits.
    public var high: UInt64
    public var low: UInt64

    /// Creates an id from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The id of no journal.
    public static let none = JournalID(high: 0, low: 0)

    /// Parses the 8-4-4-4-12 text (dashes optional).
    public init?(text: String) {
        let digits = String(text.filter { $0 != "-" })
        guard digits.utf8.count == 32, let bytes = Hex.decode(digits) else { return nil }
        high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    public static func < (lhs: JournalID, rhs: JournalID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// The 16 bytes, high half first.
    public var bytes: [UInt8] {
        var result: [UInt8] = []
        for word in [high, low] {
            for shift in stride(from: 56, through: 0, by: -8) {
                result.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return result
    }

    public var description: String {
        let characters = Array(Hex.encode(bytes))
        let groups: [Range<Int>] = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32]
        return groups.map { String(characters[$0]) }.joined(separator: "-")
    }
}
