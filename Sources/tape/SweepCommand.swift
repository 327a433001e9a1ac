import ArgumentParser
import Backtest
import Engine
import Events
import Foundation
import Journal
import TapeCore

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Backtest every candidate of a parameter grid over one source, on every core.",
        discussion: """
            The sweep configuration (YAML, specs/sweep.md) is a walk-forward configuration without folds: the run it varies, the search (the grid or a seeded random sample of it), the objective (sharpe, sortino, calmar or net_pnl) and the equity sampling of the metrics. Each candidate is backtested over the whole source into its own run journal (--out/run-NNN) with its own seed (the run file's plus the candidate's number from 0), on --workers threads (default: one per core). The sweep's journal in --out records every run's parameters, seed, run hash and metrics, and the best by the objective; it is the same whatever the number of workers. Each run's deflated Sharpe ratio counts every run of the sweep.
            """
    )

    @OptionGroup var study: StudyOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let configuration = try study.configuration(.sweep)
        let (source, config, out, workers) = (study.source, study.config, study.out, study.workers)
        let started = Date()
        let result = try failing {
            try Sweep(configuration: configuration, codeVersion: Tape.version, workers: workers).run(source: Journal(path: source), sourcePath: source, output: out)
        }
        let seconds = Date().timeIntervalSince(started)
        if json {
            Output.standard.line(JSONValue.object([
                ("source", .string(source)), ("config", .string(config)), ("out", .string(out)), ("seconds", .string(String(format: "%.3f", seconds))),
                ("runs", .array(result.runs.map { Sweep.json($0, configuration: configuration) })),
                ("best", .string(result.runs[result.best].run)),
                ("journal_hash", .string(result.journalHash.description)),
            ]).text)
            return
        }
        Output.standard.line(String(format: "sweep: %d runs (objective %@) in %.2f s", result.runs.count, configuration.objective.rawValue, seconds))
        for (index, run) in result.runs.enumerated() {
            let values = configuration.text(run.values)
            Output.standard.line(String(format: "%@ %@  %@  %@ %.4f  return %+.4f%%  sharpe %.2f  max dd %.4f%%  trades %d", index == result.best ? "*" : " ",
                                        run.run, values, configuration.objective.rawValue, run.objective, run.metrics.totalReturn * 100, run.metrics.sharpe,
                                        run.metrics.maxDrawdown * 100, run.metrics.trades))
        }
        Output.standard.line("best (*) \(result.runs[result.best].run); sweep journal \(out)  (sha256 \(result.journalHash))")
    }
}

/// What `tape walkforward` and `tape sweep` share: the source, the study file, the output
/// directory and the number of workers.
struct StudyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The source journal.", valueName: "dir"))
    var source: String

    @Option(help: ArgumentHelp("The study file (YAML): specs/walkforward.md or specs/sweep.md.", valueName: "file"))
    var config: String

    @Option(help: ArgumentHelp("The study's directory (new).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Backtests run at once (default: one per core); the results do not depend on it.", valueName: "n"))
    var workers: Int?

    func validate() throws {
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    /// The study file, read for `study`; a bad one exits 2 naming its file and line.
    func configuration(_ study: WalkForwardConfiguration.Study) throws -> WalkForwardConfiguration {
        do {
            return try WalkForwardConfiguration(path: config, study: study)
        } catch {
            throw Failure.cannotRun(error.description)
        }
    }
}
