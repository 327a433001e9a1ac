public import Engine
import Events
public import Journal
public import TapeCore

/// A parameter sweep (specs/sweep.md): every candidate of the search backtested over the whole
/// source, on worker threads, each into its own run journal with its own seed; the sweep's
/// own journal records every run's parameters, seed, run hash and metrics, and the best by the
/// objective. What it writes does not depend on the number of workers.
public struct Sweep: Sendable {
    public let configuration: WalkForwardConfiguration
    public let codeVersion: String
    public let workers: Int

    public init(configuration: WalkForwardConfiguration, codeVersion: String, workers: Int? = nil) {
        self.configuration = configuration
        self.codeVersion = codeVersion
        self.workers = workers ?? Workers.available
    }

    public struct Run: Sendable {
        public var values: [String]
        /// The run's seed: the run file's, plus the candidate's number from 0.
        public var seed: UInt64
        public var run: String
        public var summary: RunSummary
        public var metrics: Metrics
        public var objective: Double
    }

    public struct Result: Sendable {
        public var runs: [Run]
        /// The index of the best run by the objective (the first among equals).
        public var best: Int
        public var journalHash: Hash256
    }

    /// Runs the sweep over `source` (at `sourcePath`), writing under `output`, which must not
    /// hold a journal yet.
    public func run(source: Journal, sourcePath: String, output: String) throws -> Result {
        let c = configuration
        let head = try source.head()
        guard head.eventCount > 0 else { throw RunError("\(sourcePath) holds no events") }
        try c.check(instruments: source.instruments())
        let study = try Journal(path: output, readOnly: false, create: true, options: Journal.Options(id: Engine.runID(
            source: source.id, range: 1...head.lastSequence, configuration: c.hash, seed: c.seed)))
        guard try study.head().eventCount == 0 else { throw RunError("\(output) already holds a journal: a sweep writes a new one") }

        let candidates = c.candidates
        let shared = UncheckedSendable(source)
        let done = try Workers.map(candidates.count, workers: workers) { number in
            let values = candidates[number]
            let seed = c.run.seed &+ UInt64(number)
            let run = "run-" + WalkForward.padded(number + 1, 3)
            let (summary, performance) = try WalkForward.backtest(c.variant(values, seed: seed), source: shared.value, sourcePath: sourcePath, range: nil,
                                                                  output: "\(output)/\(run)", period: c.sample, codeVersion: codeVersion)
            return (Run(values: values, seed: seed, run: run, summary: summary, metrics: Metrics(performance), objective: .nan), performance)
        }
        // Each run's deflated Sharpe counts every run of the sweep.
        let variance = WalkForward.sharpeVariance(done.map(\.0.metrics.sharpe), period: c.sample)
        let runs = done.map { run, performance in
            var run = run
            run.metrics = Metrics(performance, trials: candidates.count, sharpeVariance: variance)
            run.objective = c.objective.value(run.metrics, performance)
            return run
        }
        let best = runs.indices.filter { !runs[$0].objective.isNaN }.max { runs[$0].objective < runs[$1].objective } ?? 0

        try study.write { appender in
            for instrument in try source.instruments().instruments { _ = try appender.add(instrument) }
            try appender.attach(Array(c.text.utf8), name: "sweep.yaml")
            try appender.attach(Array(c.run.text.utf8), name: Engine.Attachment.run)
            let start = head.firstReceiveTime!, end = head.lastReceiveTime!
            try appender.append(RunStarted(sourceJournal: source.id, sourceFirstSequence: 1, sourceLastSequence: head.lastSequence,
                                           configurationHash: c.hash, codeVersion: codeVersion, seed: c.seed, kind: .sweep),
                                eventTime: start, receiveTime: start, instrument: .none)
            for run in runs {
                try appender.append(AnnotationAdded(text: Self.json(run, parameters: c.parameters).text), eventTime: end, receiveTime: end, instrument: .none)
            }
            try appender.append(AnnotationAdded(text: JSONValue.object([("best", .string(runs[best].run))]).text), eventTime: end, receiveTime: end, instrument: .none)
            try appender.append(RunEnded(status: .completed, lastSourceSequence: head.lastSequence, eventCount: appender.nextSequence),
                                eventTime: end, receiveTime: end, instrument: .none)
        }
        return Result(runs: runs, best: best, journalHash: try RunSummary.contentHash(of: study))
    }

    static func json(_ run: Run, parameters: [WalkForwardConfiguration.Parameter]) -> JSONValue {
        .object([
            ("parameters", .object(zip(parameters, run.values).map { ("\($0.0.strategy).\($0.0.key)", .string($0.1)) })),
            ("seed", .unsigned(run.seed)),
            ("run", .string(run.run)),
            ("run_hash", .string(run.summary.runHash.description)),
            ("objective", run.objective.isFinite ? .double(run.objective) : .null),
            ("metrics", run.metrics.json),
        ])
    }
}
