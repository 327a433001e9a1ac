import Events
import Journal
import TapeCore

/// Parsers for the values commands take.
enum Arguments {
    /// A position given as a sequence number (digits) or a time (ISO-8601).
    enum Position: Equatable {
        case sequence(UInt64)
        case time(Timestamp)
    }

    static func position(_ text: String, option: String) throws -> Position {
        if !text.isEmpty, text.allSatisfy(\.isNumber), let sequence = UInt64(text) {
            return .sequence(sequence)
        }
        do {
            return .time(try Timestamp(parsing: text))
        } catch {
            throw Failure.cannotRun("\(option) \(text): neither a sequence number nor a time (\(error))")
        }
    }

    /// The positions of `--day`, or of `--from`/`--to` (the two forms exclude each other).
    static func dayRange(day: String?, from: String?, to: String?) throws -> (Position?, Position?) {
        guard let day else {
            return (try from.map { try position($0, option: "--from") }, try to.map { try position($0, option: "--to") })
        }
        guard from == nil && to == nil else { throw Failure.cannotRun("--day cannot be combined with --from or --to") }
        let bytes = Array(day.utf8)
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D, let start = try? Timestamp(parsing: day) else {
            throw Failure.cannotRun("--day \(day): expected a date as yyyy-mm-dd")
        }
        return (.time(start), .time(Timestamp(nanosSinceEpoch: start.nanosSinceEpoch + 86_400_000_000_000)))
    }

    /// Event types from labels, each option value possibly a comma-separated list.
    static func types(_ values: [String]) throws -> Set<EventType>? {
        let labels = values.flatMap { $0.split(separator: ",").map(String.init) }
        guard !labels.isEmpty else { return nil }
        return Set(try labels.map { label in
            guard let type = EventType(label: label) else {
                throw Failure.cannotRun("--type \(label): unknown (known: \(EventType.allCases.map(\.label).joined(separator: ", ")))")
            }
            return type
        })
    }

    /// Instrument ids from names, resolved in the journal's table.
    static func instruments(_ values: [String], table: InstrumentTable) throws -> Set<InstrumentID>? {
        let names = values.flatMap { $0.split(separator: ",").map(String.init) }
        guard !names.isEmpty else { return nil }
        return Set(try names.map { name in
            guard let id = table.id(named: name) else {
                throw Failure.cannotRun("--instrument \(name): not in the journal (it has \(table.instruments.map(\.name).joined(separator: ", ")))")
            }
            return id
        })
    }

    /// A duration such as `500ms`, `30s`, `1m`, `4h`, `1d`, `1w`, in nanoseconds.
    static func duration(_ text: String, option: String) throws -> Int64 {
        guard let nanoseconds = DurationText.nanoseconds(text) else {
            throw Failure.cannotRun("\(option) \(text): expected a positive count with a unit of ms, s, m, h, d or w (e.g. 1m)")
        }
        return nanoseconds
    }

    /// The sequence range `from…to` names in a snapshot; `to` given as a time is exclusive.
    static func range(from: Position?, to: Position?, snapshot: JournalSnapshot, reader: inout BlockReader) throws -> ClosedRange<UInt64>? {
        let head = snapshot.head
        guard head.eventCount > 0 else { return nil }
        var first: UInt64 = 1
        var last = head.lastSequence
        switch from {
        case .sequence(let sequence)?: first = max(sequence, 1)
        case .time(let time)?:
            guard let found = try snapshot.sequence(atOrAfter: time, using: &reader) else { return nil }
            first = found
        case nil: break
        }
        switch to {
        case .sequence(let sequence)?: last = min(sequence, last)
        case .time(let time)?:
            if let found = try snapshot.sequence(atOrAfter: time, using: &reader) {
                guard found > 1 else { return nil }
                last = min(last, found - 1)
            }
        case nil: break
        }
        return first <= last ? first...last : nil
    }
}
