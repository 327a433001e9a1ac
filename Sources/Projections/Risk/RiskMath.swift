import RealModule
public import TapeCore

/// The risk measures of a window of returns (fractions, e.g. 0.01 for +1 %), reduced in a
/// fixed order so the same window gives the same bits everywhere. Losses are positive numbers:
/// a 95 % value at risk of 0.03 means a 3 % loss is exceeded in 5 % of the periods.
public enum RiskMath {
    /// Mean and sample standard deviation (n − 1).
    public static func meanAndDeviation(_ values: [Double]) -> (mean: Double, deviation: Double) {
        let n = Double(values.count)
        guard values.count >= 2 else { return (values.first ?? .nan, .nan) }
        var sum = 0.0
        for value in values { sum += value }
        let mean = sum / n
        var squares = 0.0
        for value in values { squares += (value - mean) * (value - mean) }
        return (mean, (squares / (n - 1)).squareRoot())
    }

    /// Sample skewness and excess kurtosis (population moments, as the Cornish–Fisher expansion uses them).
    public static func skewAndKurtosis(_ values: [Double]) -> (skew: Double, kurtosis: Double) {
        let n = Double(values.count)
        guard values.count >= 4 else { return (.nan, .nan) }
        var sum = 0.0
        for value in values { sum += value }
        let mean = sum / n
        var m2 = 0.0
        var m3 = 0.0
        var m4 = 0.0
        for value in values {
            let d = value - mean
            let d2 = d * d
            m2 += d2
            m3 += d2 * d
            m4 += d2 * d2
        }
        m2 /= n
        m3 /= n
        m4 /= n
        guard m2 > 0 else { return (0, 0) }
        return (m3 / (m2 * m2.squareRoot()), m4 / (m2 * m2) - 3)
    }

    /// Historical VaR and ES at `level`: the loss at the (1 − level) empirical quantile (linear
    /// interpolation between order statistics, numpy's default), and the mean loss at or beyond it.
    /// Only the smallest returns are sorted, as the whole window sorted would order them, and
    /// the tail is summed in that order: the same figures as sorting it all, at a fraction of
    /// the cost (a decision reads them each time the window moves).
    public static func historical(_ returns: [Double], level: Double) -> (valueAtRisk: Double, expectedShortfall: Double) {
        guard returns.count >= 2 else { return (.nan, .nan) }
        let position = (1 - level) * Double(returns.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, returns.count - 1)
        let fraction = position - Double(lower)
        let sorted = smallest(upper + 1, of: returns)
        let quantile = sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
        var tailSum = 0.0
        var tailCount = 0.0
        for value in sorted where value <= quantile {
            tailSum += value
            tailCount += 1
        }
        // Past the smallest, only returns equal to the quantile belong to the tail: the ones
        // after those kept, in their order (the sort is stable; 0 and −0 are equal).
        var kept = sorted.reduce(0) { $0 + ($1 == quantile ? 1 : 0) }
        for value in returns where value == quantile {
            if kept > 0 {
                kept -= 1
            } else {
                tailSum += value
                tailCount += 1
            }
        }
        return (-quantile, tailCount > 0 ? -(tailSum / tailCount) : -quantile)
    }

    /// The `count` smallest of `values`, ascending, equal ones in their order in `values`:
    /// the first `count` of `values.sorted()`.
    static func smallest(_ count: Int, of values: [Double]) -> [Double] {
        var kept: [Double] = []
        kept.reserveCapacity(count)
        for value in values where kept.count < count || value < kept[count - 1] {
            if kept.count == count { kept.removeLast() }
            var at = kept.count
            while at > 0 && value < kept[at - 1] { at -= 1 }
            kept.insert(value, at: at)
        }
        return kept
    }

    /// Parametric (normal) VaR and ES at `level`: `−(μ + z σ)` and `−(μ − σ φ(z) / (1 − level))`
    /// with z the (1 − level) quantile of the standard normal.
    public static func parametric(_ returns: [Double], level: Double) -> (valueAtRisk: Double, expectedShortfall: Double) {
        let (mean, deviation) = meanAndDeviation(returns)
        let z = normalQuantile(1 - level)
        let density = Double.exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
        return (-(mean + z * deviation), -(mean - deviation * density / (1 - level)))
    }

    /// Cornish–Fisher VaR at `level`: the normal quantile corrected for skewness S and excess
    /// kurtosis K, `z + (z² − 1)S/6 + (z³ − 3z)K/24 − (2z³ − 5z)S²/36`; its ES is the mean of
    /// the same expansion over the tail, taken on a fixed 1000-point grid of tail probabilities.
    public static func cornishFisher(_ returns: [Double], level: Double) -> (valueAtRisk: Double, expectedShortfall: Double) {
        let (mean, deviation) = meanAndDeviation(returns)
        let (skew, kurtosis) = skewAndKurtosis(returns)
        func modified(_ z: Double) -> Double {
            let z2 = z * z
            let z3 = z2 * z
            return z + (z2 - 1) * skew / 6 + (z3 - 3 * z) * kurtosis / 24 - (2 * z3 - 5 * z) * skew * skew / 36
        }
        let tail = 1 - level
        let valueAtRisk = -(mean + modified(normalQuantile(tail)) * deviation)
        let points = 1_000
        var sum = 0.0
        for index in 0..<points {
            let probability = tail * (Double(index) + 0.5) / Double(points)
            sum += mean + modified(normalQuantile(probability)) * deviation
        }
        return (valueAtRisk, -(sum / Double(points)))
    }

    /// The standard normal quantile (Acklam's rational approximation refined by two Halley steps
    /// on `erfc`).
    public static func normalQuantile(_ p: Double) -> Double {
        guard p > 0 && p < 1 else { return p <= 0 ? -.infinity : .infinity }
        // Work in the lower half (1 − p is exact there), where Φ(x) − p has no cancellation.
        if p > 0.5 { return -normalQuantile(1 - p) }
        let (a, b, c, d) = (acklamA, acklamB, acklamC, acklamD)
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * Double.log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else {
            let q = p - 0.5
            let r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        // Two Halley steps on Φ(x) − p, with Φ(x) = erfc(−x/√2)/2.
        for _ in 0..<2 {
            let error = 0.5 * Double.erfc(-x / 2.0.squareRoot()) - p
            let u = error * (2 * Double.pi).squareRoot() * Double.exp(x * x / 2)
            x -= u / (1 + x * u / 2)
        }
        return x
    }

    private static let acklamA = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    private static let acklamB = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
    private static let acklamC = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    private static let acklamD = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]

    /// The running peak, current drawdown (fraction below the peak), maximum drawdown and the
    /// number of periods since the peak, over a series of equity values.
    public static func drawdown(_ equity: [Double]) -> (peak: Double, current: Double, maximum: Double, duration: Int) {
        var drawdown = Drawdown()
        for value in equity { drawdown.add(value) }
        return (drawdown.peak, equity.last.map(drawdown.fraction) ?? .nan, drawdown.maximum, drawdown.periodsSincePeak)
    }

    /// Pearson's correlation of two equally long series (NaN when either is constant).
    public static func correlation(_ x: [Double], _ y: [Double]) -> Double {
        guard x.count == y.count, x.count >= 2 else { return .nan }
        let (meanX, _) = meanAndDeviation(x)
        let (meanY, _) = meanAndDeviation(y)
        var sxy = 0.0
        var sxx = 0.0
        var syy = 0.0
        for index in x.indices {
            let dx = x[index] - meanX
            let dy = y[index] - meanY
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : .nan
    }
}

/// Drawdown of an equity series, kept as values arrive.
public struct Drawdown: Sendable {
    /// The highest value so far.
    public private(set) var peak = -Double.infinity
    /// The largest fraction below the peak so far.
    public private(set) var maximum = 0.0
    /// Values since the peak was set.
    public private(set) var periodsSincePeak = 0

    public init() {}

    public mutating func add(_ value: Double) {
        if value >= peak {
            peak = value
            periodsSincePeak = 0
        } else {
            periodsSincePeak += 1
        }
        if peak > 0 { maximum = max(maximum, fraction(value)) }
    }

    /// How far `value` is below the peak, as a fraction of it (NaN without a positive peak).
    public func fraction(_ value: Double) -> Double { peak > 0 ? (peak - value) / peak : .nan }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&peak)
        try coder.code(&maximum)
        try coder.code(&periodsSincePeak)
    }
}
