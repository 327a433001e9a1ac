import ArgumentParser
import Events
import Foundation
import Journal
import TapeCore

struct FollowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow",
        abstract: "Print events as JSON lines as another process commits them (like tail -f).",
        discussion: "Starts after the journal's current end unless --from says otherwise; runs until interrupted or --limit events. Waits for the journal if it does not exist yet."
    )

    @OptionGroup var journalOption: JournalOption
    @OptionGroup var selection: SelectionOptions

    @Option(help: ArgumentHelp("How often to look for new commits, in milliseconds.", valueName: "ms"))
    var poll = 50

    func run() throws {
        let from = try selection.from.map { try Arguments.position($0, option: "--from") }
        guard poll >= 1 else { throw Failure.cannotRun("--poll must be at least 1 ms") }
        try failing {
            let journal = try waitForJournal()
            var next = try start(journal, from: from)
            var printer: EventPrinter?
            var filter = EventFilter.all
            var knownInstruments = -1
            while !(printer?.isDone ?? false) {
                let head = try journal.head()
                guard head.lastSequence >= next else {
                    Output.standard.flush()
                    usleep(useconds_t(poll * 1000))
                    continue
                }
                try journal.read { snapshot in
                    if snapshot.instruments.count != knownInstruments {
                        // Instruments added since: rebuild the filter and the names.
                        knownInstruments = snapshot.instruments.count
                        filter = try selection.filter(snapshot.instruments)
                        let printed = printer?.printed ?? 0
                        printer = EventPrinter(instruments: snapshot.instruments, limit: selection.limit.map { $0 - printed })
                    }
                    var reader = BlockReader()
                    let last = snapshot.head.lastSequence
                    try snapshot.scan(from: next, through: last, filter: filter, using: &reader) { block in
                        printer!.print(block, from: next, through: last)
                    }
                    next = last + 1
                }
                Output.standard.flush()
            }
        }
    }

    /// Opens the journal, waiting (and saying so once) while it does not exist or is still
    /// being created by its writer.
    private func waitForJournal() throws -> Journal {
        var announced = false
        while true {
            do {
                return try Journal(path: journalOption.journal)
            } catch {
                switch error {
                case .notFound, .notAJournal: break
                default: throw error
                }
                if !announced {
                    Output.error.line("tape: waiting for a journal at \(journalOption.journal)")
                    Output.error.flush()
                    announced = true
                }
                usleep(useconds_t(poll * 1000))
            }
        }
    }

    /// The first sequence to print.
    private func start(_ journal: Journal, from: Arguments.Position?) throws -> UInt64 {
        switch from {
        case .sequence(let sequence)?: return max(sequence, 1)
        case .time(let time)?:
            return try journal.read { snapshot in
                var reader = BlockReader()
                return try snapshot.sequence(atOrAfter: time, using: &reader) ?? snapshot.head.lastSequence + 1
            }
        case nil: return try journal.head().lastSequence + 1
        }
    }
}
