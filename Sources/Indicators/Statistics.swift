public import TapeCore
import RealModule

// Statistics over a window.

/// The population variance of a window, in two passes (the mean, then the squared deviations
/// from it): O(period) per update, but free of the cancellation that running sums of x and x²
/// suffer, so it agrees with TA-Lib's (0.8) values to ~1e-11.
struct WindowVariance: StateCodable, Sendable, Equatable {
    private var window: RingBuffer
    init(period: Int) { window = RingBuffer(capacity: period) }
    var period: Int { window.capacity }
    mutating func update(_ x: Double) -> Double? {
        window.push(x)
        guard window.isFull else { return nil }
        var sum = 0.0
        for age in stride(from: period - 1, through: 0, by: -1) { sum += window[back: age] }
        let mean = sum / Double(period)
        var squares = 0.0
        for age in stride(from: period - 1, through: 0, by: -1) {
            let deviation = window[back: age] - mean
            squares += deviation * deviation
        }
        return squares / Double(period)
    }
    mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&window) }
}

/// The population variance (`squared`) or standard deviation × `deviations` of the close.
public struct Deviation: Indicator {
    public let deviations: Double
    public let squared: Bool
    private var variance: WindowVariance
    public init(period: Int, deviations: Double, squared: Bool) {
        self.deviations = deviations
        self.squared = squared
        variance = WindowVariance(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { variance.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let value = variance.update(input.close) else { return .undefined }
        if squared { return single(value) }
        return single(isZeroOrNegative(value) ? 0 : value.squareRoot() * deviations)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&variance) }
}

/// The mean absolute deviation from the mean of the close over `period` (O(period) per update,
/// as its definition asks).
public struct AverageDeviation: Indicator {
    public let period: Int
    private var window: RingBuffer
    public init(period: Int) {
        self.period = period
        window = RingBuffer(capacity: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        window.push(input.close)
        guard window.isFull else { return .undefined }
        var sum = 0.0
        for age in stride(from: period - 1, through: 0, by: -1) { sum += window[back: age] }
        let mean = sum / Double(period)
        var deviation = 0.0
        for age in stride(from: period - 1, through: 0, by: -1) { deviation += abs(window[back: age] - mean) }
        return single(deviation / Double(period))
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&window) }
}

/// The highest, lowest or sum of the close over `period`.
public struct WindowStatistic: Indicator {
    public enum Form: Sendable { case maximum, minimum, sum }
    public let form: Form
    private var extremes: WindowExtremes
    private var window: RingBuffer
    private var partial = 0.0
    private var seen = 0

    public init(period: Int, form: Form) {
        self.form = form
        extremes = WindowExtremes(period: period)
        window = RingBuffer(capacity: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { extremes.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let x = input.close
        switch form {
        case .maximum, .minimum:
            extremes.update(high: x, low: x)
            guard extremes.isFull else { return .undefined }
            return single(form == .maximum ? extremes.highest : extremes.lowest)
        case .sum:
            window.push(x)
            seen += 1
            if seen < window.capacity {
                partial += x
                return .undefined
            }
            seen = window.capacity
            let total = partial + x
            partial = total - window.oldest
            return single(total)
        }
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&extremes)
        try coder.code(&window)
        try coder.code(&partial)
        try coder.code(&seen)
    }
}

/// Pearson's correlation of the close with the second series over `period`.
public struct Correlation: Indicator {
    public let period: Int
    private var xs: RingBuffer
    private var ys: RingBuffer
    private var sumX = 0.0
    private var sumY = 0.0
    private var sumX2 = 0.0
    private var sumY2 = 0.0
    private var sumXY = 0.0

    public init(period: Int) {
        self.period = period
        xs = RingBuffer(capacity: period)
        ys = RingBuffer(capacity: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let x = input.close
        let y = input.other
        xs.push(x)
        ys.push(y)
        sumX += x
        sumY += y
        sumX2 += x * x
        sumY2 += y * y
        sumXY += x * y
        guard xs.isFull else { return .undefined }
        let n = Double(period)
        let numerator = sumXY - (sumX * sumY) / n
        let denominator = (sumX2 - (sumX * sumX) / n) * (sumY2 - (sumY * sumY) / n)
        let result = isZeroOrNegative(denominator) ? 0 : numerator / denominator.squareRoot()
        let oldX = xs.oldest
        let oldY = ys.oldest
        sumX -= oldX
        sumY -= oldY
        sumX2 -= oldX * oldX
        sumY2 -= oldY * oldY
        sumXY -= oldX * oldY
        return single(result)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&xs)
        try coder.code(&ys)
        try coder.code(&sumX)
        try coder.code(&sumY)
        try coder.code(&sumX2)
        try coder.code(&sumY2)
        try coder.code(&sumXY)
    }
}

/// The beta of the close's one-bar returns to the second series' over `period` returns.
public struct Beta: Indicator {
    public let period: Int
    private var xs: RingBuffer
    private var ys: RingBuffer
    private var sumXX = 0.0
    private var sumX = 0.0
    private var sumXY = 0.0
    private var sumY = 0.0
    private var lastX = 0.0
    private var lastY = 0.0
    private var seen = 0

    public init(period: Int) {
        self.period = period
        xs = RingBuffer(capacity: period)
        ys = RingBuffer(capacity: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        seen += 1
        defer {
            lastX = input.close
            lastY = input.other
        }
        guard seen > 1 else { return .undefined }
        let x = isZero(lastX) ? 0 : (input.close - lastX) / lastX
        let y = isZero(lastY) ? 0 : (input.other - lastY) / lastY
        xs.push(x)
        ys.push(y)
        sumXX += x * x
        sumX += x
        sumXY += x * y
        sumY += y
        guard seen > period else { return .undefined }
        seen = period + 1
        let n = Double(period)
        let denominator = n * sumXX - sumX * sumX
        let result = isZero(denominator) ? 0 : (n * sumXY - sumX * sumY) / denominator
        let oldX = xs.oldest
        let oldY = ys.oldest
        sumXX -= oldX * oldX
        sumX -= oldX
        sumXY -= oldX * oldY
        sumY -= oldY
        return single(result)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&xs)
        try coder.code(&ys)
        try coder.code(&sumXX)
        try coder.code(&sumX)
        try coder.code(&sumXY)
        try coder.code(&sumY)
        try coder.code(&lastX)
        try coder.code(&lastY)
        try coder.code(&seen)
    }
}

/// Least-squares line through the last `period` closes, recomputed over the window as TA-Lib
/// does (O(period) per update: running sums drift from TA-Lib's values where the slope is near
/// zero): its end value, slope, intercept (at the oldest bar), angle in degrees, the forecast
/// one bar ahead, or R².
public struct LinearRegression: Indicator {
    public enum Form: Sendable { case value, slope, intercept, angle, forecast, rSquared }
    public let form: Form
    public let period: Int
    private var window: RingBuffer

    public init(period: Int, form: Form) {
        self.form = form
        self.period = period
        window = RingBuffer(capacity: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period - 1 }

    /// The slope and intercept of the current window.
    func line() -> (slope: Double, intercept: Double) {
        let n = Double(period)
        let sumX = n * (n - 1) * 0.5
        let sumXSquared = n * (n - 1) * (2 * n - 1) / 6
        let divisor = sumX * sumX - n * sumXSquared
        var sumXY = 0.0
        var sumY = 0.0
        for age in stride(from: period - 1, through: 0, by: -1) {
            let y = window[back: age]
            sumXY += Double(age) * y
            sumY += y
        }
        let slope = (n * sumXY - sumX * sumY) / divisor
        return (slope, (sumY - slope * sumX) / n)
    }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        window.push(input.close)
        guard window.isFull else { return .undefined }
        let n = Double(period)
        let (slope, intercept) = line()
        switch form {
        case .value: return single(intercept + slope * (n - 1))
        case .slope: return single(slope)
        case .intercept: return single(intercept)
        case .angle: return single(Double.atan(slope) * (180.0 / Double.pi))
        case .forecast: return single(intercept + slope * n)
        case .rSquared:
            // R² = 1 − SSE / SST of the fitted line.
            var sum = 0.0
            for age in 0..<period { sum += window[back: age] }
            let mean = sum / n
            var total = 0.0
            var residual = 0.0
            for age in 0..<period {
                let y = window[back: age]
                let fitted = intercept + slope * Double(period - 1 - age)
                total += (y - mean) * (y - mean)
                residual += (y - fitted) * (y - fitted)
            }
            return single(total > 0 ? 1 - residual / total : .nan)
        }
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&window) }
}

/// The forecast oscillator: `100 × (close − the previous bar's forecast of it) / close`.
public struct ForecastOscillator: Indicator {
    private var regression: LinearRegression
    private var forecast = Double.nan
    public init(period: Int) { regression = LinearRegression(period: period, form: .forecast) }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { regression.period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let previous = forecast
        forecast = regression.update(input).first
        guard !previous.isNaN else { return .undefined }
        return single(input.close != 0 ? 100.0 * (input.close - previous) / input.close : 0)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&regression)
        try coder.code(&forecast)
    }
}
