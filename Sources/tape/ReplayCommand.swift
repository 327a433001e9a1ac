import ArgumentParser
import Configuration
import Engine
import Events
import Foundation
import Journal
import Projections
import TapeCore

/// The `--projections FILE` option of the commands that run projections.
struct ProjectionsOption: ParsableArguments {
    @Option(help: ArgumentHelp("The projection configuration (YAML); default $TAPE_PROJECTIONS, else projections/default.yaml.", valueName: "file"))
    var projections: String?

    func load() throws -> ProjectionConfiguration {
        guard let path = projections ?? ProcessInfo.processInfo.environment["TAPE_PROJECTIONS"]
            ?? (FileManager.default.fileExists(atPath: "projections/default.yaml") ? "projections/default.yaml" : nil)
        else {
            throw Failure.cannotRun("no projection configuration: pass --projections FILE (projections/default.yaml in the repository is an example)")
        }
        do {
            return try ProjectionConfiguration(path: path)
        } catch {
            throw Failure.cannotRun(error.description)
        }
    }
}

/// The events a command reads: a UTC day, or --from/--to positions (default: all).
struct RangeOption: ParsableArguments {
    @Option(help: ArgumentHelp("A UTC day of receive time.", valueName: "yyyy-mm-dd"))
    var day: String?

    @Option(help: ArgumentHelp("The first event: a sequence number or a time.", valueName: "seq|time"))
    var from: String?

    @Option(help: ArgumentHelp("The last event: a sequence number, or a time (events received before it).", valueName: "seq|time"))
    var to: String?

    /// The first and last positions asked for (nil: the journal's ends).
    func positions() throws -> (Arguments.Position?, Arguments.Position?) {
        try Arguments.dayRange(day: day, from: from, to: to)
    }
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay projections over a journal and print their state and state hashes.",
        discussion: """
            The projections start from the latest snapshot of the same configuration and code version at or before the range's first event (tape snapshot writes them), or from the journal's first event, and fold through the range's last event. Snapshots that exist but are stale are named, never used. The state hashes (SHA-256 of each projection's canonical state) are the same for the same events and configuration, whatever the process, block size or snapshot.

            A range is a UTC day of receive time (--day), or --from/--to as in tape cat; --at TIME ends it at the last event received at or before TIME. Without a range, the whole journal.

            On a run journal (tape backtest), the replay is the merge of the run's source (--source, default the path the run recorded) and the run journal, with the projections the run used (its attached configuration; --projections does not apply), from the run's start through the range's last source event: the ledger and risk state the run had there.
            """
    )

    @OptionGroup var journalOption: JournalOption
    @OptionGroup var projectionsOption: ProjectionsOption

    @OptionGroup var rangeOption: RangeOption

    @Option(help: ArgumentHelp("End at the last event received at or before this time.", valueName: "time"))
    var at: String?

    @Flag(name: .customLong("no-snapshots"), help: "Fold from the journal's first event even when a snapshot could serve.")
    var noSnapshots = false

    @Option(help: ArgumentHelp("For a run journal: its source journal (default: the path the run recorded).", valueName: "dir"))
    var source: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let (from, to) = try rangeOption.positions()
        let at = try at.map { text -> Timestamp in
            do { return try Timestamp(parsing: text) } catch { throw Failure.cannotRun("--at \(text): \(error)") }
        }
        if try failing({ try RunReplay.isRun(Journal(path: journalOption.journal)) }) {
            return try replayRun(from: from, to: to, at: at)
        }
        let configuration = try projectionsOption.load()
        let started = Date()
        let (outcome, journalEnd) = try failing {
            let journal = try Journal(path: journalOption.journal)
            let range = try Self.range(of: journal, from: from, to: to, at: at)
            // Without a start, only the state at the end is asked for: any snapshot up to it serves.
            let outcome = try Replayer.run(
                journal: journal, configuration: configuration, range: range, useSnapshots: !noSnapshots, stateOnly: rangeOption.day == nil && rangeOption.from == nil)
            return (outcome, try journal.head().lastSequence)
        }
        report(outcome, configuration: configuration, journalEnd: journalEnd, seconds: Date().timeIntervalSince(started))
    }

    /// Replays a run journal with its source through the range's last source event.
    private func replayRun(from: Arguments.Position?, to: Arguments.Position?, at: Timestamp?) throws {
        let started = Date()
        let (replay, fold, range) = try failing {
            let replay = try RunReplay(runPath: journalOption.journal, sourcePath: source)
            let range = try Self.range(of: replay.source, from: from, to: to, at: at)
            var visitor = FoldOnly()
            let fold = try replay.replay(through: range?.upperBound ?? 0, visitor: &visitor)
            return (replay, fold, range)
        }
        let last = min(range?.upperBound ?? 0, replay.started.sourceLastSequence)
        let outcome = ReplayOutcome(projections: fold.projections, range: last >= replay.started.sourceFirstSequence ? replay.started.sourceFirstSequence...last : nil,
                                    startedAfter: 0, eventsBeforeRange: 0, ignoredSnapshots: [])
        report(outcome, configuration: replay.configuration.projections, journalEnd: replay.started.sourceLastSequence, seconds: Date().timeIntervalSince(started))
    }

    /// The sequence range of `journal` the options name, ended at `at`.
    private static func range(of journal: Journal, from: Arguments.Position?, to: Arguments.Position?, at: Timestamp?) throws -> ClosedRange<UInt64>? {
        try journal.read { snapshot in
            var reader = BlockReader()
            guard var range = try Arguments.range(from: from, to: to, snapshot: snapshot, reader: &reader) else { return nil }
            if let at {
                let after = try snapshot.sequence(atOrAfter: Timestamp(nanosSinceEpoch: at.nanosSinceEpoch + 1), using: &reader)
                let last = min(range.upperBound, (after ?? snapshot.head.lastSequence + 1) - 1)
                guard last >= range.lowerBound else { return nil }
                range = range.lowerBound...last
            }
            return range
        }
    }

    private func report(_ outcome: ReplayOutcome, configuration: ProjectionConfiguration, journalEnd: UInt64, seconds: Double) {
        let summaries = outcome.projections.summary()
        let events = outcome.range.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
        if json {
            Output.standard.line(JSONValue.object([
                ("journal", .string(journalOption.journal)),
                ("configuration", .string(configuration.source)),
                ("configuration_hash", .string(configuration.hash.description)),
                ("from_seq", outcome.range.map { .unsigned($0.lowerBound) } ?? .null),
                ("to_seq", outcome.range.map { .unsigned($0.upperBound) } ?? .null),
                ("events", .unsigned(events)),
                ("started_after", .unsigned(outcome.startedAfter)),
                ("events_before", .unsigned(outcome.eventsBeforeRange)),
                ("ignored_snapshots", .array(outcome.ignoredSnapshots.map { .string($0) })),
                ("seconds", .string(String(format: "%.3f", seconds))),
                ("projections", .object(summaries.map { ($0.name, .object([("hash", .string($0.hash.description)), ("state", $0.state)])) })),
            ]).text)
            return
        }
        let start = outcome.startedAfter > 0 ? "the snapshot at \(outcome.startedAfter)" : "the first event"
        if let range = outcome.range {
            Output.standard.line(String(format: "replayed %llu events (sequences %llu…%llu) from %@ in %.2f s", events, range.lowerBound, range.upperBound, start, seconds))
        } else if outcome.startedAfter > 0 {
            Output.standard.line("the state at \(outcome.startedAfter), read from its snapshot")
        } else {
            Output.standard.line("no events in the range (the journal has \(journalEnd))")
            return
        }
        for note in outcome.ignoredSnapshots { Output.standard.line("  ignored: \(note)") }
        for summary in summaries {
            Output.standard.line("\(summary.name)  sha256 \(summary.hash)")
            Output.standard.line("  " + summary.state.text)
        }
    }
}

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Store snapshots of the projections in the journal, for fast replay of any day.",
        discussion: """
            Folds the projections from the latest usable snapshot of the configuration (or the first event) to the journal's end and stores the state at every UTC day boundary of receive time (after each day's last event) and, with --every N, after every N-th event. Run it again after more events arrive: it adds only the new snapshots. Each snapshot is its own durable transaction; an interrupted run keeps the ones stored.
            """
    )

    @OptionGroup var journalOption: JournalOption
    @OptionGroup var projectionsOption: ProjectionsOption

    @Option(help: ArgumentHelp("Also store a snapshot after every N-th event.", valueName: "n"))
    var every: UInt64?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let configuration = try projectionsOption.load()
        if let every, every == 0 { throw Failure.cannotRun("--every must be at least 1") }
        let started = Date()
        let summary = try failing {
            let journal = try Journal(path: journalOption.journal, readOnly: false)
            let display = ProgressLine(enabled: !json)
            defer { display.finish() }
            return try Snapshotter.run(journal: journal, configuration: configuration, every: every) { done, total in
                display.update(count: done, noun: "events", fraction: total > 0 ? Double(done) / Double(total) : nil)
            }
        }
        let seconds = Date().timeIntervalSince(started)
        if json {
            Output.standard.line(JSONValue.object([
                ("journal", .string(journalOption.journal)),
                ("configuration", .string(configuration.source)),
                ("configuration_hash", .string(configuration.hash.description)),
                ("started_after", .unsigned(summary.startedAfter)),
                ("events", .unsigned(summary.eventsApplied)),
                ("stored", .array(summary.stored.map { .unsigned($0) })),
                ("bytes", .unsigned(UInt64(summary.bytes))),
                ("ignored_snapshots", .array(summary.ignored.map { .string($0) })),
                ("seconds", .string(String(format: "%.3f", seconds))),
            ]).text)
            return
        }
        let start = summary.startedAfter > 0 ? "the snapshot at \(summary.startedAfter)" : "the first event"
        let list = summary.stored.map(String.init).joined(separator: ", ")
        Output.standard.line(String(format: "stored %d snapshot%@%@ after folding %llu events from %@ in %.2f s",
                                    summary.stored.count, summary.stored.count == 1 ? "" : "s",
                                    summary.stored.isEmpty ? "" : " (sequences \(list))", summary.eventsApplied, start, seconds))
        for note in summary.ignored { Output.standard.line("  ignored: \(note)") }
    }
}
