public import Events
public import Journal
import Projections
import TapeCore

/// Sees a replay of a run, step by step (`RunReplay.replay`).
public protocol RunVisitor {
    /// Before the fold takes source event `index` of `source`: the fold is as the previous
    /// step left it.
    mutating func beginStep(_ source: DecodedBlock, at index: Int, fold: inout RunFold) throws
    /// Before the fold takes run event `index` of `run`, which reacted to the source event
    /// `sourceIndex` of `source`.
    mutating func run(_ run: DecodedBlock, at index: Int, source: DecodedBlock, at sourceIndex: Int, fold: inout RunFold) throws
    /// After the source event and every run event that reacted to it.
    mutating func endStep(_ source: DecodedBlock, at index: Int, fold: inout RunFold) throws
}

extension RunVisitor {
    public mutating func beginStep(_ source: DecodedBlock, at index: Int, fold: inout RunFold) throws {}
    public mutating func run(_ run: DecodedBlock, at index: Int, source: DecodedBlock, at sourceIndex: Int, fold: inout RunFold) throws {}
    public mutating func endStep(_ source: DecodedBlock, at index: Int, fold: inout RunFold) throws {}
}

/// A run journal with its source (specs/runs.md): the configuration it was made with, read
/// from its attachments, and the deterministic merge of the two — after each source event,
/// the run events that name it as their causation, in run order.
public struct RunReplay {
    public let run: Journal
    public let runPath: String
    public let source: Journal
    public let sourcePath: String
    public let started: RunStarted
    public let configuration: RunConfiguration

    /// Whether `journal` is a run journal (its first event is `run_started`).
    public static func isRun(_ journal: Journal) throws -> Bool {
        try journal.read { try runStarted($0) != nil }
    }

    /// The run's `run_started`, nil when the first event is something else.
    private static func runStarted(_ snapshot: JournalSnapshot) throws -> RunStarted? {
        let cursor = try JournalCursor(snapshot, filter: EventFilter(types: [.runStarted], instruments: nil))
        guard !cursor.isExhausted, cursor.block.types[cursor.index] == .runStarted else { return nil }
        return cursor.block.payloads.runsStarted.first
    }

    /// Opens the run at `runPath` and its source: `sourcePath`, else the path the run recorded.
    public init(runPath: String, sourcePath override: String?) throws {
        self.runPath = runPath
        run = try Journal(path: runPath)
        let (started, attachments) = try run.read { snapshot -> (RunStarted?, [String: String]) in
            guard let started = try Self.runStarted(snapshot) else { return (nil, [:]) }
            var texts: [String: String] = [:]
            for name in [Engine.Attachment.run, Engine.Attachment.projections, Engine.Attachment.limits, Engine.Attachment.source, Engine.Attachment.paths] {
                if let bytes = try snapshot.attachment(name) { texts[name] = String(decoding: bytes, as: UTF8.self) }
            }
            return (started, texts)
        }
        guard let started else { throw RunError("\(runPath) is not a run journal: its first event is not run_started") }
        self.started = started
        guard let runText = attachments[Engine.Attachment.run], let projections = attachments[Engine.Attachment.projections],
              let limits = attachments[Engine.Attachment.limits] else {
            throw RunError("\(runPath): the run's configuration files are not attached")
        }
        let paths = (attachments[Engine.Attachment.paths] ?? "").split(separator: "\n").map(String.init)
        func path(_ index: Int, _ fallback: String) -> String { index < paths.count ? paths[index] : fallback }
        configuration = try RunConfiguration(
            text: runText, source: "\(runPath)#\(path(0, "run.yaml"))", projections: (projections, "\(runPath)#\(path(1, "projections.yaml"))"),
            limits: (limits, "\(runPath)#\(path(2, "limits.yaml"))"))
        guard configuration.hash == started.configurationHash else {
            throw RunError("\(runPath): the attached configuration's hash \(configuration.hash) is not the run's \(started.configurationHash)")
        }
        guard let path = override ?? attachments[Engine.Attachment.source] else {
            throw RunError("\(runPath): the run does not record its source journal: give --source")
        }
        (source, sourcePath) = (try Journal(path: path), path)
        guard source.id == started.sourceJournal else {
            throw RunError("\(sourcePath) is journal \(source.id), but the run read journal \(started.sourceJournal)")
        }
    }

    /// Replays the run through source event `last` (the run's last when nil) with `visitor`;
    /// returns the fold at the end.
    @discardableResult
    public func replay(through last: UInt64? = nil, visitor: inout some RunVisitor) throws -> RunFold {
        let through = min(last ?? started.sourceLastSequence, started.sourceLastSequence)
        return try source.read { sourceSnapshot in
            try run.read { runSnapshot in
                var fold = try RunFold(configuration: configuration, instruments: sourceSnapshot.instruments)
                var cursor = try JournalCursor(runSnapshot, from: 2)
                var reader = BlockReader()
                let filter = EventFilter(types: fold.decodedTypes, instruments: nil)
                let first = started.sourceFirstSequence
                var next = try Self.causation(cursor, runPath: runPath)
                try sourceSnapshot.scan(from: first, through: through, filter: filter, using: &reader) { block in
                    for index in block.indices(from: first, through: through) where RunFold.isMarketEvent(block, at: index) {
                        try visitor.beginStep(block, at: index, fold: &fold)
                        fold.take(block, at: index)
                        let sequence = block.sequence(at: index)
                        guard next >= sequence else {
                            throw RunError("\(runPath): run event \(cursor.sequence) names source event \(next), before the source event \(sequence) it follows")
                        }
                        while next == sequence {
                            try visitor.run(cursor.block, at: cursor.index, source: block, at: index, fold: &fold)
                            fold.take(cursor.block, at: cursor.index)
                            try cursor.advance()
                            next = try Self.causation(cursor, runPath: runPath)
                        }
                        try visitor.endStep(block, at: index, fold: &fold)
                    }
                    return true
                }
                if through == started.sourceLastSequence && next != .max {
                    throw RunError("\(runPath): run event \(cursor.sequence) names source event \(next), past the source range the run read")
                }
                return fold
            }
        }
    }
}

extension RunReplay {
    /// The source event the cursor's run event reacted to (none left: `.max`). (Outside the
    /// generic replay, so that it is not itself generic: a generic one copied the cursor
    /// through its value witnesses at every run event.)
    private static func causation(_ cursor: borrowing JournalCursor, runPath: String) throws -> UInt64 {
        guard !cursor.isExhausted else { return .max }
        if let causation = cursor.block.causation(at: cursor.index) { return causation }
        guard cursor.block.types[cursor.index] == .runEnded else {
            throw RunError("\(runPath): run event \(cursor.sequence) (\(cursor.block.types[cursor.index].label)) names no source event")
        }
        return .max
    }
}

/// A visitor that only folds.
public struct FoldOnly: RunVisitor {
    public init() {}
}
