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
                var side = try RunSide(cursor: JournalCursor(runSnapshot, from: 2), path: runPath)
                let filter = EventFilter(types: fold.decodedTypes, instruments: nil)
                let first = started.sourceFirstSequence
                // The source is read ahead on a second thread; the run journal here.
                try sourceSnapshot.scanAhead(from: first, through: through, filter: filter) { block in
                    let indices = block.indices(from: first, through: through)
                    var resume: Int?
                    while true {
                        // The run block is lent by a copy (its arrays retained) for each source
                        // block it meets: read from the cursor, a captured variable, at every
                        // run event, it was copied at each.
                        let stopped = try {
                            let run = side.cursor.block
                            return try Self.merge(block, indices, resuming: resume, run: run, side: &side, fold: &fold, visitor: &visitor)
                        }()
                        guard let stopped else { break }
                        // Past the run block only once its copy is gone, so that the cursor
                        // decodes the next one into arrays of its own.
                        try side.advance()
                        resume = stopped
                    }
                    return true
                }
                if through == started.sourceLastSequence && side.next != .max {
                    throw RunError("\(runPath): run event \(side.cursor.sequence) names source event \(side.next), past the source range the run read")
                }
                return fold
            }
        }
    }
}

extension RunReplay {
    /// The run journal's side of a replay: its cursor, and the source event its current event
    /// reacted to (`.max` past the last).
    private struct RunSide {
        var cursor: JournalCursor
        var next: UInt64 = 0
        let path: String

        init(cursor: JournalCursor, path: String) throws {
            self.cursor = cursor
            self.path = path
            next = try causation(in: cursor.block)
        }

        /// Moves to the next run event, which may be in the next block.
        mutating func advance() throws {
            try cursor.advance()
            next = try causation(in: cursor.block)
        }

        /// Moves to the next run event, which is in `run`, the cursor's block. (Read from the
        /// block lent, where reading the cursor's copied it.)
        mutating func advance(within run: DecodedBlock) throws {
            try cursor.advance()
            next = try causation(in: run)
        }

        /// The source event the cursor's run event, in `block`, reacted to. (Not generic, so
        /// that the cursor is not copied through value witnesses.)
        private func causation(in block: DecodedBlock) throws -> UInt64 {
            guard !cursor.isExhausted else { return .max }
            if let causation = block.causation(at: cursor.index) { return causation }
            guard block.types[cursor.index] == .runEnded else {
                throw RunError("\(path): run event \(cursor.sequence) (\(block.types[cursor.index].label)) names no source event")
            }
            return .max
        }
    }

    /// Replays the source events `indices` of `source` — from `resume`, whose step was begun,
    /// when given — each with the run events that reacted to it, taken from `run`, the run
    /// side's block. Returns nil once the source events are done, else the source event whose
    /// run events go on past `run` (its last event taken; the caller moves past it).
    private static func merge(
        _ source: DecodedBlock, _ indices: Range<Int>, resuming resume: Int?, run: DecodedBlock, side: inout RunSide, fold: inout RunFold,
        visitor: inout some RunVisitor
    ) throws -> Int? {
        var start = indices.lowerBound
        if let resume {
            if try foldRunEvents(following: resume, of: source, from: run, side: &side, fold: &fold, visitor: &visitor) { return resume }
            try visitor.endStep(source, at: resume, fold: &fold)
            start = resume + 1
        }
        for index in start..<indices.upperBound where RunFold.isMarketEvent(source, at: index) {
            try visitor.beginStep(source, at: index, fold: &fold)
            fold.take(source, at: index)
            let sequence = source.sequence(at: index)
            guard side.next >= sequence else {
                throw RunError("\(side.path): run event \(side.cursor.sequence) names source event \(side.next), before the source event \(sequence) it follows")
            }
            if try foldRunEvents(following: index, of: source, from: run, side: &side, fold: &fold, visitor: &visitor) { return index }
            try visitor.endStep(source, at: index, fold: &fold)
        }
        return nil
    }

    /// Takes the run events of `run` from the run side's on while they reacted to source event
    /// `index` of `source`, showing each to `visitor`. Returns true when it took `run`'s last.
    @inline(__always)
    private static func foldRunEvents(
        following index: Int, of source: DecodedBlock, from run: DecodedBlock, side: inout RunSide, fold: inout RunFold, visitor: inout some RunVisitor
    ) throws -> Bool {
        let sequence = source.sequence(at: index)
        while side.next == sequence {
            try visitor.run(run, at: side.cursor.index, source: source, at: index, fold: &fold)
            fold.take(run, at: side.cursor.index)
            if side.cursor.index + 1 == run.count { return true }
            try side.advance(within: run)
        }
        return false
    }
}

/// A visitor that only folds.
public struct FoldOnly: RunVisitor {
    public init() {}
}
