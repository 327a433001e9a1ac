import ArgumentParser
import Backtest
import Engine
import Events
import Foundation

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "A run's performance metrics: returns, risk, trades, exposure, costs.",
        discussion: """
            Replays the source and the run journal, samples the account's equity on a grid of --sample from the run's first event (the equity at a grid time is the equity after the last event before it; the run's last event ends the curve), and takes the trades from the fills: a trade runs from the position leaving flat (or flipping) to its return to flat (or the next flip), and its profit is net of fees and funding. Returns and ratios are fractions, annualised over 365 days; losses and drawdowns are positive. specs/metrics.md defines each metric and the reference library it is checked against.
            """
    )

    @OptionGroup var runOption: RunOption

    @Option(help: ArgumentHelp("The equity sampling period (ms, s, m, h, d or w).", valueName: "duration"))
    var sample = "1d"

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let period = try Arguments.duration(sample, option: "--sample")
        let (performance, currency) = try failing {
            let replay = try runOption.open()
            return (try replay.performance(period: period), replay.configuration.projections.ledger?.currency ?? "")
        }
        guard !performance.equity.isEmpty else { throw Failure.cannotRun("\(runOption.run): the run has no ledger to measure (its projections turn none on)") }
        let metrics = Metrics(performance)
        if json {
            Output.standard.line(JSONValue.object([
                ("run", .string(runOption.run)),
                ("sample", .string(sample)),
                ("currency", .string(currency)),
                ("metrics", metrics.json),
            ]).text)
            return
        }
        Output.standard.line("run \(runOption.run): equity sampled every \(sample), \(metrics.periods) returns, \(metrics.trades) closed trades; money in \(currency)")
        Self.print(metrics)
    }

    /// `name value` per metric (`—` when it cannot be computed), after `indent`.
    static func print(_ metrics: Metrics, indent: String = "") {
        for (name, value) in metrics.named {
            Output.standard.line(indent + name.padding(toLength: 24, withPad: " ", startingAt: 0) + (value.isFinite ? String(format: "%.6g", value) : "—"))
        }
    }
}
