import ArgumentParser
import Events
import Journal

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every block, the time index and the head.",
        discussion: "Exit status: 0 clean, 1 corrupt (the damaged sequence ranges are named), 2 could not run."
    )

    @OptionGroup var journalOption: JournalOption

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let display = ProgressLine(enabled: !json)
        let (report, total) = try failing {
            let journal = try Journal(path: journalOption.journal)
            let total = try journal.head().eventCount
            let report = try journal.verify { checked in
                display.update(count: checked, noun: "events", fraction: total > 0 ? Double(checked) / Double(total) : nil)
            }
            return (report, total)
        }
        display.finish()
        if json {
            Output.standard.line(JSONValue.object([
                ("journal", .string(journalOption.journal)),
                ("status", .string(report.isClean ? "clean" : "corrupt")),
                ("blocks", .unsigned(report.blocksChecked)),
                ("events", .unsigned(report.eventsChecked)),
                ("snapshots", .unsigned(report.snapshotsChecked)),
                ("problems", .array(report.problems.map { problem in
                    .object([("first_seq", .unsigned(problem.firstSequence)), ("last_seq", .unsigned(problem.lastSequence)), ("reason", .string(problem.reason))])
                })),
            ]).text)
        } else if report.isClean {
            let snapshots = report.snapshotsChecked > 0 ? ", \(report.snapshotsChecked) snapshot\(report.snapshotsChecked == 1 ? "" : "s")" : ""
            Output.standard.line("clean: \(report.eventsChecked) events in \(report.blocksChecked) blocks\(snapshots)")
        } else {
            for problem in report.problems {
                Output.standard.line("corrupt: sequences \(problem.firstSequence)…\(problem.lastSequence): \(problem.reason)")
            }
            Output.standard.line("\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") in \(total) events")
        }
        if !report.isClean {
            Output.standard.flush()
            throw ExitCode(1)
        }
    }
}
