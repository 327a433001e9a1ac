import Foundation
import Testing
import TapeCore
import Events
import Journal
import Ingest
@testable import Projections
import TestSupport

@Suite("Replay and snapshots")
struct ReplayTests {
    /// The state hashes after events 1 … `end`, folded from the first event.
    static func reference(_ journal: Journal, _ configuration: ProjectionConfiguration, through end: UInt64) throws -> [String] {
        try Replayer.run(journal: journal, configuration: configuration, range: 1...end, useSnapshots: false).projections.hashes().map { "\($0.name) \($0.hash)" }
    }

    static func hashes(_ outcome: ReplayOutcome) -> [String] {
        outcome.projections.hashes().map { "\($0.name) \($0.hash)" }
    }

    @Test("replay from any snapshot reaches the state of a replay from the first event, whatever the block size and snapshot interval",
          arguments: [(333, nil), (333, 1_000), (8_192, 7_777), (8_192, nil)] as [(Int, UInt64?)])
    func snapshotsAreTransparent(blockEvents: Int, every: UInt64?) throws {
        let directory = TemporaryDirectory("replay")
        let journal = try sampleJournal(directory, blockEvents: blockEvents)
        let configuration = try ProjectionConfiguration(path: Paths.defaultProjections)
        let end = try journal.head().lastSequence
        let checkpoints: [UInt64] = [1, 5_000, 13_483, 13_484, 20_000, 25_555, end]
        let expected = try checkpoints.map { try Self.reference(journal, configuration, through: $0) }
        // Read on one thread, the replay gives the same states as read ahead on a second.
        for checkpoint in [5_000, end] as [UInt64] {
            let alone = try Replayer.run(journal: journal, configuration: configuration, range: 1...checkpoint, useSnapshots: false, readAhead: false)
            #expect(Self.hashes(alone) == (try Self.reference(journal, configuration, through: checkpoint)))
            // Folded event by event (an observer sees each), the same states as a range at a time.
            var observed: UInt64 = 0
            let stepped = try Replayer.run(journal: journal, configuration: configuration, range: 1...checkpoint, useSnapshots: false) { _, _, _ in observed += 1 }
            #expect(Self.hashes(stepped) == Self.hashes(alone) && observed == checkpoint)
        }

        let summary = try Snapshotter.run(journal: journal, configuration: configuration, every: every)
        // The capture crosses midnight after event 13 483: that day boundary is always kept.
        let multiples = every.map { step in Array(stride(from: step, through: end, by: Int(step))) } ?? []
        #expect(summary.stored == Array(Set(multiples + [13_483])).sorted())
        #expect(summary.eventsApplied == end)

        for (checkpoint, hashes) in zip(checkpoints, expected) {
            let outcome = try Replayer.run(journal: journal, configuration: configuration, range: 1...checkpoint, stateOnly: true)
            #expect(Self.hashes(outcome) == hashes, "state at \(checkpoint)")
            #expect(outcome.startedAfter == summary.stored.last { $0 <= checkpoint } ?? 0)
        }
        // A day replayed from its snapshot delivers exactly the day's events and ends in the same state.
        var delivered: [UInt64] = []
        let day = try Replayer.run(journal: journal, configuration: configuration, range: 13_484...end) { _, block, index in
            delivered.append(block.sequence(at: index))
        }
        #expect(day.startedAfter == 13_483 && day.eventsBeforeRange == 0)
        #expect(delivered == Array(13_484...end))
        #expect(Self.hashes(day) == expected.last)

        // Running again stores nothing new; after more events it continues from the last snapshot.
        #expect(try Snapshotter.run(journal: journal, configuration: configuration, every: every).stored.isEmpty)
    }

    @Test("snapshots of another configuration or code version are named and never used")
    func staleSnapshots() throws {
        let directory = TemporaryDirectory("replay")
        let journal = try sampleJournal(directory)
        let original = try configuration("book: {depth_bps: [10]}\n")
        let reordered = try configuration("# the same meaning, written differently\nbook:\n  depth_bps:\n    - 10\n")
        let changed = try configuration("book: {depth_bps: [25]}\n")
        #expect(reordered.hash == original.hash)
        #expect(changed.hash != original.hash)
        _ = try Snapshotter.run(journal: journal, configuration: original)
        let end = try journal.head().lastSequence

        let same = try Replayer.run(journal: journal, configuration: reordered, range: 1...end, stateOnly: true)
        #expect(same.startedAfter == 13_483 && same.ignoredSnapshots.isEmpty)
        let other = try Replayer.run(journal: journal, configuration: changed, range: 1...end, stateOnly: true)
        #expect(other.startedAfter == 0)
        #expect(other.ignoredSnapshots == ["1 snapshot of 1 other configuration"])

        // A snapshot made by other projection code, under this configuration, later than the good one.
        let projections = try ProjectionSet(configuration: original, instruments: try journal.instruments())
        let foreign = SnapshotPayload(codeVersion: "0-old", configurationHash: original.hash, states: projections.states())
        try journal.storeSnapshots([(original.hash, 20_000, Timestamp(nanosSinceEpoch: 0), foreign.encoded())])
        let stale = try Replayer.run(journal: journal, configuration: original, range: 1...end, stateOnly: true)
        #expect(stale.startedAfter == 0)
        #expect(stale.ignoredSnapshots == ["snapshot at 20000 was made by projection code version 0-old, this is \(ProjectionCode.version)"])
        #expect(Self.hashes(stale) == (try Self.reference(journal, original, through: end)))
    }

    @Test("a damaged snapshot stops the replay with an error naming it, rather than being used or skipped silently")
    func damagedPayload() throws {
        let directory = TemporaryDirectory("replay")
        let journal = try sampleJournal(directory)
        let configuration = try configuration("book: {}\n")
        try journal.storeSnapshots([(configuration.hash, 100, Timestamp(nanosSinceEpoch: 0), [1, 2, 3])])
        #expect(throws: JournalError.self) {
            try Replayer.run(journal: journal, configuration: configuration, range: 1...200, stateOnly: true)
        }
    }
}
