import Projections
import RealModule

/// The performance measures of a series of simple returns (fractions per period), each written
/// as its reference library defines it (specs/metrics.md) and reduced in a fixed order, so the
/// same series gives the same bits everywhere.
public enum PerformanceMath {
    /// Simple returns of an equity curve: e[i] / e[i − 1] − 1.
    public static func returns(_ equity: [Double]) -> [Double] {
        guard equity.count >= 2 else { return [] }
        return (1..<equity.count).map { equity[$0] / equity[$0 - 1] - 1 }
    }

    /// The compounded return of the whole series: Π(1 + r) − 1.
    public static func totalReturn(_ returns: [Double]) -> Double {
        var growth = 1.0
        for value in returns { growth *= 1 + value }
        return growth - 1
    }

    /// The compound annual growth rate: (1 + total)^(periods a year / periods) − 1.
    public static func annualReturn(_ returns: [Double], periodsPerYear: Double) -> Double {
        guard !returns.isEmpty else { return .nan }
        return Double.pow(1 + totalReturn(returns), periodsPerYear / Double(returns.count)) - 1
    }

    /// The sample standard deviation (n − 1) scaled by √(periods a year).
    public static func volatility(_ returns: [Double], periodsPerYear: Double) -> Double {
        RiskMath.meanAndDeviation(returns).deviation * periodsPerYear.squareRoot()
    }

    /// Mean over sample standard deviation, scaled by √(periods a year) (no risk-free rate).
    public static func sharpe(_ returns: [Double], periodsPerYear: Double) -> Double {
        let (mean, deviation) = RiskMath.meanAndDeviation(returns)
        return mean / deviation * periodsPerYear.squareRoot()
    }

    /// The annualised mean over the annualised downside deviation, √(mean(min(r, 0)²)) √(periods a year).
    public static func sortino(_ returns: [Double], periodsPerYear: Double) -> Double {
        guard !returns.isEmpty else { return .nan }
        var sum = 0.0
        var squares = 0.0
        for value in returns {
            sum += value
            let downside = min(value, 0)
            squares += downside * downside
        }
        let n = Double(returns.count)
        return sum / n * periodsPerYear / ((squares / n).squareRoot() * periodsPerYear.squareRoot())
    }

    /// The deepest fall of `equity` below its running peak (a fraction of the peak) and the
    /// longest stretch, in periods, from a peak until the curve is back at it (or the end).
    public static func drawdown(_ equity: [Double]) -> (maximum: Double, longest: Int) {
        guard var peak = equity.first else { return (.nan, 0) }
        var start = 0
        var maximum = 0.0
        var longest = 0
        for (index, value) in equity.enumerated() {
            if value >= peak {
                peak = value
                start = index
            } else {
                maximum = max(maximum, (peak - value) / peak)
            }
            longest = max(longest, index - start)
        }
        return (maximum, longest)
    }

    /// The `percent`-th percentile of sorted values, interpolating linearly between order
    /// statistics (numpy's default).
    public static func percentile(sorted: [Double], _ percent: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = percent / 100 * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }

    /// The 95th percentile over the magnitude of the 5th: how much fatter the right tail is.
    public static func tailRatio(_ returns: [Double]) -> Double {
        let sorted = returns.sorted()
        return abs(percentile(sorted: sorted, 95)) / abs(percentile(sorted: sorted, 5))
    }

    /// The probability that the true Sharpe ratio (per period) exceeds `benchmark`, given the
    /// observed one, the number of returns, and their skewness and kurtosis (Bailey and López
    /// de Prado, 2012).
    public static func probabilisticSharpe(_ returns: [Double], benchmark: Double) -> Double {
        guard returns.count >= 4 else { return .nan }
        let (mean, deviation) = RiskMath.meanAndDeviation(returns)
        let sharpe = mean / deviation
        let (skew, excess) = RiskMath.skewAndKurtosis(returns)
        let spread = (1 - skew * sharpe + (excess + 2) / 4 * sharpe * sharpe).squareRoot()
        return normalCDF((sharpe - benchmark) * Double(returns.count - 1).squareRoot() / spread)
    }

    /// The Sharpe ratio (per period) the best of `trials` independent trials would show by
    /// luck alone, when their Sharpe ratios vary with `variance` (Bailey and López de Prado,
    /// 2014): the benchmark of the deflated Sharpe ratio. Zero for a single trial.
    public static func expectedMaximumSharpe(trials: Int, variance: Double) -> Double {
        guard trials > 1, variance > 0 else { return 0 }
        let n = Double(trials)
        return variance.squareRoot() * ((1 - eulerGamma) * RiskMath.normalQuantile(1 - 1 / n)
            + eulerGamma * RiskMath.normalQuantile(1 - 1 / (n * Double.exp(1))))
    }

    /// The standard normal distribution function.
    public static func normalCDF(_ x: Double) -> Double { 0.5 * Double.erfc(-x / 2.0.squareRoot()) }

    private static let eulerGamma = 0.5772156649015329
}
