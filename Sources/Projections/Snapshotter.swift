import Events
public import Journal
import TapeCore

/// What `Snapshotter.run` stored.
public struct SnapshotSummary: Sendable {
    /// The sequences of the snapshots stored, in order.
    public var stored: [UInt64] = []
    /// The sequence the run started after (an existing snapshot, or 0).
    public var startedAfter: UInt64 = 0
    /// Events folded.
    public var eventsApplied: UInt64 = 0
    /// Bytes of the snapshot frames stored.
    public var bytes: Int = 0
    /// Snapshots that exist but were not used, and why.
    public var ignored: [String] = []
}

/// Writes snapshots of a configuration's projections into the journal: at every UTC day
/// boundary of receive time (the state after the last event of each day) and, when asked,
/// after every `every`-th event. It continues from the latest usable snapshot of the same
/// configuration, so running it again after more events arrive only adds the new ones.
///
/// Each snapshot is stored in its own durable transaction, between read transactions (LMDB
/// lets a thread hold one transaction at a time), so memory stays at one state.
public enum Snapshotter {
    public static func run(
        journal: Journal, configuration: ProjectionConfiguration, every: UInt64? = nil,
        progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws -> SnapshotSummary {
        precondition(every.map { $0 >= 1 } ?? true, "snapshot interval must be positive")
        var summary = SnapshotSummary()
        let instruments = try journal.instruments()
        var projections = try ProjectionSet(configuration: configuration, instruments: instruments)
        let end = try journal.head().lastSequence
        var next: UInt64 = 1
        var previousDay: Int64?
        try journal.read { snapshot in
            let restored = try Replayer.restoreLatest(before: end + 1, snapshot: snapshot, into: &projections, ignored: &summary.ignored)
            summary.startedAfter = restored
            next = restored + 1
            if restored > 0 {
                var reader = BlockReader()
                if try snapshot.loadBlock(containing: restored, using: &reader) {
                    let block = reader.block
                    previousDay = Self.day(block.receiveTimes[Int(restored - block.firstSequence)])
                }
            }
        }
        while next <= end {
            // Fold until a snapshot is due; the read transaction ends before it is stored.
            var due: (sequence: UInt64, time: Int64)?
            var lastTime: Int64 = 0
            try journal.read { snapshot in
                try snapshot.scanAhead(from: next, through: end, filter: EventFilter(types: projections.decodedTypes, instruments: nil)) { block in
                    for index in block.indices(from: next, through: end) {
                        let sequence = block.sequence(at: index)
                        let time = block.receiveTimes[index]
                        let day = Self.day(time)
                        if let previous = previousDay, day != previous, sequence > 1 {
                            // The state after the previous day's last event, before this one.
                            previousDay = day
                            due = (sequence - 1, lastTime)
                            return false
                        }
                        previousDay = day
                        projections.apply(block, at: index)
                        summary.eventsApplied += 1
                        lastTime = time
                        next = sequence + 1
                        if let every, sequence % every == 0 {
                            due = (sequence, time)
                            return false
                        }
                    }
                    progress(next - 1, end)
                    return true
                }
            }
            guard let (sequence, time) = due else { break }
            guard sequence > summary.startedAfter, summary.stored.last != sequence else { continue }
            let payload = SnapshotPayload(codeVersion: ProjectionCode.version, configurationHash: configuration.hash, states: projections.states())
            let bytes = payload.encoded()
            try journal.storeSnapshots([(configuration.hash, sequence, Timestamp(nanosSinceEpoch: time), bytes)])
            summary.stored.append(sequence)
            summary.bytes += bytes.count
        }
        return summary
    }

    /// The UTC day number of a receive time.
    static func day(_ nanoseconds: Int64) -> Int64 {
        TimeGrid.days.index(of: nanoseconds)
    }
}

/// Decides, as a journal grows, when `Snapshotter.run` has something new to store: once the
/// journal's receive times reach a new UTC day (the previous day's snapshot is then due), or
/// `every` more events have arrived. Importers ask it after each commit, so a live journal gets
/// its day snapshots as days pass, at the cost of one fold of the day's events.
public struct SnapshotSchedule: Sendable {
    public let every: UInt64?
    private var day: Int64?
    private var sequence: UInt64

    /// A schedule for a journal whose head is `head` now (what it holds was already snapshotted,
    /// or is left to `tape snapshot`).
    public init(every: UInt64?, head: JournalHead) {
        precondition(every.map { $0 >= 1 } ?? true, "snapshot interval must be positive")
        self.every = every
        day = head.lastReceiveTime.map { Snapshotter.day($0.nanosSinceEpoch) }
        sequence = head.lastSequence
    }

    /// Whether a snapshot falls due with the journal at `head`; when it does, the schedule
    /// counts from there.
    public mutating func isDue(_ head: JournalHead) -> Bool {
        guard let first = head.firstReceiveTime, let last = head.lastReceiveTime, head.lastSequence > sequence else { return false }
        let previous = day ?? Snapshotter.day(first.nanosSinceEpoch)
        let newDay = Snapshotter.day(last.nanosSinceEpoch)
        let due = newDay != previous || every.map { head.lastSequence / $0 > sequence / $0 } ?? false
        day = due ? newDay : previous
        if due { sequence = head.lastSequence }
        return due
    }
}
