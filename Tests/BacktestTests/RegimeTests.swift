@testable import Backtest
import Engine
import Testing

/// Regime labels on hand-built price paths: what each rule says, that a label never depends on
/// a later price, and that the breakdown's numbers are those of its periods.
@Suite("Regimes")
struct RegimeTests {
    /// A performance of `prices.count` samples, the equity given (default: flat 100).
    static func performance(prices: [Double], equity: [Double]? = nil) -> Performance {
        var performance = Performance(period: 60_000_000_000)
        performance.times = prices.indices.map { Int64($0) * 60_000_000_000 }
        performance.prices = prices
        performance.equity = equity ?? Array(repeating: 100, count: prices.count)
        performance.exposure = Array(repeating: 0, count: prices.count)
        return performance
    }

    /// 100 calm samples (±0.01 %) then 60 wild ones (±2 %), alternating; then a steady climb.
    static let path: [Double] = {
        var prices = [100.0]
        for i in 1..<100 { prices.append(prices[i - 1] * (i % 2 == 0 ? 1.0001 : 0.9999)) }
        for i in 100..<160 { prices.append(prices[i - 1] * (i % 2 == 0 ? 1.02 : 0.98)) }
        for i in 160..<220 { prices.append(prices[i - 1] * (i % 2 == 0 ? 1.003 : 1.001)) }
        return prices
    }()

    @Test("volatility is high once the short window is wilder than the long one; a steady climb is an up trend; too little history is unknown")
    func labels() {
        let regimes = Regimes(Self.performance(prices: Self.path), window: 10)
        #expect(regimes.volatility.count == Self.path.count - 1)
        #expect(regimes.volatility[..<40].allSatisfy { $0 == "unknown" }, "4 × 10 returns are needed")
        #expect(regimes.volatility[41..<100].allSatisfy { $0 == "low" || $0 == "high" })
        #expect(regimes.volatility[105..<125].allSatisfy { $0 == "high" }, "the wild stretch against a calm long window")
        #expect(regimes.trend[..<10].allSatisfy { $0 == "unknown" })
        #expect(regimes.trend[175..<219].allSatisfy { $0 == "up" })
        #expect(regimes.trend[50..<100].allSatisfy { $0 == "range" }, "the calm alternation goes nowhere")
    }

    @Test("a label is known when its period starts: a path cut at any sample labels its periods as the whole path does")
    func causal() {
        let whole = Regimes(Self.performance(prices: Self.path), window: 10)
        for cut in stride(from: 20, through: Self.path.count, by: 17) {
            let part = Regimes(Self.performance(prices: Array(Self.path[..<cut])), window: 10)
            #expect(part.volatility == Array(whole.volatility[..<(cut - 1)]) && part.trend == Array(whole.trend[..<(cut - 1)]))
        }
        // Changing the price at sample i + 1 — the end of period i — leaves period i's labels.
        var changed = Self.path
        changed[150] *= 3
        let other = Regimes(Self.performance(prices: changed), window: 10)
        #expect(other.volatility[..<150] == whole.volatility[..<150] && other.trend[..<150] == whole.trend[..<150])
    }

    @Test("each regime's row is the metrics of its own periods")
    func rows() {
        var equity = [100.0]
        for i in 1..<Self.path.count { equity.append(equity[i - 1] * (1 + (i % 3 == 0 ? 0.002 : -0.001))) }
        let performance = Self.performance(prices: Self.path, equity: equity)
        let regimes = Regimes(performance, window: 10)
        let returns = PerformanceMath.returns(equity)
        for row in regimes.rows {
            let labels = row.dimension == "volatility" ? regimes.volatility : regimes.trend
            let subset = returns.indices.filter { labels[$0] == row.label }.map { returns[$0] }
            #expect(row.periods == subset.count)
            #expect(abs(row.totalReturn - (subset.reduce(1.0) { $0 * (1 + $1) } - 1)) < 1e-12)
            #expect(abs(row.hitRate - Double(subset.filter { $0 > 0 }.count) / Double(subset.count)) < 1e-12)
        }
        #expect(regimes.rows.filter { $0.dimension == "trend" }.reduce(0) { $0 + $1.periods } == returns.count)
        #expect(abs(regimes.rows.filter { $0.dimension == "volatility" }.reduce(0.0) { $0 + $1.share } - 1) < 1e-12)
    }
}
