public import Engine
import Events
import Projections
public import Journal
public import TapeCore

/// A walk-forward study (specs/walkforward.md): the source cut into folds; on each training
/// slice every candidate of the search is backtested and the best by the objective is chosen;
/// the chosen one is then backtested on the test slice. Every run is a run journal under the
/// output directory, and the study's own journal there records each fold's slices, what each
/// candidate scored and what was chosen, and the test's result.
public struct WalkForward: Sendable {
    public let configuration: WalkForwardConfiguration
    public let codeVersion: String
    /// How many candidates run at once; what the study writes does not depend on it.
    public let workers: Int

    public init(configuration: WalkForwardConfiguration, codeVersion: String, workers: Int? = nil) {
        self.configuration = configuration
        self.codeVersion = codeVersion
        self.workers = workers ?? Workers.available
    }

    /// A candidate's score on a training slice.
    public struct Candidate: Sendable {
        public var values: [String]
        public var objective: Double
        public var run: String
        public var runHash: Hash256
    }

    public struct FoldResult: Sendable {
        public var fold: Fold
        public var train: ClosedRange<UInt64>
        public var test: ClosedRange<UInt64>
        public var candidates: [Candidate]
        /// The index of the chosen candidate.
        public var chosen: Int
        public var testRun: String
        public var testSummary: RunSummary
        public var testPerformance: Performance
        public var testMetrics: Metrics
    }

    public struct Result: Sendable {
        public var folds: [FoldResult]
        /// The test slices chained: the out-of-sample record.
        public var outOfSample: Performance
        /// Its metrics, the deflated Sharpe ratio counting every candidate tried.
        public var metrics: Metrics
        public var journalHash: Hash256
    }

    /// Runs the study over `source` (at `sourcePath`), writing under `output`, which must not
    /// hold a journal yet.
    public func run(source: Journal, sourcePath: String, output: String) throws -> Result {
        let head = try source.head()
        guard let first = head.firstReceiveTime?.nanosSinceEpoch, let last = head.lastReceiveTime?.nanosSinceEpoch else {
            throw RunError("\(sourcePath) holds no events")
        }
        let c = configuration
        let instruments = try source.instruments()
        try c.check(instruments: instruments)
        let folds = Fold.plan(span: first..<(last + 1), scheme: c.scheme, train: c.train, test: c.test, purge: c.purge, embargo: c.embargo, maximum: c.maximumFolds)
        guard !folds.isEmpty else {
            throw RunError("\(sourcePath) spans \((last - first) / 1_000_000_000)s: too short for one fold of \(DurationText.format(c.train)) training, \(DurationText.format(c.purge)) purge and \(DurationText.format(c.test)) test")
        }
        let study = try StudyJournal(at: output, source: source, head: head, configuration: c, what: "walk-forward")

        let candidates = c.candidates
        // The payloads any candidate reads.
        let types = try candidates.reduce(into: Set<EventType>()) { types, values in
            types.formUnion(try Engine(configuration: c.variant(values), codeVersion: codeVersion).sourceTypes(instruments: instruments))
        }
        var results: [FoldResult] = []
        for fold in folds {
            let name = "fold-" + Self.padded(fold.index, 2)
            let train = try Self.sequences(fold.train, of: source, fold: fold.index, slice: "training")
            let test = try Self.sequences(fold.test, of: source, fold: fold.index, slice: "test")
            let shared = UncheckedSendable(source)
            // Every candidate runs on the training slice: it is read and decoded once.
            let decoded = try DecodedRange(source, range: train, types: types)
            let scored = try Workers.map(candidates.count, workers: workers) { number in
                let values = candidates[number]
                let run = "\(name)/train-" + Self.padded(number + 1, 3)
                let (summary, performance) = try Engine(configuration: c.variant(values), codeVersion: codeVersion)
                    .backtest(source: shared.value, sourcePath: sourcePath, range: train, output: "\(output)/\(run)", recording: c.sample, decoded: decoded)
                return Candidate(values: values, objective: c.objective.value(Metrics(performance), performance), run: run, runHash: summary.runHash)
            }
            let chosen = WalkForwardConfiguration.best(scored.map(\.objective))
            let testRun = "\(name)/test"
            let (summary, performance) = try Engine(configuration: c.variant(scored[chosen].values), codeVersion: codeVersion)
                .backtest(source: source, sourcePath: sourcePath, range: test, output: "\(output)/\(testRun)", recording: c.sample)
            results.append(FoldResult(fold: fold, train: train, test: test, candidates: scored, chosen: chosen, testRun: testRun,
                                      testSummary: summary, testPerformance: performance, testMetrics: Metrics(performance)))
        }

        let outOfSample = Self.chain(results.map(\.testPerformance), period: c.sample)
        let variance = c.objective == .sharpe ? Self.sharpeVariance(results.flatMap { $0.candidates.map(\.objective) }, period: c.sample) : 0
        let metrics = Metrics(outOfSample, trials: candidates.count, sharpeVariance: variance)
        let hash = try record(results, metrics: metrics, in: study)
        return Result(folds: results, outOfSample: outOfSample, metrics: metrics, journalHash: hash)
    }

    /// Writes the study's journal: per fold its four slices and an annotation (JSON) with every
    /// candidate's score, the choice and the test's result, then the out-of-sample metrics.
    private func record(_ results: [FoldResult], metrics: Metrics, in study: StudyJournal) throws -> Hash256 {
        try study.write(kind: .walkForward, file: "walkforward.yaml", codeVersion: codeVersion) { appender in
            for result in results {
                // The fold is decided when its test slice starts: every record of it carries that time.
                let at = Timestamp(nanosSinceEpoch: result.fold.test.lowerBound)
                let slices: [(FoldPhase, Range<Int64>)] = [(.train, result.fold.train), (.purge, result.fold.purge), (.test, result.fold.test), (.embargo, result.fold.embargo)]
                for (phase, slice) in slices {
                    let sequences = phase == .train ? result.train : phase == .test ? result.test : nil
                    try appender.append(FoldBoundary(fold: UInt32(result.fold.index), phase: phase, start: Timestamp(nanosSinceEpoch: slice.lowerBound),
                                                     end: Timestamp(nanosSinceEpoch: slice.upperBound), firstSequence: sequences?.lowerBound ?? 0,
                                                     lastSequence: sequences?.upperBound ?? 0),
                                        eventTime: at, receiveTime: at, instrument: .none)
                }
                try appender.append(AnnotationAdded(text: Self.json(result, configuration: configuration).text), eventTime: at, receiveTime: at, instrument: .none)
            }
            let end = study.head.lastReceiveTime!
            try appender.append(AnnotationAdded(text: JSONValue.object([("out_of_sample", metrics.json)]).text), eventTime: end, receiveTime: end, instrument: .none)
        }
    }

    // MARK: Pieces

    /// The variance of annualised Sharpe ratios across trials, per sampling period: the
    /// deflated Sharpe ratio's V[SR] (0 below two finite ones).
    static func sharpeVariance(_ sharpes: [Double], period: Int64) -> Double {
        let perPeriod = sharpes.filter(\.isFinite).map { $0 / Performance.periodsPerYear(period).squareRoot() }
        let deviation = RiskMath.meanAndDeviation(perPeriod).deviation
        return perPeriod.count >= 2 ? deviation * deviation : 0
    }

    /// The source sequences of a time slice.
    static func sequences(_ slice: Range<Int64>, of source: Journal, fold: Int, slice name: String) throws -> ClosedRange<UInt64> {
        try source.read { snapshot in
            var reader = BlockReader()
            let first = try snapshot.sequence(atOrAfter: Timestamp(nanosSinceEpoch: slice.lowerBound), using: &reader)
            let after = try snapshot.sequence(atOrAfter: Timestamp(nanosSinceEpoch: slice.upperBound), using: &reader) ?? (snapshot.head.lastSequence + 1)
            guard let first, first < after else {
                throw RunError("fold \(fold): the \(name) slice \(Timestamp(nanosSinceEpoch: slice.lowerBound).iso8601) ..< \(Timestamp(nanosSinceEpoch: slice.upperBound).iso8601) holds no events")
            }
            return first...(after - 1)
        }
    }

    /// The test slices one after another: each slice's returns compounded on the chain so far.
    static func chain(_ slices: [Performance], period: Int64) -> Performance {
        var chained = Performance(period: period)
        for slice in slices where !slice.equity.isEmpty {
            if chained.equity.isEmpty {
                chained.equity = [slice.equity[0]]
                chained.times = [slice.times[0]]
                chained.prices = [slice.prices[0]]
                chained.exposure = [slice.exposure[0]]
            }
            for index in slice.equity.indices.dropFirst() {
                chained.equity.append(chained.equity.last! * slice.equity[index] / slice.equity[index - 1])
                chained.times.append(slice.times[index])
                chained.prices.append(slice.prices[index])
                chained.exposure.append(slice.exposure[index])
            }
            chained.trades += slice.trades
            chained.exposedTime += slice.exposedTime
            chained.span += slice.span
            chained.traded += slice.traded
            chained.fees += slice.fees
            chained.funding += slice.funding
        }
        return chained
    }

    static func json(_ result: FoldResult, configuration: WalkForwardConfiguration) -> JSONValue {
        .object([
            ("fold", .unsigned(UInt64(result.fold.index))),
            ("train", .array([.unsigned(result.train.lowerBound), .unsigned(result.train.upperBound)])),
            ("test", .array([.unsigned(result.test.lowerBound), .unsigned(result.test.upperBound)])),
            ("candidates", .array(result.candidates.map { candidate in
                .object([("parameters", configuration.json(candidate.values)), ("objective", candidate.objective.isFinite ? .double(candidate.objective) : .null),
                         ("run", .string(candidate.run)), ("run_hash", .string(candidate.runHash.description))])
            })),
            ("chosen", configuration.json(result.candidates[result.chosen].values)),
            ("test_run", .string(result.testRun)),
            ("test_run_hash", .string(result.testSummary.runHash.description)),
            ("test_metrics", result.testMetrics.json),
        ])
    }

    static func padded(_ number: Int, _ width: Int) -> String {
        let text = String(number)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
