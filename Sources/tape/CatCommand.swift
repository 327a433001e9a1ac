import ArgumentParser
import Events
import Journal

/// The options `cat` and `follow` share for choosing events.
struct SelectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The first event: a sequence number, or a time (first event received at or after it).", valueName: "seq|time"))
    var from: String?

    @Option(name: .customLong("type"), help: ArgumentHelp("Only these event types (repeatable or comma-separated), e.g. trade,quote.", valueName: "type"))
    var types: [String] = []

    @Option(name: .customLong("instrument"), help: ArgumentHelp("Only these instruments, SYMBOL.VENUE (repeatable or comma-separated).", valueName: "name"))
    var instruments: [String] = []

    @Option(help: ArgumentHelp("Stop after this many events.", valueName: "n"))
    var limit: UInt64?

    @Flag(help: "Output is always JSON lines; accepted for uniformity with the other commands.")
    var json = false

    func filter(_ table: InstrumentTable) throws -> EventFilter {
        EventFilter(types: try Arguments.types(types), instruments: try Arguments.instruments(instruments, table: table))
    }
}

struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print events as JSON lines: seq, type, time, recv_time, instrument and the payload.",
        discussion: "Prices and sizes are exact decimal strings; times are ISO-8601 UTC with nanoseconds. --to is inclusive for a sequence and exclusive for a time."
    )

    @OptionGroup var journalOption: JournalOption
    @OptionGroup var selection: SelectionOptions

    @Option(help: ArgumentHelp("The last event: a sequence number, or a time (events received before it).", valueName: "seq|time"))
    var to: String?

    func run() throws {
        let from = try selection.from.map { try Arguments.position($0, option: "--from") }
        let to = try to.map { try Arguments.position($0, option: "--to") }
        try failing {
            let journal = try Journal(path: journalOption.journal)
            try journal.read { snapshot in
                var reader = BlockReader()
                guard let range = try Arguments.range(from: from, to: to, snapshot: snapshot, reader: &reader) else { return }
                let filter = try selection.filter(snapshot.instruments)
                var printer = EventPrinter(instruments: snapshot.instruments, limit: selection.limit)
                try snapshot.scan(from: range.lowerBound, through: range.upperBound, filter: filter, using: &reader) { block in
                    printer.print(block, from: range.lowerBound, through: range.upperBound)
                }
            }
        }
    }
}

/// Prints decoded blocks as JSON lines, counting against a limit.
struct EventPrinter {
    let json: EventJSON
    let limit: UInt64?
    private(set) var printed: UInt64 = 0

    init(instruments: InstrumentTable, limit: UInt64?) {
        json = EventJSON(instruments: instruments)
        self.limit = limit
    }

    var isDone: Bool { limit.map { printed >= $0 } ?? false }

    /// Prints the included events of `block` within `first…last`; false once the limit is reached.
    mutating func print(_ block: DecodedBlock, from first: UInt64, through last: UInt64) -> Bool {
        for index in block.indices(from: first, through: last) where block.isIncluded(index) {
            if isDone { return false }
            let event = block.event(at: index)
            let sequence = block.sequence(at: index)
            Output.standard.append { buffer in
                json.append(event, sequence: sequence, to: &buffer)
                buffer.append(0x0A)
            }
            printed += 1
        }
        return !isDone
    }
}

import TapeCore
