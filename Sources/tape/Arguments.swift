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
        let units: [(String, Int64)] = [("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", 86_400_000_000_000), ("w", 604_800_000_000_000)]
        for (suffix, nanos) in units where text.hasSuffix(suffix) {
            if let count = Int64(text.dropLast(suffix.count)), count > 0, count <= Int64.max / nanos {
                return count * nanos
            }
        }
        throw Failure.cannotRun("\(option) \(text): expected a positive count with a unit of ms, s, m, h, d or w (e.g. 1m)")
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
