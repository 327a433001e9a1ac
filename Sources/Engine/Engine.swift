import Crypto
public import Events
import Execution
public import Journal
import Projections
import Risk
public import Strategies
public import TapeCore

/// The trading loop (specs/runs.md): reads a source journal in sequence order, drives the
/// projections, the simulator, the risk engine and the strategies, and writes everything the
/// run does to a run journal, each event naming the source event it reacted to.
///
/// At each source event, in this order:
/// 1. the projections and the risk engine's state take it;
/// 2. the simulator matches working orders against it, the venue's liquidation rule is
///    checked, and funding settled at it is reported (`FundingPaid`);
/// 3. the risk engine's own decisions (kill switch, daily loss, liquidation buffer, exits) are
///    journaled, then their orders submitted;
/// 4. each strategy reacts; each signal is journaled, decided, and its order submitted.
/// Every run event is folded into the projections and the risk state as it is written, so the
/// next decision sees it, exactly as a replay of source and run journal will.
public struct Engine {
    public let configuration: RunConfiguration
    public let codeVersion: String
    /// Strategies written in Swift, run after the configured ones.
    public let strategies: [any Strategy]

    public init(configuration: RunConfiguration, codeVersion: String, strategies: [any Strategy] = []) {
        self.configuration = configuration
        self.codeVersion = codeVersion
        self.strategies = strategies
    }

    /// The attachments a run journal carries (specs/runs.md).
    public enum Attachment {
        public static let run = "run.yaml"
        public static let projections = "projections.yaml"
        public static let limits = "limits.yaml"
        public static let source = "source"
        public static let paths = "paths"
        /// The identities of the strategies written in Swift, one a line (only when there are some).
        public static let strategies = "strategies"
    }

    /// The run journal's id: derived from the source, the range, the configuration, the seed
    /// and the identities of the strategies written in Swift, so the same backtest makes the
    /// same journal.
    public static func runID(source: JournalID, range: ClosedRange<UInt64>, configuration: Hash256, seed: UInt64, added: [String] = []) -> JournalID {
        var writer = ByteWriter()
        writer.writeVarint(source.high)
        writer.writeVarint(source.low)
        writer.writeVarint(range.lowerBound)
        writer.writeVarint(range.upperBound)
        writer.write(contentsOf: configuration.bytes)
        writer.writeVarint(seed)
        for identity in added {
            writer.writeVarint(UInt64(identity.utf8.count))
            writer.write(contentsOf: Array(identity.utf8))
        }
        let digest = Array(SHA256.hash(data: writer.bytes))
        func word(_ offset: Int) -> UInt64 { digest[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        return JournalID(high: word(0), low: word(8))
    }

    /// The source event types whose payloads a run of this engine reads (for a `DecodedRange`).
    public func sourceTypes(instruments: InstrumentTable) throws -> Set<EventType> {
        try RunLoop(configuration: configuration, instruments: instruments).decodedTypes(strategySet(instruments))
    }

    /// The run's strategies: the configured ones, then those written in Swift.
    private func strategySet(_ instruments: InstrumentTable) throws -> StrategySet {
        var set = try configuration.strategies(for: instruments)
        set.adding(strategies)
        return set
    }

    /// Runs the backtest of `range` of `source` (all of it when nil), writing a new run
    /// journal at `output`.
    public func backtest(source: Journal, sourcePath: String, range: ClosedRange<UInt64>?, output: String) throws -> RunSummary {
        var visitor = FoldOnly()
        return try backtest(source: source, sourcePath: sourcePath, range: range, output: output, visitor: &visitor).summary
    }

    /// The backtest, and its performance recorded as it runs with its equity sampled every
    /// `period` nanoseconds: the same record as a replay of the run gives (`RunReplay.performance`),
    /// without the second pass.
    ///
    /// `decoded`, when it holds `range` with every payload the run reads, is read in place of
    /// the journal (the run is the same).
    public func backtest(
        source: Journal, sourcePath: String, range: ClosedRange<UInt64>?, output: String, recording period: Int64, decoded: DecodedRange? = nil
    ) throws -> (summary: RunSummary, performance: Performance) {
        var recorder = try PerformanceRecorder(period: period, instruments: source.instruments())
        let (summary, fold) = try backtest(source: source, sourcePath: sourcePath, range: range, output: output, decoded: decoded, visitor: &recorder)
        recorder.finish(fold)
        return (summary, recorder.performance)
    }

    /// The backtest, with `visitor` seeing each step as a replay of the run would show it (the
    /// same calls, on the same states); returns the summary and the fold at the end. (Kept in
    /// this module with its visitors, so that each is specialized into the loop.)
    func backtest(
        source: Journal, sourcePath: String, range requested: ClosedRange<UInt64>?, output: String, decoded: DecodedRange? = nil,
        visitor: inout some RunVisitor
    ) throws -> (summary: RunSummary, fold: RunFold) {
        let sourceHead = try source.head()
        let range = requested ?? (sourceHead.firstSequence...sourceHead.lastSequence)
        let sourceID = source.id
        let added = strategies.map(\.identity)
        let id = Self.runID(source: sourceID, range: range, configuration: configuration.hash, seed: configuration.seed, added: added)
        let run = try Journal(path: output, readOnly: false, create: true, options: Journal.Options(id: id))
        guard try run.head().eventCount == 0 else { throw RunError("\(output) already holds a journal: a run writes a new one") }
        let (summary, fold, hash) = try source.read { snapshot in
            let instruments = snapshot.instruments
            let attachments = [
                (Attachment.run, configuration.text), (Attachment.projections, configuration.projectionsText), (Attachment.limits, configuration.limitsText),
                (Attachment.source, sourcePath),
                (Attachment.paths, "\(configuration.source)\n\(configuration.projections.source)\n\(configuration.limits.source)"),
            ] + (added.isEmpty ? [] : [(Attachment.strategies, added.joined(separator: "\n"))])
            let writer = RunWriter(journal: run) { appender in
                for instrument in instruments.instruments { _ = try appender.add(instrument) }
                for (name, text) in attachments { try appender.attach(Array(text.utf8), name: name) }
            }
            let (summary, fold): (RunSummary, RunFold)
            do {
                var loop = try RunLoop(configuration: configuration, instruments: instruments)
                var strategies = try strategySet(instruments)
                // The run starts at its first source event's receive time.
                let firstTime = try JournalCursor(snapshot, from: range.lowerBound, filter: EventFilter(types: [], instruments: nil)).receiveTime ?? 0
                let started = RunStarted(sourceJournal: sourceID, sourceFirstSequence: range.lowerBound, sourceLastSequence: range.upperBound,
                                         configurationHash: configuration.hash, codeVersion: codeVersion, seed: configuration.seed, kind: .backtest)
                let start = Timestamp(nanosSinceEpoch: firstTime)
                loop.append(Event(eventTime: start, receiveTime: start, instrument: .none, body: .runStarted(started)))
                var last: UInt64 = 0
                var lastTime = firstTime
                let types = loop.decodedTypes(strategies)
                let address = UnsafeMutablePointer<DecodedBlock>.allocate(capacity: 1)
                defer { address.deallocate() }
                try Self.scan(snapshot, range: range, types: types, decoded: decoded) { block in
                    let indices = block.indices(from: range.lowerBound, through: range.upperBound)
                    // The strategies' view reads a copy of the block (its arrays shared),
                    // dropped before the reader decodes the next one.
                    address.initialize(to: block)
                    defer { address.deinitialize(count: 1) }
                    for index in indices where RunFold.isMarketEvent(block, at: index) {
                        try loop.step(block, at: index, address: address, strategies: &strategies, visitor: &visitor)
                    }
                    try loop.handOver(to: writer)
                    if let final = indices.last {
                        last = block.sequence(at: final)
                        lastTime = block.receiveTimes[final]
                    }
                    return true
                }
                let ended = RunEnded(status: .completed, lastSourceSequence: last, eventCount: loop.nextSequence)
                let end = Timestamp(nanosSinceEpoch: lastTime)
                loop.append(Event(eventTime: end, receiveTime: end, instrument: .none, body: .runEnded(ended)))
                try loop.handOver(to: writer)
                (summary, fold) = (loop.summary(sourceEvents: last >= range.lowerBound ? last - range.lowerBound + 1 : 0), loop.fold)
            } catch {
                writer.abort()
                throw error
            }
            return (summary, fold, try writer.finish())
        }
        return (try summary.sealed(by: run, hash: hash), fold)
    }

    /// Each block of `range` of the source, with the payloads of `types`: from `decoded` when
    /// it serves, else read from `snapshot`.
    private static func scan(
        _ snapshot: JournalSnapshot, range: ClosedRange<UInt64>, types: Set<EventType>, decoded: DecodedRange?, _ body: (DecodedBlock) throws -> Bool
    ) throws {
        if let decoded, decoded.serves(range, types: types) {
            for block in decoded.blocks where try !body(block) { return }
        } else {
            try snapshot.scanAhead(from: range.lowerBound, through: range.upperBound, filter: EventFilter(types: types, instruments: nil), body)
        }
    }
}
