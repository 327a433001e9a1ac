import ArgumentParser
import Backtest
import Engine
import Events
import Foundation
import TapeCore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's report: one self-contained HTML file with SVG charts, and the same numbers as JSON.",
        discussion: """
            Replays the source and the run journal as tape metrics does, then writes --out (HTML: the metrics, equity and drawdown, monthly returns heat map, returns histogram, rolling Sharpe, exposure, the per-regime table and the trade list; no network fetches) and, beside it, the same name with .json (every number, the series and every trade). tape walkforward --report writes the same report for the out-of-sample chain, with the fold table. specs/report.md.
            """
    )

    @OptionGroup var runOption: RunOption

    @Option(help: ArgumentHelp("The HTML file to write (the JSON goes beside it, ending .json).", valueName: "file"))
    var out: String

    @Option(help: ArgumentHelp("The equity sampling period (ms, s, m, h, d or w).", valueName: "duration"))
    var sample = "1d"

    @Option(help: ArgumentHelp("The regimes' window, in samples.", valueName: "n"))
    var regimeWindow = 20

    func validate() throws {
        if regimeWindow < 2 { throw ValidationError("--regime-window must be at least 2") }
    }

    func run() throws {
        let period = try Arguments.duration(sample, option: "--sample")
        let (performance, replay) = try failing {
            let replay = try runOption.open()
            return (try replay.performance(period: period), replay)
        }
        guard !performance.equity.isEmpty else { throw Failure.cannotRun("\(runOption.run): the run has no ledger to measure (its projections turn none on)") }
        let table = try failing { try replay.source.instruments() }
        let started = replay.started
        let report = Report(
            title: "Run \(runOption.run)",
            subtitle: "source \(replay.sourcePath), sequences \(started.sourceFirstSequence)…\(started.sourceLastSequence); strategies: \((try? replay.configuration.strategies(for: table).names.joined(separator: ", ")) ?? "none"); equity sampled every \(sample); code \(started.codeVersion)",
            currency: replay.configuration.projections.ledger?.currency ?? "", performance: performance, metrics: Metrics(performance),
            regimes: Regimes(performance, window: regimeWindow), instrumentNames: table.instruments.map(\.name))
        try Self.write(report, to: out)
    }

    /// Writes the HTML at `path` and the JSON beside it; prints both paths.
    static func write(_ report: Report, to path: String) throws {
        let json = (path.hasSuffix(".html") ? String(path.dropLast(5)) : path) + ".json"
        do {
            try Data(report.html.utf8).write(to: URL(fileURLWithPath: path))
            try Data((report.json.text + "\n").utf8).write(to: URL(fileURLWithPath: json))
        } catch {
            throw Failure.cannotRun("cannot write the report \(path): \(error.localizedDescription)")
        }
        Output.standard.line("report \(path) (\(report.performance.trades.count) trades, \(report.performance.equity.count) samples); numbers in \(json)")
    }
}
