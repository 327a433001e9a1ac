import ArgumentParser
import Events
import Foundation
import Journal
import TapeCore

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a journal: events, sequence and time range, size, counts by type, instruments, imports."
    )

    @OptionGroup var journalOption: JournalOption

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let path = journalOption.journal
        let (journal, head, instruments, imports, snapshots) = try failing {
            let journal = try Journal(path: path)
            let (head, instruments, imports, snapshots) = try journal.read { snapshot in
                (snapshot.head, snapshot.instruments, try snapshot.importHistory(), try snapshot.snapshotEntries())
            }
            return (journal, head, instruments, imports, snapshots)
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? NSNumber)?.uint64Value ?? 0  // the journal opened, so the file exists; 0 only if it vanished since
        if json {
            Output.standard.line(Self.json(path: path, id: journal.id, head: head, bytes: bytes, instruments: instruments, imports: imports, snapshots: snapshots).text)
            return
        }
        Output.standard.line("journal    \(path)  (id \(journal.id), format \(Journal.formatVersion))")
        guard head.eventCount > 0 else {
            Output.standard.line("events     none")
            return
        }
        Output.standard.line("events     \(head.eventCount)  (sequences \(head.firstSequence)…\(head.lastSequence) in \(head.blockCount) blocks)")
        Output.standard.line("received   \(head.firstReceiveTime!.iso8601) … \(head.lastReceiveTime!.iso8601)")
        Output.standard.line(String(format: "size       %@ on disk, %@ of blocks, %.2f bytes/event", Self.bytes(bytes), Self.bytes(head.storedBytes), Double(head.storedBytes) / Double(head.eventCount)))
        Output.standard.line("counts     " + head.counts.map { "\($0.type.label) \($0.count)" }.joined(separator: ", "))
        for (index, instrument) in instruments.instruments.enumerated() {
            Output.standard.line("instrument #\(index + 1) \(instrument.name)  \(instrument.kind.rawValue), \(instrument.venueSymbol), tick \(FixedPoint.format(instrument.priceIncrement.units, scale: instrument.priceScale)), lot \(FixedPoint.format(instrument.sizeIncrement.units, scale: instrument.sizeScale))")
        }
        for record in imports {
            Output.standard.line("import     \(record.importedAt.iso8601) \(record.format) \(record.files.map(\.path).joined(separator: " ")) → \(record.firstSequence)…\(record.lastSequence)")
        }
        // One line per configuration (namespace), in the order the journal lists them.
        var namespaces: [Hash256] = []
        for entry in snapshots where namespaces.last != entry.namespace { namespaces.append(entry.namespace) }
        for namespace in namespaces {
            let entries = snapshots.filter { $0.namespace == namespace }
            let shown = entries.count > 4 ? [entries[0].sequence, entries[1].sequence] : entries.map(\.sequence)
            let list = shown.map(String.init).joined(separator: ", ") + (entries.count > 4 ? ", …, \(entries.last!.sequence)" : "")
            Output.standard.line("snapshots  \(entries.count) of configuration \(namespace.description.prefix(12))…: sequences \(list)")
        }
    }

    static func bytes(_ count: UInt64) -> String {
        count >= 1 << 20 ? String(format: "%.1f MiB", Double(count) / 1_048_576) : String(format: "%.1f KiB", Double(count) / 1024)
    }

    static func json(
        path: String, id: JournalID, head: JournalHead, bytes: UInt64, instruments: InstrumentTable, imports: [ImportRecord], snapshots: [SnapshotEntry]
    ) -> JSONValue {
        .object([
            ("journal", .string(path)),
            ("id", .string(id.description)),
            ("format_version", .integer(Int64(Journal.formatVersion))),
            ("events", .unsigned(head.eventCount)),
            ("first_seq", .unsigned(head.firstSequence)),
            ("last_seq", .unsigned(head.lastSequence)),
            ("first_time", head.firstReceiveTime.map { .string($0.iso8601) } ?? .null),
            ("last_time", head.lastReceiveTime.map { .string($0.iso8601) } ?? .null),
            ("bytes", .unsigned(bytes)),
            ("stored_bytes", .unsigned(head.storedBytes)),
            ("blocks", .unsigned(head.blockCount)),
            ("counts", .object(head.counts.map { ($0.type.label, .unsigned($0.count)) })),
            ("instruments", .array(instruments.instruments.enumerated().map { index, instrument in
                .object([
                    ("id", .integer(Int64(index + 1))),
                    ("name", .string(instrument.name)),
                    ("kind", .string(instrument.kind.rawValue)),
                    ("venue_symbol", .string(instrument.venueSymbol)),
                    ("base", .string(instrument.baseCurrency)),
                    ("quote", .string(instrument.quoteCurrency)),
                    ("settlement", .string(instrument.settlementCurrency)),
                    ("price_decimals", .integer(Int64(instrument.priceScale))),
                    ("size_decimals", .integer(Int64(instrument.sizeScale))),
                    ("price_increment", .string(FixedPoint.format(instrument.priceIncrement.units, scale: instrument.priceScale))),
                    ("size_increment", .string(FixedPoint.format(instrument.sizeIncrement.units, scale: instrument.sizeScale))),
                    ("multiplier", .string(instrument.multiplier.description)),
                ])
            })),
            ("imports", .array(imports.map { record in
                .object([
                    ("format", .string(record.format)),
                    ("files", .array(record.files.map(ImportReport.fileJSON))),
                    ("first_seq", .unsigned(record.firstSequence)),
                    ("last_seq", .unsigned(record.lastSequence)),
                    ("imported_at", .string(record.importedAt.iso8601)),
                    ("tool_version", .string(record.toolVersion)),
                    ("forced", .bool(record.forced)),
                ])
            })),
            ("snapshots", .array(snapshots.map { entry in
                .object([
                    ("configuration", .string(entry.namespace.description)),
                    ("seq", .unsigned(entry.sequence)),
                    ("time", .string(entry.receiveTime.iso8601)),
                    ("bytes", .unsigned(UInt64(entry.storedBytes))),
                ])
            })),
        ])
    }
}
