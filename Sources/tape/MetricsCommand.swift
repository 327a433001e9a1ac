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
            Replays the source and the run journal, samples the account's equity on a grid of --sample from the run's first event (the equity at a grid time is the equity after the last event before it; the run's last event ends the curve), and takes the trades from the fills: a trade runs from the position leaving flat (or flipping) to its return to flat (or the next flip), and its profit is net of fees and funding. Returns and ratios are fractions, annualised over 365 days; losses and drawdowns are positive. specs/metrics.md defines each metric and the reference library it is checked against. The metrics are then broken down by volatility regime (low, high) and trend regime (up, range, down) of the market — the journal's first instrument — each return period labelled from the prices before it (--regime-window samples; specs/metrics.md, Regimes).
            """
    )

    @OptionGroup var runOption: RunOption

    @Option(help: ArgumentHelp("The equity sampling period (ms, s, m, h, d or w).", valueName: "duration"))
    var sample = "1d"

    @Option(help: ArgumentHelp("The regimes' window, in samples (the long one is 4 times it).", valueName: "n"))
    var regimeWindow = 20

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if regimeWindow < 2 { throw ValidationError("--regime-window must be at least 2") }
    }

    func run() throws {
        let period = try Arguments.duration(sample, option: "--sample")
        let (performance, currency) = try failing {
            let replay = try runOption.open()
            return (try replay.performance(period: period), replay.configuration.projections.ledger?.currency ?? "")
        }
        guard !performance.equity.isEmpty else { throw Failure.cannotRun("\(runOption.run): the run has no ledger to measure (its projections turn none on)") }
        let metrics = Metrics(performance)
        let regimes = Regimes(performance, window: regimeWindow)
        if json {
            Output.standard.line(JSONValue.object([
                ("run", .string(runOption.run)),
                ("sample", .string(sample)),
                ("currency", .string(currency)),
                ("metrics", metrics.json),
                ("regimes", regimes.json),
            ]).text)
            return
        }
        Output.standard.line("run \(runOption.run): equity sampled every \(sample), \(metrics.periods) returns, \(metrics.trades) closed trades; money in \(currency)")
        Self.print(metrics)
        Output.standard.line("by regime (window \(regimeWindow) samples):")
        Self.print(regimes, indent: "  ")
    }

    /// A line per regime: its periods, share, return, volatility, Sharpe and hit rate.
    static func print(_ regimes: Regimes, indent: String = "") {
        func text(_ x: Double, _ format: String) -> String { x.isFinite ? String(format: format, x) : "—" }
        Output.standard.line(indent + "regime              periods  share    return      volatility  sharpe    hit rate")
        for row in regimes.rows {
            Output.standard.line(indent + "\(row.dimension) \(row.label)".padding(toLength: 20, withPad: " ", startingAt: 0)
                + String(row.periods).padding(toLength: 9, withPad: " ", startingAt: 0) + text(row.share * 100, "%.1f%%").padding(toLength: 9, withPad: " ", startingAt: 0)
                + text(row.totalReturn * 100, "%+.4f%%").padding(toLength: 12, withPad: " ", startingAt: 0) + text(row.volatility, "%.4g").padding(toLength: 12, withPad: " ", startingAt: 0)
                + text(row.sharpe, "%.3g").padding(toLength: 10, withPad: " ", startingAt: 0) + text(row.hitRate * 100, "%.1f%%"))
        }
    }

    /// `name value` per metric (`—` when it cannot be computed), after `indent`.
    static func print(_ metrics: Metrics, indent: String = "") {
        for (name, value) in metrics.named {
            Output.standard.line(indent + name.padding(toLength: 24, withPad: " ", startingAt: 0) + (value.isFinite ? String(format: "%.6g", value) : "—"))
        }
    }
}
