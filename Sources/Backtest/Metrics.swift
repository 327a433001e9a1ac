public import Engine
public import Events
import TapeCore
import Projections

/// The performance metrics of a run (specs/metrics.md). Ratios and returns are fractions;
/// losses and drawdowns are positive fractions; money is in the ledger's valuation currency.
public struct Metrics: Sendable, Equatable {
    public var periods: Int
    public var periodsPerYear: Double
    public var totalReturn: Double
    public var annualReturn: Double
    public var volatility: Double
    public var sharpe: Double
    public var sortino: Double
    public var calmar: Double
    public var maxDrawdown: Double
    /// The longest time from a peak of equity back to it (or to the end), nanoseconds.
    public var maxDrawdownDuration: Int64
    /// Historical, 95 %, per period.
    public var valueAtRisk: Double
    public var expectedShortfall: Double
    public var skewness: Double
    /// Excess kurtosis.
    public var kurtosis: Double
    public var tailRatio: Double
    /// The probability that the true Sharpe ratio is above zero.
    public var probabilisticSharpe: Double
    /// The probability that it is above what the best of the configurations tried would show
    /// by luck (equal to `probabilisticSharpe` for a single configuration).
    public var deflatedSharpe: Double
    public var trades: Int
    public var winRate: Double
    public var profitFactor: Double
    /// Mean profit per trade.
    public var expectancy: Double
    public var averageWin: Double
    /// Mean loss of the losing trades, a negative number.
    public var averageLoss: Double
    /// The fraction of the span with a position open.
    public var exposure: Double
    /// Traded notional over mean equity.
    public var turnover: Double
    public var fees: Double
    public var funding: Double

    /// The metrics of `performance`; `trials` configurations were tried whose Sharpe ratios
    /// (per period) vary with `sharpeVariance` (for the deflated Sharpe ratio).
    public init(_ performance: Performance, trials: Int = 1, sharpeVariance: Double = 0) {
        let returns = PerformanceMath.returns(performance.equity)
        let year = performance.periodsPerYear
        periods = returns.count
        periodsPerYear = year
        totalReturn = PerformanceMath.totalReturn(returns)
        annualReturn = PerformanceMath.annualReturn(returns, periodsPerYear: year)
        volatility = PerformanceMath.volatility(returns, periodsPerYear: year)
        sharpe = PerformanceMath.sharpe(returns, periodsPerYear: year)
        sortino = PerformanceMath.sortino(returns, periodsPerYear: year)
        let drawdown = PerformanceMath.drawdown(performance.equity)
        maxDrawdown = drawdown.maximum
        maxDrawdownDuration = Int64(drawdown.longest) * performance.period
        calmar = annualReturn / drawdown.maximum
        (valueAtRisk, expectedShortfall) = RiskMath.historical(returns, level: 0.95)
        (skewness, kurtosis) = RiskMath.skewAndKurtosis(returns)
        tailRatio = PerformanceMath.tailRatio(returns)
        probabilisticSharpe = PerformanceMath.probabilisticSharpe(returns, benchmark: 0)
        deflatedSharpe = PerformanceMath.probabilisticSharpe(
            returns, benchmark: PerformanceMath.expectedMaximumSharpe(trials: trials, variance: sharpeVariance))

        let profits = performance.trades.map(\.profit)
        let wins = profits.filter { $0 > 0 }
        let losses = profits.filter { $0 < 0 }
        trades = profits.count
        winRate = profits.isEmpty ? .nan : Double(wins.count) / Double(profits.count)
        let gained = wins.reduce(0, +)
        let lost = -losses.reduce(0, +)
        profitFactor = lost > 0 ? gained / lost : (gained > 0 ? .infinity : .nan)
        expectancy = profits.isEmpty ? .nan : profits.reduce(0, +) / Double(profits.count)
        averageWin = wins.isEmpty ? .nan : gained / Double(wins.count)
        averageLoss = losses.isEmpty ? .nan : -lost / Double(losses.count)
        exposure = performance.span > 0 ? Double(performance.exposedTime) / Double(performance.span) : .nan
        let meanEquity = performance.equity.isEmpty ? .nan : performance.equity.reduce(0, +) / Double(performance.equity.count)
        turnover = performance.traded / meanEquity
        fees = performance.fees
        funding = performance.funding
    }

    /// Every metric by name, in a fixed order (the JSON report and the text table).
    public var named: [(name: String, value: Double)] {
        [
            ("periods", Double(periods)), ("periods_per_year", periodsPerYear), ("total_return", totalReturn), ("annual_return", annualReturn),
            ("volatility", volatility), ("sharpe", sharpe), ("sortino", sortino), ("calmar", calmar), ("max_drawdown", maxDrawdown),
            ("max_drawdown_days", Double(maxDrawdownDuration) / 86_400_000_000_000), ("value_at_risk_95", valueAtRisk),
            ("expected_shortfall_95", expectedShortfall), ("skewness", skewness), ("kurtosis", kurtosis), ("tail_ratio", tailRatio),
            ("probabilistic_sharpe", probabilisticSharpe), ("deflated_sharpe", deflatedSharpe), ("trades", Double(trades)),
            ("win_rate", winRate), ("profit_factor", profitFactor), ("expectancy", expectancy), ("average_win", averageWin),
            ("average_loss", averageLoss), ("exposure", exposure), ("turnover", turnover), ("fees", fees), ("funding", funding),
        ]
    }

    /// The metrics as a JSON object in `named` order; a metric that cannot be computed is null.
    public var json: JSONValue {
        .object(named.map { ($0.name, $0.value.isFinite ? .double($0.value) : .null) })
    }
}
