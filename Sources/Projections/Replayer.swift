public import Events
public import Journal
import TapeCore

/// The payload of a stored snapshot (specs/projections.md §2): the code version and
/// configuration hash it was made with, then each projection's canonical state.
struct SnapshotPayload {
    static let version: UInt8 = 1

    var codeVersion: String
    var configurationHash: Hash256
    var states: [(name: String, bytes: [UInt8])]

    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(Self.version)
        writer.writeString(codeVersion)
        writer.write(contentsOf: configurationHash.bytes)
        writer.writeVarint(UInt64(states.count))
        for (name, bytes) in states {
            writer.writeString(name)
            writer.writeVarint(UInt64(bytes.count))
            writer.write(contentsOf: bytes)
        }
        return writer.bytes
    }

    init(codeVersion: String, configurationHash: Hash256, states: [(name: String, bytes: [UInt8])]) {
        self.codeVersion = codeVersion
        self.configurationHash = configurationHash
        self.states = states
    }

    init(decoding bytes: [UInt8]) throws(CodecError) {
        var decoded: (String, Hash256, [(name: String, bytes: [UInt8])]) = ("", .zero, [])
        try bytes.withBytes { (raw: UnsafeRawBufferPointer) throws(CodecError) in
            var reader = ByteReader(raw)
            let version = try reader.readByte()
            guard version == Self.version else { throw .unsupportedVersion(what: "snapshot payload", version: Int(version)) }
            decoded.0 = try reader.readString(limit: 256, field: "code version")
            decoded.1 = Hash256(bytes: try reader.readBytes(32))!
            for _ in 0..<(try reader.readCount(limit: 64, field: "projection count")) {
                let name = try reader.readString(limit: 64, field: "projection name")
                let length = try reader.readCount(limit: 1 << 30, field: "state length")
                decoded.2.append((name, Array(try reader.readBytes(length))))
            }
            guard reader.isAtEnd else { throw .trailingBytes(offset: reader.offset) }
        }
        (codeVersion, configurationHash, states) = decoded
    }
}

/// What a replay did and where it ended.
public struct ReplayOutcome: Sendable {
    /// The projections' state after the last event of the range.
    public var projections: ProjectionSet
    /// The range of events delivered (nil when it was empty).
    public var range: ClosedRange<UInt64>?
    /// The sequence of the snapshot the replay started from (0: from the first event).
    public var startedAfter: UInt64
    /// Events folded before the range to reach its start (from the snapshot or the start).
    public var eventsBeforeRange: UInt64
    /// Snapshots that exist but were not used, and why.
    public var ignoredSnapshots: [String]

    public init(projections: ProjectionSet, range: ClosedRange<UInt64>?, startedAfter: UInt64, eventsBeforeRange: UInt64, ignoredSnapshots: [String]) {
        self.projections = projections
        self.range = range
        self.startedAfter = startedAfter
        self.eventsBeforeRange = eventsBeforeRange
        self.ignoredSnapshots = ignoredSnapshots
    }
}

/// Runs projections over a journal: from the nearest usable snapshot at or before the start of
/// the range (or from the first event), through the range's last event.
public enum Replayer {
    /// Replays `range` of `journal` with the projections of `configuration`. `observe` is
    /// called after each event of the range is applied, with the projections, the block and
    /// the event's index in it. With `stateOnly`, only the state at the range's end matters:
    /// the replay may start at any snapshot up to it, and the range delivered starts there.
    /// With `recordFeatures`, the features projection keeps every row made from the range's
    /// first event on (read them with `takeRows()` in `observe`). Only the payloads the
    /// projections read are decoded, unless `decodeAll` (for observers that read other events).
    /// With `readAhead` (the default), blocks are decoded on a second thread ahead of the fold
    /// (`JournalSnapshot.scanAhead`); without, on the calling thread alone. The results are
    /// the same.
    public static func run(
        journal: Journal, configuration: ProjectionConfiguration, range requested: ClosedRange<UInt64>?, useSnapshots: Bool = true,
        stateOnly: Bool = false, recordFeatures: Bool = false, decodeAll: Bool = false, readAhead: Bool = true,
        observe: ((inout ProjectionSet, DecodedBlock, Int) throws -> Void)? = nil
    ) throws -> ReplayOutcome {
        try journal.read { snapshot in
            var projections = try ProjectionSet(configuration: configuration, instruments: snapshot.instruments)
            guard var range = requested else {
                return ReplayOutcome(projections: projections, range: nil, startedAfter: 0, eventsBeforeRange: 0, ignoredSnapshots: [])
            }
            var ignored: [String] = []
            let limit = stateOnly ? range.upperBound + 1 : range.lowerBound
            let startedAfter = useSnapshots ? try restoreLatest(before: limit, snapshot: snapshot, into: &projections, ignored: &ignored) : 0
            if stateOnly && startedAfter >= range.lowerBound {
                guard startedAfter < range.upperBound else {
                    return ReplayOutcome(projections: projections, range: nil, startedAfter: startedAfter, eventsBeforeRange: 0, ignoredSnapshots: ignored)
                }
                range = (startedAfter + 1)...range.upperBound
            }
            var before: UInt64 = 0
            let filter = decodeAll ? EventFilter.all : EventFilter(types: projections.decodedTypes, instruments: nil)
            try snapshot.scan(from: startedAfter + 1, through: range.upperBound, filter: filter, readAhead: readAhead) { block in
                let indices = block.indices(from: startedAfter + 1, through: range.upperBound)
                // Events before the range are folded without the observer.
                let firstInRange = block.indices(from: range.lowerBound, through: range.upperBound).lowerBound
                before += UInt64(firstInRange - indices.lowerBound)
                projections.apply(block, in: indices.lowerBound..<firstInRange)
                if recordFeatures && firstInRange < indices.upperBound && block.sequence(at: firstInRange) == range.lowerBound {
                    projections.features?.recording = true
                }
                if let observe {
                    for index in firstInRange..<indices.upperBound {
                        projections.apply(block, at: index)
                        try observe(&projections, block, index)
                    }
                } else {
                    projections.apply(block, in: firstInRange..<indices.upperBound)
                }
                return true
            }
            return ReplayOutcome(projections: projections, range: range, startedAfter: startedAfter, eventsBeforeRange: before, ignoredSnapshots: ignored)
        }
    }

    /// Restores the latest snapshot of this configuration and code version covering at most
    /// events 1 … `start` − 1; returns its sequence, or 0 when there is none. Snapshots that
    /// could have served but are stale are named in `ignored`.
    static func restoreLatest(
        before start: UInt64, snapshot: JournalSnapshot, into projections: inout ProjectionSet, ignored: inout [String]
    ) throws -> UInt64 {
        guard start > 1 else { return 0 }
        let configuration = projections.configuration
        if let (entry, bytes) = try snapshot.latestSnapshot(in: configuration.hash, atOrBefore: start - 1) {
            let payload: SnapshotPayload
            do {
                payload = try SnapshotPayload(decoding: bytes)
            } catch {
                throw JournalError.corruptSnapshot(path: snapshot.journalPath, sequence: entry.sequence, reason: "unreadable payload: \(error)")
            }
            if payload.codeVersion != ProjectionCode.version {
                ignored.append("snapshot at \(entry.sequence) was made by projection code version \(payload.codeVersion), this is \(ProjectionCode.version)")
                return 0
            }
            guard payload.configurationHash == configuration.hash else {
                throw JournalError.corruptSnapshot(path: snapshot.journalPath, sequence: entry.sequence, reason: "stored under a namespace that is not its configuration hash")
            }
            do {
                try projections.restore(payload.states)
            } catch {
                throw JournalError.corruptSnapshot(path: snapshot.journalPath, sequence: entry.sequence, reason: "unreadable state: \(error)")
            }
            return entry.sequence
        }
        let others = try snapshot.snapshotEntries().filter { $0.namespace != configuration.hash && $0.sequence < start }
        if !others.isEmpty {
            let namespaces = Set(others.map(\.namespace)).count
            ignored.append("\(others.count) snapshot\(others.count == 1 ? "" : "s") of \(namespaces) other configuration\(namespaces == 1 ? "" : "s")")
        }
        return 0
    }
}
