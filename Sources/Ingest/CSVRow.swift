import TapeCore
import Events

/// Typed reads of one split CSV row, with errors that name the column.
struct CSVRow {
    var fields = CSVFields()
    /// Column names for messages (from the header or the format), by index.
    var names: [String] = []

    func name(_ index: Int) -> String {
        index < names.count ? "column \(index + 1) (\(names[index]))" : "column \(index + 1)"
    }

    func require(count: ClosedRange<Int>) throws(RowProblem) {
        guard count.contains(fields.count) else {
            let expected = count.count == 1 ? "\(count.lowerBound)" : "\(count.lowerBound) to \(count.upperBound)"
            throw RowProblem("\(fields.count) columns, expected \(expected)")
        }
    }

    func text(_ index: Int) throws(RowProblem) -> String {
        guard index < fields.count else { throw RowProblem("\(name(index)) is missing") }
        return fields.string(index)
    }

    func isEmpty(_ index: Int) -> Bool {
        index >= fields.count || fields.ranges[index].isEmpty
    }

    func decimal<T: FixedWidthInteger & SignedInteger>(_ index: Int, scale: Int, as type: T.Type = T.self, nonNegative: Bool = false) throws(RowProblem) -> T {
        guard index < fields.count else { throw RowProblem("\(name(index)) is missing") }
        return try fields.withField(index) { (bytes) throws(RowProblem) -> T in
            do {
                let value: T = try FixedPoint.parse(bytes, scale: scale)
                if nonNegative && value < 0 { throw DecimalError.negative }
                return value
            } catch {
                throw RowProblem("\(name(index)) '\(bytes.text)': \(error)")
            }
        }
    }

    func price(_ index: Int, _ instrument: InstrumentResolver.Entry) throws(RowProblem) -> Price {
        Price(units: try decimal(index, scale: instrument.priceScale))
    }

    func size(_ index: Int, _ instrument: InstrumentResolver.Entry) throws(RowProblem) -> Quantity {
        Quantity(units: try decimal(index, scale: instrument.sizeScale, nonNegative: true))
    }

    func money(_ index: Int, scale: Int) throws(RowProblem) -> Money {
        Money(units: try decimal(index, scale: scale, as: Int128.self))
    }

    func integer(_ index: Int) throws(RowProblem) -> Int64 {
        guard index < fields.count else { throw RowProblem("\(name(index)) is missing") }
        return try fields.withField(index) { (bytes) throws(RowProblem) -> Int64 in
            guard let value = JSONScanner.integer(bytes) else { throw RowProblem("\(name(index)) '\(bytes.text)' is not an integer") }
            return value
        }
    }

    /// A time given as an epoch count (unit by magnitude, or `unit`) or as date-time text.
    func time(_ index: Int, unit: EpochUnit? = nil) throws(RowProblem) -> Timestamp {
        guard index < fields.count else { throw RowProblem("\(name(index)) is missing") }
        return try fields.withField(index) { (bytes) throws(RowProblem) -> Timestamp in
            if let count = JSONScanner.integer(bytes) {
                guard let time = Timestamp(epoch: count, unit: unit ?? EpochUnit.guess(count)) else { throw RowProblem("\(name(index)) '\(bytes.text)' is out of range") }
                return time
            }
            do {
                return try Timestamp(parsing: bytes.text)
            } catch {
                throw RowProblem("\(name(index)): \(error)")
            }
        }
    }

    func bool(_ index: Int) throws(RowProblem) -> Bool {
        guard index < fields.count else { throw RowProblem("\(name(index)) is missing") }
        return try fields.withField(index) { (bytes) throws(RowProblem) -> Bool in
            if let value = Self.boolean(bytes) { return value }
            throw RowProblem("\(name(index)) '\(bytes.text)' is not true or false")
        }
    }

    /// `true`/`false` in any case, or `1`/`0`.
    @inline(__always)
    static func boolean(_ bytes: UnsafeRawBufferPointer) -> Bool? {
        switch bytes.count {
        case 1:
            return bytes[0] == 0x31 ? true : bytes[0] == 0x30 ? false : nil
        case 4:
            let word = UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)) | 0x2020_2020
            return word == 0x6575_7274 ? true : nil  // "true"
        case 5:
            let word = UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)) | 0x2020_2020
            return word == 0x736C_6166 && (bytes[4] | 0x20) == 0x65 ? false : nil  // "false"
        default:
            return nil
        }
    }

    /// Whether this row is a header: its first field is not a number or a date.
    var looksLikeHeader: Bool {
        guard fields.count > 0 else { return false }
        return (try? fields.withField(0) { (bytes) throws(RowProblem) -> Bool in
            guard let first = bytes.first else { return true }
            return !(first >= 0x30 && first <= 0x39) && first != 0x2D
        }) ?? false  // withField cannot fail for field 0 of a non-empty row
    }
}
