public import TapeCore
import RealModule

// Indicators TA-Lib does not have: statistics of log returns, realized-volatility estimators,
// the Hurst exponent and Ichimoku. Each is checked against an independent computation from its
// textbook definition (Fixtures/reference.csv.gz).

/// Running sums of x, x², x³, x⁴ over a window.
struct PowerSums: StateCodable, Sendable, Equatable {
    private var window: RingBuffer
    private(set) var s1 = 0.0
    private(set) var s2 = 0.0
    private(set) var s3 = 0.0
    private(set) var s4 = 0.0
    init(period: Int) { window = RingBuffer(capacity: period) }
    var period: Int { window.capacity }
    var isFull: Bool { window.isFull }
    var count: Int { window.count }
    mutating func add(_ x: Double) {
        if let old = window.push(x) {
            let square = old * old
            s1 -= old
            s2 -= square
            s3 -= square * old
            s4 -= square * square
        }
        let square = x * x
        s1 += x
        s2 += square
        s3 += square * x
        s4 += square * square
    }
    /// The central moments m2, m3, m4 (population) of the window.
    var centralMoments: (m2: Double, m3: Double, m4: Double) {
        let n = Double(window.count)
        let mean = s1 / n
        let e2 = s2 / n
        let e3 = s3 / n
        let e4 = s4 / n
        let mean2 = mean * mean
        let m2 = e2 - mean2
        let m3 = e3 - 3 * mean * e2 + 2 * mean2 * mean
        let m4 = e4 - 4 * mean * e3 + 6 * mean2 * e2 - 3 * mean2 * mean2
        return (m2, m3, m4)
    }
    mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&window)
        try coder.code(&s1)
        try coder.code(&s2)
        try coder.code(&s3)
        try coder.code(&s4)
    }
}

/// The one-bar log return of the close, `ln(close / previous close)`.
public struct LogReturn: Indicator {
    private var previous = Double.nan
    public init() {}
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 1 }
    /// The return, nil for the first bar or a non-positive price.
    mutating func next(_ close: Double) -> Double? {
        defer { previous = close }
        guard !previous.isNaN, previous > 0, close > 0 else { return nil }
        return Double.log(close / previous)
    }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput { single(next(input.close)) }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&previous) }
}

/// The z-score of the close against the mean and (population) standard deviation of `period` closes.
public struct ZScore: Indicator {
    private var variance: WindowVariance
    private var mean: SMAState
    public init(period: Int) {
        variance = WindowVariance(period: period)
        mean = SMAState(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { variance.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let average = mean.update(input.close)
        guard let value = variance.update(input.close), let average else { return .undefined }
        return single(value > 0 ? (input.close - average) / value.squareRoot() : 0)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&variance)
        try coder.code(&mean)
    }
}

/// The skewness (`m3 / m2^1.5`) or excess kurtosis (`m4 / m2² − 3`) of the last `period` one-bar
/// log returns (population moments).
public struct ReturnMoment: Indicator {
    public let kurtosis: Bool
    private var returns = LogReturn()
    private var sums: PowerSums
    public init(period: Int, kurtosis: Bool) {
        self.kurtosis = kurtosis
        sums = PowerSums(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { sums.period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let r = returns.next(input.close) else { return .undefined }
        sums.add(r)
        guard sums.isFull else { return .undefined }
        let (m2, m3, m4) = sums.centralMoments
        guard m2 > 0 else { return single(0) }
        return single(kurtosis ? m4 / (m2 * m2) - 3 : m3 / (m2 * m2.squareRoot()))
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&returns)
        try coder.code(&sums)
    }
}

/// The autocorrelation at `lag` of the last `period` one-bar log returns: the Pearson
/// correlation of the pairs (r[t − lag], r[t]) inside the window.
public struct Autocorrelation: Indicator {
    public let period: Int
    public let lag: Int
    private var returns = LogReturn()
    private var history: RingBuffer
    private var pairs: Correlation

    public init(period: Int, lag: Int) {
        precondition(lag >= 1 && lag < period, "the lag must be shorter than the window")
        self.period = period
        self.lag = lag
        history = RingBuffer(capacity: lag + 1)
        pairs = Correlation(period: period - lag)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let r = returns.next(input.close) else { return .undefined }
        history.push(r)
        guard history.isFull else { return .undefined }
        return pairs.update(IndicatorInput(value: history.oldest, other: r))
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&returns)
        try coder.code(&history)
        try coder.code(&pairs)
    }
}

/// RiskMetrics volatility: the square root of an exponentially weighted mean of squared log
/// returns, `σ² ← λσ² + (1 − λ)r²`, seeded with the first squared return.
public struct EWMAVolatility: Indicator {
    public let lambda: Double
    private var returns = LogReturn()
    private var variance = Double.nan
    public init(lambda: Double) { self.lambda = lambda }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let r = returns.next(input.close) else { return .undefined }
        variance = variance.isNaN ? r * r : lambda * variance + (1 - lambda) * r * r
        return single(variance.squareRoot())
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&returns)
        try coder.code(&variance)
    }
}

/// Realized-volatility estimators over `period` bars, per bar (not annualized):
/// close-to-close (sample standard deviation of log returns), Parkinson (high/low),
/// Garman–Klass (OHLC), Rogers–Satchell (drift-independent OHLC) and Yang–Zhang (overnight,
/// open-to-close and Rogers–Satchell combined).
public struct RealizedVolatility: Indicator {
    public enum Estimator: Sendable { case closeToClose, parkinson, garmanKlass, rogersSatchell, yangZhang }
    public let estimator: Estimator
    public let period: Int
    private var first: PowerSums
    private var second: PowerSums
    private var third: PowerSums
    private var previousClose = Double.nan

    public init(period: Int, estimator: Estimator) {
        self.estimator = estimator
        self.period = period
        first = PowerSums(period: period)
        second = PowerSums(period: period)
        third = PowerSums(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { estimator == .closeToClose || estimator == .yangZhang ? period : period - 1 }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let (open, high, low, close) = (input.open, input.high, input.low, input.close)
        defer { previousClose = close }
        guard open > 0, high > 0, low > 0, close > 0 else { return .undefined }
        let n = Double(period)
        switch estimator {
        case .closeToClose:
            guard !previousClose.isNaN else { return .undefined }
            first.add(Double.log(close / previousClose))
            guard first.isFull else { return .undefined }
            return single(sampleVariance(first).squareRoot())
        case .parkinson:
            let range = Double.log(high / low)
            first.add(range * range)
            guard first.isFull else { return .undefined }
            return single((first.s1 / (4 * n * Double.log(2.0))).squareRoot())
        case .garmanKlass:
            let range = Double.log(high / low)
            let body = Double.log(close / open)
            first.add(0.5 * range * range - (2 * Double.log(2.0) - 1) * body * body)
            guard first.isFull else { return .undefined }
            return single(max(first.s1 / n, 0).squareRoot())
        case .rogersSatchell:
            first.add(rogersSatchell(open: open, high: high, low: low, close: close))
            guard first.isFull else { return .undefined }
            return single(max(first.s1 / n, 0).squareRoot())
        case .yangZhang:
            guard !previousClose.isNaN else { return .undefined }
            first.add(Double.log(open / previousClose))
            second.add(Double.log(close / open))
            third.add(rogersSatchell(open: open, high: high, low: low, close: close))
            guard first.isFull else { return .undefined }
            let k = 0.34 / (1.34 + (n + 1) / (n - 1))
            let variance = sampleVariance(first) + k * sampleVariance(second) + (1 - k) * third.s1 / n
            return single(max(variance, 0).squareRoot())
        }
    }

    private func rogersSatchell(open: Double, high: Double, low: Double, close: Double) -> Double {
        Double.log(high / close) * Double.log(high / open) + Double.log(low / close) * Double.log(low / open)
    }

    /// The sample variance (n − 1) of a window.
    private func sampleVariance(_ sums: PowerSums) -> Double {
        let n = Double(sums.count)
        return max((sums.s2 - sums.s1 * sums.s1 / n) / (n - 1), 0)
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&first)
        try coder.code(&second)
        try coder.code(&third)
        try coder.code(&previousClose)
    }
}

/// The Hurst exponent of the last `period` log prices, from how the standard deviation of
/// τ-bar log-price changes grows with τ (τ = 1, 2, 4, … below period / 2): the least-squares
/// slope of ln σ(τ) on ln τ. About 0.5 for a random walk, above for trending, below for
/// mean-reverting series. O(number of lags) per update.
public struct Hurst: Indicator {
    public let period: Int
    private let lags: [Int]
    private var prices: RingBuffer
    private var changes: [PowerSums]

    public init(period: Int) {
        self.period = period
        var lags: [Int] = []
        var lag = 1
        while lag <= period / 2 {
            lags.append(lag)
            lag *= 2
        }
        self.lags = lags
        prices = RingBuffer(capacity: period)
        changes = lags.map { PowerSums(period: period - $0) }
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period - 1 }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard input.close > 0 else { return .undefined }
        let price = Double.log(input.close)
        prices.push(price)
        for (index, lag) in lags.enumerated() where prices.count > lag {
            changes[index].add(price - prices[back: lag])
        }
        guard prices.isFull, lags.count >= 2 else { return .undefined }
        // Least squares of y = ln σ on x = ln τ.
        var sumX = 0.0
        var sumY = 0.0
        var sumXX = 0.0
        var sumXY = 0.0
        for (index, lag) in lags.enumerated() {
            let sums = changes[index]
            let n = Double(sums.count)
            let variance = (sums.s2 - sums.s1 * sums.s1 / n) / (n - 1)
            guard variance > 0 else { return single(.nan) }
            let x = Double.log(Double(lag))
            let y = 0.5 * Double.log(variance)
            sumX += x
            sumY += y
            sumXX += x * x
            sumXY += x * y
        }
        let n = Double(lags.count)
        return single((n * sumXY - sumX * sumY) / (n * sumXX - sumX * sumX))
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&prices)
        try coder.code(&changes)
    }
}

/// Ichimoku Kinkō Hyō without looking ahead: the conversion line (mid of 9 bars), base line (mid
/// of 26), and the cloud as it stands at this bar (leading spans A and B computed `displacement`
/// bars ago).
public struct Ichimoku: Indicator {
    private var conversion: WindowExtremes
    private var base: WindowExtremes
    private var span: WindowExtremes
    private var leadingA: RingBuffer
    private var leadingB: RingBuffer
    public let displacement: Int

    public init(conversion: Int, base: Int, span: Int, displacement: Int) {
        self.conversion = WindowExtremes(period: conversion)
        self.base = WindowExtremes(period: base)
        self.span = WindowExtremes(period: span)
        self.displacement = displacement
        leadingA = RingBuffer(capacity: displacement + 1)
        leadingB = RingBuffer(capacity: displacement + 1)
    }
    public var outputNames: [String] { ["conversion", "base", "span_a", "span_b"] }
    public var lookback: Int { max(span.period - 1 + displacement, base.period - 1) }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        conversion.update(high: input.high, low: input.low)
        base.update(high: input.high, low: input.low)
        span.update(high: input.high, low: input.low)
        let tenkan = conversion.isFull ? (conversion.highest + conversion.lowest) / 2 : Double.nan
        let kijun = base.isFull ? (base.highest + base.lowest) / 2 : Double.nan
        let longSpan = span.isFull ? (span.highest + span.lowest) / 2 : Double.nan
        leadingA.push((tenkan + kijun) / 2)
        leadingB.push(longSpan)
        guard leadingB.isFull, !leadingB.oldest.isNaN else { return .undefined }
        return several(tenkan, kijun, leadingA.oldest, leadingB.oldest)
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&conversion)
        try coder.code(&base)
        try coder.code(&span)
        try coder.code(&leadingA)
        try coder.code(&leadingB)
    }
}
