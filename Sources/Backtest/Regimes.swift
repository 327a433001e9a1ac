public import Engine
public import Events
import RealModule

/// The metrics of a run broken down by market regime (specs/metrics.md, "Regimes"). Each
/// return period of the equity curve — sample i to i + 1 — is labelled from the market's
/// prices at samples up to i only, so a label is known when its period starts:
/// - volatility: `high` when the deviation of the last `window` log price returns exceeds that
///   of the last 4 × `window`, else `low`;
/// - trend: `up` when the log return over the last `window` samples is above half the short
///   deviation × √window, `down` below minus that, else `range`;
/// - `unknown` while the history is too short or a price is missing.
public struct Regimes: Sendable {
    public struct Row: Sendable, Equatable {
        public var dimension: String
        public var label: String
        public var periods: Int
        /// The fraction of all return periods.
        public var share: Double
        /// Compounded over the regime's periods.
        public var totalReturn: Double
        public var volatility: Double
        public var sharpe: Double
        /// The fraction of its periods with a positive return, of those with any.
        public var hitRate: Double
    }

    public let window: Int
    /// Per return period.
    public private(set) var volatility: [String] = []
    public private(set) var trend: [String] = []
    public private(set) var rows: [Row] = []

    public init(_ performance: Performance, window: Int = 20) {
        precondition(window >= 2, "a regime window holds at least two returns")
        self.window = window
        let prices = performance.prices
        let count = max(0, performance.equity.count - 1)
        // Log price returns: q[j] from sample j − 1 to j (q[0] = NaN).
        var q = [Double](repeating: .nan, count: prices.count)
        for j in prices.indices.dropFirst() where prices[j] > 0 && prices[j - 1] > 0 { q[j] = (prices[j] / prices[j - 1]).logarithm }
        func deviation(endingAt i: Int, _ n: Int) -> Double {
            guard i - n + 1 >= 1 else { return .nan }
            var sum = 0.0, squares = 0.0
            for j in (i - n + 1)...i {
                guard !q[j].isNaN else { return .nan }
                sum += q[j]
                squares += q[j] * q[j]
            }
            let mean = sum / Double(n)
            return (max(0, squares / Double(n) - mean * mean) * Double(n) / Double(n - 1)).squareRoot()
        }
        for i in 0..<count {
            let short = deviation(endingAt: i, window)
            let long = deviation(endingAt: i, 4 * window)
            volatility.append(short.isNaN || long.isNaN ? "unknown" : short > long ? "high" : "low")
            if short.isNaN || i < window || !(prices[i] > 0 && prices[i - window] > 0) {
                trend.append("unknown")
            } else {
                let move = (prices[i] / prices[i - window]).logarithm
                let band = 0.5 * short * Double(window).squareRoot()
                trend.append(move > band ? "up" : move < -band ? "down" : "range")
            }
        }
        let returns = PerformanceMath.returns(performance.equity)
        let perYear = performance.periodsPerYear
        for (dimension, labels, order) in [("volatility", volatility, ["low", "high", "unknown"]), ("trend", trend, ["up", "range", "down", "unknown"])] {
            for label in order {
                let subset = returns.indices.filter { labels[$0] == label }.map { returns[$0] }
                guard !subset.isEmpty else { continue }
                let moved = subset.filter { $0 != 0 }
                rows.append(Row(dimension: dimension, label: label, periods: subset.count, share: Double(subset.count) / Double(returns.count),
                                totalReturn: PerformanceMath.totalReturn(subset), volatility: PerformanceMath.volatility(subset, periodsPerYear: perYear),
                                sharpe: PerformanceMath.sharpe(subset, periodsPerYear: perYear),
                                hitRate: moved.isEmpty ? .nan : Double(moved.filter { $0 > 0 }.count) / Double(moved.count)))
            }
        }
    }

    /// `[{"dimension","label","periods","share","total_return","volatility","sharpe","hit_rate"}]`.
    public var json: JSONValue {
        func number(_ x: Double) -> JSONValue { x.isFinite ? .double(x) : .null }
        return .array(rows.map { row in
            .object([("dimension", .string(row.dimension)), ("label", .string(row.label)), ("periods", .unsigned(UInt64(row.periods))),
                     ("share", number(row.share)), ("total_return", number(row.totalReturn)), ("volatility", number(row.volatility)),
                     ("sharpe", number(row.sharpe)), ("hit_rate", number(row.hitRate))])
        })
    }
}

extension Double {
    fileprivate var logarithm: Double { Double.log(self) }
}
