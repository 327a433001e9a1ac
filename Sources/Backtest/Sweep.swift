public import Engine
public import Events
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
        let study = try StudyJournal(at: output, source: source, head: head, configuration: c, what: "sweep")

        let candidates = c.candidates
        let shared = UncheckedSendable(source)
        let done = try Workers.map(candidates.count, workers: workers) { number in
            let seed = c.run.seed &+ UInt64(number)
            let run = "run-" + WalkForward.padded(number + 1, 3)
            let (summary, performance) = try Engine(configuration: c.variant(candidates[number], seed: seed), codeVersion: codeVersion)
                .backtest(source: shared.value, sourcePath: sourcePath, range: nil, output: "\(output)/\(run)", recording: c.sample)
            return (seed: seed, run: run, summary: summary, performance: performance)
        }
        // Each run's deflated Sharpe counts every run of the sweep: its metrics are taken once
        // the variance of all their Sharpe ratios is known.
        let sharpes = done.map { PerformanceMath.sharpe(PerformanceMath.returns($0.performance.equity), periodsPerYear: $0.performance.periodsPerYear) }
        let variance = WalkForward.sharpeVariance(sharpes, period: c.sample)
        let runs = done.indices.map { number in
            let metrics = Metrics(done[number].performance, trials: candidates.count, sharpeVariance: variance)
            return Run(values: candidates[number], seed: done[number].seed, run: done[number].run, summary: done[number].summary, metrics: metrics,
                       objective: c.objective.value(metrics, done[number].performance))
        }
        let best = WalkForwardConfiguration.best(runs.map(\.objective))

        let hash = try study.write(kind: .sweep, file: "sweep.yaml", codeVersion: codeVersion) { appender in
            let end = head.lastReceiveTime!
            for run in runs {
                try appender.append(AnnotationAdded(text: Self.json(run, configuration: c).text), eventTime: end, receiveTime: end, instrument: .none)
            }
            try appender.append(AnnotationAdded(text: JSONValue.object([("best", .string(runs[best].run))]).text), eventTime: end, receiveTime: end, instrument: .none)
        }
        return Result(runs: runs, best: best, journalHash: hash)
    }

    /// A run as the sweep's journal and `tape sweep --json` give it.
    public static func json(_ run: Run, configuration: WalkForwardConfiguration) -> JSONValue {
        .object([
            ("parameters", configuration.json(run.values)),
            ("seed", .unsigned(run.seed)),
            ("run", .string(run.run)),
            ("run_hash", .string(run.summary.runHash.description)),
            ("objective", run.objective.isFinite ? .double(run.objective) : .null),
            ("metrics", run.metrics.json),
        ])
    }
}
