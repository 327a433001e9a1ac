@testable import Backtest
import Configuration
import Engine
import Events
import Foundation
import Ingest
import Journal
import TapeCore
import Testing
import TestSupport

/// Folds, purge and embargo on a hand-built journal; a walk-forward on the real sample twice.
@Suite("Walk-forward")
struct WalkForwardTests {
    static let second: Int64 = 1_000_000_000
    static let start: Int64 = 1_680_652_800_000_000_000

    /// A journal of one trade a second for `seconds` seconds: event n (sequence n) at start + (n − 1) s.
    static func clockJournal(_ directory: TemporaryDirectory, seconds: Int) throws -> Journal {
        let journal = try Journal(path: directory.appending("clock"), readOnly: false, create: true)
        let catalogue = try InstrumentCatalogue(path: Paths.catalogue)
        try journal.write { appender in
            let id = try appender.add(catalogue.instrument(named: "BTCUSDT-PERP.BINANCE")!)
            for n in 0..<seconds {
                let time = Timestamp(nanosSinceEpoch: start + Int64(n) * second)
                try appender.append(Trade(price: Price(units: 2_000_000_000_000), size: Quantity(units: 1), aggressor: .buy, tradeID: UInt64(n)),
                                    eventTime: time, receiveTime: time, instrument: id)
            }
        }
        return journal
    }

    @Test("purge drops the training events just before each test slice, embargo the events just after it; rolling and anchored training slices")
    func purgeAndEmbargo() throws {
        let directory = TemporaryDirectory("walkforward-folds")
        let journal = try Self.clockJournal(directory, seconds: 60)
        let span = Self.start..<(Self.start + 59 * Self.second + 1)
        let s = Self.second
        for scheme in [WalkForwardConfiguration.Scheme.rolling, .anchored] {
            let folds = Fold.plan(span: span, scheme: scheme, train: 10 * s, test: 5 * s, purge: 2 * s, embargo: 3 * s)
            // Tests at 12 s, 20 s, 28 s, 36 s, 44 s, 52 s; the next (60 s … 65 s) would pass the end.
            #expect(folds.map { ($0.test.lowerBound - Self.start) / s } == [12, 20, 28, 36, 44, 52])
            var tested = Set<UInt64>(), embargoed = Set<UInt64>()
            for fold in folds {
                let train = try WalkForward.sequences(fold.train, of: journal, fold: fold.index, slice: "training")
                let test = try WalkForward.sequences(fold.test, of: journal, fold: fold.index, slice: "test")
                let testStart = UInt64((fold.test.lowerBound - Self.start) / s) + 1
                // The two seconds before the test are purged: training ends three events before it.
                #expect(train.upperBound == testStart - 3)
                #expect(train.lowerBound == (scheme == .rolling ? testStart - 12 : 1))
                #expect(test == testStart...(testStart + 4))
                // The three seconds after a test belong to no test slice: the next starts after them.
                #expect(tested.isDisjoint(with: Set(test)) && embargoed.isDisjoint(with: Set(test)))
                #expect(fold.index == 1 || embargoed.contains(testStart - 1) && embargoed.contains(testStart - 3) && tested.contains(testStart - 4))
                tested.formUnion(test)
                embargoed.formUnion((test.upperBound + 1)...(test.upperBound + 3))
            }
        }
        #expect(Fold.plan(span: span, scheme: .rolling, train: 10 * s, test: 5 * s, purge: 2 * s, embargo: 3 * s, maximum: 2).count == 2)
        #expect(throws: RunError.self) { try WalkForward.sequences((Self.start - 10 * s)..<(Self.start - s), of: journal, fold: 1, slice: "training") }
    }

    /// The bundled sample, the demo's EMA cross and a small grid.
    static func study(_ directory: TemporaryDirectory) throws -> WalkForwardConfiguration {
        let path = directory.appending("walkforward.yaml")
        try Data("""
            version: 1
            run: \(Paths.repository.appendingPathComponent("projections/ema-cross.yaml").path)
            folds: {scheme: rolling, train: 1m, purge: 5s, test: 30s, embargo: 5s, count: 3}
            search: {method: random, samples: 3, seed: 11}
            objective: net_pnl
            parameters:
              - {strategy: 0, key: fast, values: [5, 10, 20]}
              - {strategy: 0, key: slow, values: [30, 50]}
            sample: 5s

            """.utf8).write(to: URL(fileURLWithPath: path))
        return try WalkForwardConfiguration(path: path)
    }

    @Test("a walk-forward twice, on 1 and on 2 worker threads, gives the same study journal, runs and metrics; each fit saw only its training slice, decoded once for all candidates (a backtest of its own makes the same run), and chose its best candidate; each fold's test run cut midway made the same events up to the cut")
    func deterministic() throws {
        let directory = TemporaryDirectory("walkforward")
        let source = try sampleJournal(directory)
        let configuration = try Self.study(directory)
        #expect(configuration.candidates.count == 3 && Set(configuration.candidates).count == 3)
        let first = try WalkForward(configuration: configuration, codeVersion: "test", workers: 1).run(
            source: source, sourcePath: directory.appending("sample"), output: directory.appending("wf1"))
        let second = try WalkForward(configuration: configuration, codeVersion: "test", workers: 2).run(
            source: source, sourcePath: directory.appending("sample"), output: directory.appending("wf2"))
        #expect(first.journalHash == second.journalHash)
        #expect(first.metrics.named.map(\.value.bitPattern) == second.metrics.named.map(\.value.bitPattern), "the same bits (NaN included)")
        #expect(first.folds.count == 3)
        for (a, b) in zip(first.folds, second.folds) {
            #expect(a.testSummary.runHash == b.testSummary.runHash && a.candidates.map(\.runHash) == b.candidates.map(\.runHash))
        }
        for fold in first.folds {
            #expect(fold.train.upperBound < fold.test.lowerBound)
            let best = fold.candidates.map(\.objective).max()!
            #expect(fold.candidates[fold.chosen].objective == best)
            #expect(fold.candidates.firstIndex { $0.objective == best } == fold.chosen, "ties go to the first in search order")
            // Every training run's journal says it read exactly the fold's training slice.
            for candidate in fold.candidates {
                let started = try RunReplay(runPath: directory.appending("wf1/\(candidate.run)"), sourcePath: directory.appending("sample")).started
                #expect(started.sourceFirstSequence == fold.train.lowerBound && started.sourceLastSequence == fold.train.upperBound)
            }
            // The candidates ran on the slice decoded once; a backtest reading the journal itself
            // makes the same run.
            let candidate = fold.candidates[0]
            let own = try Engine(configuration: configuration.variant(candidate.values), codeVersion: "test").backtest(
                source: source, sourcePath: directory.appending("sample"), range: fold.train, output: directory.appending("own-\(fold.fold.index)"))
            #expect(own.runHash == candidate.runHash)
            let test = try RunReplay(runPath: directory.appending("wf1/\(fold.testRun)"), sourcePath: directory.appending("sample"))
            #expect(test.started.sourceFirstSequence == fold.test.lowerBound && test.started.sourceLastSequence == fold.test.upperBound)
            #expect(test.configuration.text.contains("fast: \(fold.candidates[fold.chosen].values[0])"))
        }
        // The truncation test, per fold: the test run cut at its slice's middle makes exactly
        // the run events the whole test run made up to there — nothing it did depended on a
        // later source event.
        var cutSomething = false
        for fold in first.folds {
            let full = directory.appending("wf1/\(fold.testRun)")
            let middle = (fold.test.lowerBound + fold.test.upperBound) / 2
            let configuration = try RunReplay(runPath: full, sourcePath: nil).configuration
            _ = try Engine(configuration: configuration, codeVersion: "test").backtest(
                source: source, sourcePath: directory.appending("sample"), range: fold.test.lowerBound...middle, output: directory.appending("cut-\(fold.fold.index)"))
            let whole = try Self.runEvents(full, through: middle)
            let cut = try Self.runEvents(directory.appending("cut-\(fold.fold.index)"), through: .max)
            #expect(!cut.isEmpty && cut == whole, "fold \(fold.fold.index): \(cut.count) run events cut at \(middle), \(whole.count) in the whole test run up to it")
            cutSomething = try cutSomething || Self.runEvents(full, through: .max).count > whole.count
        }
        #expect(cutSomething, "some fold's test run did more after its cut, so the cut is a real test")
        // The study journal: run_started, 4 slices and an annotation per fold, the out-of-sample annotation, run_ended.
        let head = try Journal(path: directory.appending("wf1")).head()
        #expect(head.count(of: .foldBoundary) == 12 && head.count(of: .annotation) == 4 && head.count(of: .runStarted) == 1)
        // The out-of-sample curve chains the test slices' returns.
        let chainedReturn = first.folds.reduce(1.0) { $0 * (1 + $1.testMetrics.totalReturn) } - 1
        #expect(abs(first.metrics.totalReturn - chainedReturn) < 1e-12)
        #expect(first.metrics.trades == first.folds.reduce(0) { $0 + $1.testMetrics.trades })
    }

    /// The run events of the run journal at `path` that reacted to source events up to
    /// `last` (run_started and run_ended left out: they name the range).
    static func runEvents(_ path: String, through last: UInt64) throws -> [Event] {
        try Journal(path: path).read { snapshot in
            var events: [Event] = []
            var reader = BlockReader()
            try snapshot.scan(using: &reader) { block in
                for index in 0..<block.count {
                    guard let causation = block.causation(at: index) else { continue }
                    if causation <= last { events.append(block.event(at: index)) }
                }
                return true
            }
            return events
        }
    }

    @Test("a sweep on 1 and on 2 worker threads writes the same journals; each run has its own seed and journal; a sweep file refuses folds")
    func sweep() throws {
        let directory = TemporaryDirectory("sweep")
        let source = try sampleJournal(directory)
        let path = directory.appending("sweep.yaml")
        let text = """
            version: 1
            run: \(Paths.repository.appendingPathComponent("projections/ema-cross.yaml").path)
            objective: sharpe
            parameters:
              - {strategy: 0, key: fast, values: [5, 10]}
              - {strategy: 0, key: slow, values: [30, 50]}
            sample: 5s

            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let configuration = try WalkForwardConfiguration(path: path, study: .sweep)
        let one = try Sweep(configuration: configuration, codeVersion: "test", workers: 1).run(source: source, sourcePath: directory.appending("sample"), output: directory.appending("one"))
        let two = try Sweep(configuration: configuration, codeVersion: "test", workers: 2).run(source: source, sourcePath: directory.appending("sample"), output: directory.appending("two"))
        #expect(one.journalHash == two.journalHash && one.best == two.best)
        #expect(one.runs.map(\.summary.runHash) == two.runs.map(\.summary.runHash))
        #expect(one.runs.map(\.metrics.sharpe.bitPattern) == two.runs.map(\.metrics.sharpe.bitPattern))
        #expect(one.runs.map(\.values) == configuration.candidates && one.runs.map(\.seed) == [1, 2, 3, 4], "ema-cross.yaml's seed 1, plus the candidate's number")
        #expect(Set(one.runs.map(\.summary.runID)).count == 4, "each run its own journal")
        for run in one.runs {
            let replay = try RunReplay(runPath: directory.appending("one/\(run.run)"), sourcePath: nil)
            #expect(replay.started.seed == run.seed && replay.configuration.text.contains("fast: \(run.values[0])"))
        }
        #expect(one.runs[one.best].objective == one.runs.map(\.objective).max())
        // The same file with folds is a walk-forward file, not a sweep's.
        try Data((text + "folds: {train: 1m, test: 30s}\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ConfigError.self) { try WalkForwardConfiguration(path: path, study: .sweep) }
    }
}
