import ArgumentParser
import Foundation
import Ingest
import Journal
import TapeCore

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Build a new journal from several, merged by receive time.",
        discussion: """
            A journal only grows forward in time, so data older than a journal's end cannot be appended to it; merge writes the events of every source into a new journal in receive-time order instead (ties: the order the sources are given, then each source's order). Instruments are matched by SYMBOL.VENUE and must be defined alike in every source.

            The output must hold no events. It is written in one transaction: stopped or killed, it is left as it was. Its history records one entry naming each source with the SHA-256 of its events.
            """
    )

    @Argument(help: ArgumentHelp("The source journal directories.", valueName: "source"))
    var sources: [String]

    @OptionGroup var journalOption: JournalOption

    @OptionGroup var blockEventsOption: BlockEventsOption

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let options = try blockEventsOption.journalOptions()
        // LMDB must not open one environment twice in a process: refuse repeats before opening.
        var seen: [String: String] = [:]
        for path in sources + [journalOption.journal] {
            let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardized.path
            if let earlier = seen[resolved] {
                throw Failure.cannotRun("\(path) and \(earlier) are the same journal")
            }
            seen[resolved] = path
        }
        let started = Date()
        let summary: ImportSummary = try failing {
            let inputs = try sources.map { path in (path: path, journal: try Journal(path: path)) }
            let output = try Journal(path: journalOption.journal, readOnly: false, create: true, options: options)
            let display = ProgressLine(enabled: !json)
            defer { display.finish() }
            return try JournalMerge.run(
                inputs, into: output, toolVersion: Tape.version, importedAt: Timestamp(nanosSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
            ) { progress in
                display.update(count: progress.events, noun: "events", fraction: progress.bytesTotal.map { $0 > 0 ? Double(progress.bytesRead) / Double($0) : 0 })
            }
        }
        ImportReport.print(summary, journal: journalOption.journal, json: json, seconds: Date().timeIntervalSince(started))
    }
}
