import ArgumentParser
import Backtest
import Engine
import Events
import Foundation
import Journal
import TapeCore

struct WalkForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "walkforward",
        abstract: "Fit a strategy's parameters on each training slice and test them on the next; chain the tests out of sample.",
        discussion: """
            The walk-forward configuration (YAML, specs/walkforward.md) names the run it varies, the folds (rolling or anchored; train, purge, test and embargo lengths), the search (the grid or a seeded random sample of it), the objective (sharpe, sortino, calmar or net_pnl) and the equity sampling of the metrics. On each fold every candidate is backtested on the training slice only, the best is backtested on the test slice, and --out receives every run journal (fold-NN/train-MMM, fold-NN/test) and the study's journal: each fold's slices, every candidate's score, the choice and the test's metrics. The out-of-sample record chains the test slices; its deflated Sharpe ratio counts every candidate tried. A fold's candidates run on --workers threads (default: one per core); the journals and metrics are the same whatever the number.
            """
    )

    @OptionGroup var study: StudyOptions

    @Option(help: ArgumentHelp("Also write the out-of-sample report, with the fold table, to this HTML file (and its .json beside it).", valueName: "file"))
    var report: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let configuration = try study.configuration(.walkForward)
        let (source, config, out, workers) = (study.source, study.config, study.out, study.workers)
        let started = Date()
        let result = try failing {
            try WalkForward(configuration: configuration, codeVersion: Tape.version, workers: workers).run(source: Journal(path: source), sourcePath: source, output: out)
        }
        let seconds = Date().timeIntervalSince(started)
        if let report {
            let folds = result.folds.map { fold in
                Report.FoldRow(fold: fold.fold.index, trainStart: fold.fold.train.lowerBound, testStart: fold.fold.test.lowerBound, testEnd: fold.fold.test.upperBound,
                               chosen: configuration.text(fold.candidates[fold.chosen].values),
                               trainObjective: fold.candidates[fold.chosen].objective, testReturn: fold.testMetrics.totalReturn,
                               testSharpe: fold.testMetrics.sharpe, testTrades: fold.testMetrics.trades)
            }
            let table = try failing { try Journal(path: out).instruments() }
            try ReportCommand.write(Report(
                title: "Walk-forward \(out): out of sample", subtitle: "source \(source); \(result.folds.count) folds × \(configuration.candidates.count) candidates, objective \(configuration.objective.rawValue); the test slices chained",
                currency: configuration.run.projections.ledger?.currency ?? "", performance: result.outOfSample, metrics: result.metrics,
                regimes: Regimes(result.outOfSample), folds: folds, instrumentNames: table.instruments.map(\.name)), to: report)
        }
        if json {
            Output.standard.line(JSONValue.object([
                ("source", .string(source)), ("config", .string(config)), ("out", .string(out)),
                ("candidates", .unsigned(UInt64(configuration.candidates.count))), ("seconds", .string(String(format: "%.3f", seconds))),
                ("folds", .array(result.folds.map { fold in
                    .object([
                        ("fold", .unsigned(UInt64(fold.fold.index))),
                        ("train", .array([.string(Timestamp(nanosSinceEpoch: fold.fold.train.lowerBound).iso8601), .string(Timestamp(nanosSinceEpoch: fold.fold.train.upperBound).iso8601)])),
                        ("test", .array([.string(Timestamp(nanosSinceEpoch: fold.fold.test.lowerBound).iso8601), .string(Timestamp(nanosSinceEpoch: fold.fold.test.upperBound).iso8601)])),
                        ("chosen", configuration.json(fold.candidates[fold.chosen].values)),
                        ("train_objective", fold.candidates[fold.chosen].objective.isFinite ? .double(fold.candidates[fold.chosen].objective) : .null),
                        ("test_metrics", fold.testMetrics.json),
                    ])
                })),
                ("out_of_sample", result.metrics.json),
                ("journal_hash", .string(result.journalHash.description)),
            ]).text)
            return
        }
        Output.standard.line(String(format: "walk-forward: %d folds × %d candidates (objective %@) in %.2f s", result.folds.count,
                                    configuration.candidates.count, configuration.objective.rawValue, seconds))
        for fold in result.folds {
            let chosen = configuration.text(fold.candidates[fold.chosen].values)
            Output.standard.line(String(format: "fold %2d  test %@ … %@  chose %@  (train %@ %.3f)  test return %+.4f%%  sharpe %.2f  trades %d",
                                        fold.fold.index, Timestamp(nanosSinceEpoch: fold.fold.test.lowerBound).iso8601,
                                        Timestamp(nanosSinceEpoch: fold.fold.test.upperBound).iso8601, chosen, configuration.objective.rawValue,
                                        fold.candidates[fold.chosen].objective, fold.testMetrics.totalReturn * 100, fold.testMetrics.sharpe, fold.testMetrics.trades))
        }
        Output.standard.line("out of sample (the test slices chained):")
        MetricsCommand.print(result.metrics, indent: "  ")
        Output.standard.line("study journal \(out)  (sha256 \(result.journalHash))")
    }
}
