/// Why a date-time text could not become a `Timestamp`.
public enum TimestampTextError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case outOfRange(String)

    public var description: String {
        switch self {
        case .malformed(let text): "'\(text)' is not a date-time (expected e.g. 2024-08-08T23:54:16.322Z)"
        case .outOfRange(let text): "'\(text)' is outside 1677-09-21 … 2262-04-11"
        }
    }
}

extension Timestamp {
    /// The ISO-8601 text of this time in UTC with nine fractional digits,
    /// e.g. `2024-08-08T23:54:16.322000000Z`.
    public var iso8601: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(30)
        appendISO8601(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `iso8601` to `output` without building a string.
    public func appendISO8601(to output: inout [UInt8]) {
        var seconds = nanosSinceEpoch / Self.nanosPerSecond
        var nanos = nanosSinceEpoch % Self.nanosPerSecond
        if nanos < 0 {
            nanos += Self.nanosPerSecond
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        Self.appendDigits(year, width: 4, to: &output)
        output.append(0x2D)
        Self.appendDigits(Int64(month), width: 2, to: &output)
        output.append(0x2D)
        Self.appendDigits(Int64(day), width: 2, to: &output)
        output.append(0x54)
        Self.appendDigits(secondOfDay / 3600, width: 2, to: &output)
        output.append(0x3A)
        Self.appendDigits(secondOfDay / 60 % 60, width: 2, to: &output)
        output.append(0x3A)
        Self.appendDigits(secondOfDay % 60, width: 2, to: &output)
        output.append(0x2E)
        Self.appendDigits(nanos, width: 9, to: &output)
        output.append(0x5A)
    }

    /// The UTC day of this time as `YYYY-MM-DD`.
    public var dayText: String {
        String(iso8601.prefix(10))
    }

    private static func appendDigits(_ value: Int64, width: Int, to output: inout [UInt8]) {
        if value < 0 { output.append(0x2D) }
        let magnitude = value.magnitude
        var divisor = UInt64(FixedPoint.powersOfTen[width - 1])
        while divisor > 0 {
            output.append(UInt8(magnitude / divisor % 10) + 0x30)
            divisor /= 10
        }
    }

    /// Parses a date-time in UTC unless it carries an offset. Accepted forms:
    /// `2024-08-08`, `2024-08-08T23:54`, `2024-08-08T23:54:16`, `2024-08-08 23:54:16.322`,
    /// any of these with up to nine fractional digits and `Z`, `+02:00` or `+0200`;
    /// and the compact `20180201` / `20180201T`.
    public init(parsing text: String) throws(TimestampTextError) {
        var scanner = DateScanner(Array(text.utf8))
        guard let nanos = scanner.parse() else {
            throw scanner.outOfRange ? .outOfRange(text) : .malformed(text)
        }
        self.init(nanosSinceEpoch: nanos)
    }
}

/// Conversion between days since 1970-01-01 and proleptic Gregorian dates
/// (Howard Hinnant's `days_from_civil` and `civil_from_days`).
public enum CivilCalendar {
    /// Days since 1970-01-01 of the given date.
    public static func days(year: Int64, month: Int, day: Int) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthIndex = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * monthIndex + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of the given day since 1970-01-01.
    public static func date(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The number of days in the month.
    public static func daysInMonth(year: Int64, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// A one-pass parser for the date-time forms `Timestamp(parsing:)` accepts.
private struct DateScanner {
    let bytes: [UInt8]
    var index = 0
    var outOfRange = false

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parse() -> Int64? {
        guard let year = digits(4) else { return nil }
        let compact = index < bytes.count && bytes[index] != 0x2D
        if !compact { guard take(0x2D) else { return nil } }
        guard let month = digits(2) else { return nil }
        if !compact { guard take(0x2D) else { return nil } }
        guard let day = digits(2), (1...12).contains(month),
              (1...CivilCalendar.daysInMonth(year: Int64(year), month: month)).contains(day) else { return nil }
        var secondOfDay: Int64 = 0
        var nanos: Int64 = 0
        var offsetSeconds: Int64 = 0
        if index < bytes.count && (bytes[index] == 0x54 || bytes[index] == 0x20) {
            index += 1
            if index < bytes.count {
                guard let time = timeOfDay() else { return nil }
                (secondOfDay, nanos) = time
                guard let offset = zone() else { return nil }
                offsetSeconds = offset
            }
        }
        guard index == bytes.count else { return nil }
        let days = CivilCalendar.days(year: Int64(year), month: month, day: day)
        let seconds = days * 86_400 + secondOfDay - offsetSeconds
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: Timestamp.nanosPerSecond)
        let (total, overflow2) = scaled.addingReportingOverflow(nanos)
        if overflow || overflow2 {
            outOfRange = true
            return nil
        }
        return total
    }

    mutating func timeOfDay() -> (Int64, Int64)? {
        guard let hour = digits(2), hour < 24 else { return nil }
        let compact = index < bytes.count && bytes[index] != 0x3A
        if !compact { guard take(0x3A) else { return nil } }
        guard let minute = digits(2), minute < 60 else { return nil }
        var second = 0
        if index < bytes.count && (bytes[index] == 0x3A || (compact && bytes[index] &- 0x30 < 10)) {
            if !compact { index += 1 }
            guard let value = digits(2), value < 60 else { return nil }
            second = value
        }
        var nanos: Int64 = 0
        if index < bytes.count && (bytes[index] == 0x2E || bytes[index] == 0x2C) {
            index += 1
            var count = 0
            while index < bytes.count && bytes[index] &- 0x30 < 10 {
                guard count < 9 else { return nil }
                nanos = nanos * 10 + Int64(bytes[index] - 0x30)
                count += 1
                index += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<9 { nanos *= 10 }
        }
        return (Int64(hour * 3600 + minute * 60 + second), nanos)
    }

    mutating func zone() -> Int64? {
        guard index < bytes.count else { return 0 }
        if take(0x5A) { return 0 }
        let sign: Int64
        if take(0x2B) { sign = 1 } else if take(0x2D) { sign = -1 } else { return nil }
        guard let hours = digits(2), hours <= 23 else { return nil }
        _ = take(0x3A)
        guard let minutes = digits(2), minutes < 60 else { return nil }
        return sign * Int64(hours * 3600 + minutes * 60)
    }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func digits(_ count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<count {
            let digit = bytes[index + offset] &- 0x30
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        index += count
        return value
    }
}

/// Durations written as a positive count and a unit: `500ms`, `30s`, `1m`, `4h`, `1d`, `1w`.
public enum DurationText {
    /// The units, largest last; each with its length in nanoseconds.
    public static let units: [(suffix: String, nanoseconds: Int64)] = [
        ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
        ("d", 86_400_000_000_000), ("w", 604_800_000_000_000),
    ]

    /// The length of `text` in nanoseconds, nil when it is not a positive count with a unit.
    public static func nanoseconds(_ text: String) -> Int64? {
        for (suffix, nanos) in units where text.hasSuffix(suffix) {
            let digits = text.dropLast(suffix.count)
            // "1ms" must not be read as "1m" followed by "s": the longest suffix that leaves digits wins.
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { continue }
            if let count = Int64(digits), count > 0, count <= Int64.max / nanos { return count * nanos }
        }
        return nil
    }

    /// The shortest text for `nanoseconds` in the largest unit that divides it (`60s` is `1m`);
    /// whole nanoseconds that no unit divides are written with `ns`.
    public static func format(_ nanoseconds: Int64) -> String {
        for (suffix, nanos) in units.reversed() where nanoseconds % nanos == 0 {
            return "\(nanoseconds / nanos)\(suffix)"
        }
        return "\(nanoseconds)ns"
    }
}
