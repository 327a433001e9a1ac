public import TapeCore

// Moving averages, bands and channels. Each gives TA-Lib's value from TA-Lib's first output on
// (IndicatorsTests holds them to it on real data).

/// One output, NaN while undefined.
@inline(__always)
func single(_ value: Double?) -> IndicatorOutput {
    var output = IndicatorOutput()
    output.first = value ?? .nan
    return output
}

/// Two to four outputs, NaN where undefined (fixed arities: a variadic list would allocate).
@inline(__always)
func several(_ a: Double?, _ b: Double?, _ c: Double? = nil, _ d: Double? = nil) -> IndicatorOutput {
    var output = IndicatorOutput()
    output.first = a ?? .nan
    output.second = b ?? .nan
    output.third = c ?? .nan
    output.fourth = d ?? .nan
    return output
}

public struct SMA: Indicator {
    private var state: SMAState
    public init(period: Int) { state = SMAState(period: period) }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { state.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput { single(state.update(input.close)) }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&state) }
}

public struct EMA: Indicator {
    private var state: EMAState
    public init(period: Int) { state = EMAState(period: period) }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { state.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput { single(state.update(input.close)) }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&state) }
}

public struct WMA: Indicator {
    private var state: WMAState
    public init(period: Int) { state = WMAState(period: period) }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { state.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput { single(state.update(input.close)) }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&state) }
}

/// Wilder's moving average (RMA, SMMA): TA-Lib seeds it with the mean of the first values.
public struct RMA: Indicator {
    private var state: WilderState
    public init(period: Int) { state = WilderState(period: period) }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { state.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput { single(state.update(input.close)) }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&state) }
}

/// Double EMA: `2 × EMA − EMA(EMA)`.
public struct DEMA: Indicator {
    private var first: EMAState
    private var second: EMAState
    public init(period: Int) {
        first = EMAState(period: period)
        second = EMAState(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 2 * (first.period - 1) }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let e1 = first.update(input.close), let e2 = second.update(e1) else { return .undefined }
        return single(2.0 * e1 - e2)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&first)
        try coder.code(&second)
    }
}

/// Triple EMA: `3 × EMA − 3 × EMA(EMA) + EMA(EMA(EMA))`.
public struct TEMA: Indicator {
    private var first: EMAState
    private var second: EMAState
    private var third: EMAState
    public init(period: Int) {
        first = EMAState(period: period)
        second = EMAState(period: period)
        third = EMAState(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 3 * (first.period - 1) }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let e1 = first.update(input.close), let e2 = second.update(e1), let e3 = third.update(e2) else { return .undefined }
        return single(3.0 * e1 - 3.0 * e2 + e3)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&first)
        try coder.code(&second)
        try coder.code(&third)
    }
}

/// Triangular moving average: an SMA of an SMA, the two periods splitting `period`.
public struct TRIMA: Indicator {
    private var inner: SMAState
    private var outer: SMAState
    public let period: Int
    public init(period: Int) {
        self.period = period
        let half = period / 2
        if period % 2 == 1 {
            inner = SMAState(period: half + 1)
            outer = SMAState(period: half + 1)
        } else {
            inner = SMAState(period: half)
            outer = SMAState(period: half + 1)
        }
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let first = inner.update(input.close) else { return .undefined }
        return single(outer.update(first))
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&inner)
        try coder.code(&outer)
    }
}

/// Kaufman's adaptive moving average (efficiency ratio over `period`, fast 2, slow 30), with
/// TA-Lib's seeding and its signed efficiency test.
public struct KAMA: Indicator {
    public let period: Int
    private var window: RingBuffer
    private var sumROC = 0.0
    private var value = 0.0
    private var seen = 0
    private static let constMax = 2.0 / (30.0 + 1.0)
    private static let constDiff = 2.0 / (2.0 + 1.0) - constMax

    public init(period: Int) {
        self.period = period
        window = RingBuffer(capacity: period + 1)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period == 1 ? 0 : period }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let x = input.close
        if period == 1 { return single(x) }
        let previous = window.count > 0 ? window[back: 0] : 0
        let leaving = window.isFull ? window.oldest : 0  // in[t − period − 1]
        window.push(x)
        seen += 1
        if seen <= period {
            if seen > 1 { sumROC += abs(previous - x) }
            return .undefined
        }
        let trailing = window.oldest  // in[t − period]
        let periodROC = x - trailing
        if seen == period + 1 {
            sumROC += abs(previous - x)
            value = previous
        } else {
            seen = period + 2
            sumROC -= abs(leaving - trailing)
            sumROC += abs(x - previous)
        }
        var ratio = sumROC <= periodROC || isZero(sumROC) ? 1.0 : abs(periodROC / sumROC)
        ratio = ratio * Self.constDiff + Self.constMax
        ratio *= ratio
        value = (x - value) * ratio + value
        return single(value)
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&window)
        try coder.code(&sumROC)
        try coder.code(&value)
        try coder.code(&seen)
    }
}

/// Tillson's T3: six chained EMAs combined with the volume factor's coefficients.
public struct T3: Indicator {
    public let period: Int
    public let volumeFactor: Double
    private var stages: [EMAState]

    public init(period: Int, volumeFactor: Double) {
        self.period = period
        self.volumeFactor = volumeFactor
        stages = (0..<6).map { _ in EMAState(period: period) }
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 6 * (period - 1) }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let e1 = stages[0].update(input.close), let e2 = stages[1].update(e1), let e3 = stages[2].update(e2),
              let e4 = stages[3].update(e3), let e5 = stages[4].update(e4), let e6 = stages[5].update(e5)
        else { return .undefined }
        let a = volumeFactor
        let square = a * a
        let c1 = -square * a
        let c2 = 3.0 * (square - c1)
        let c3 = -6.0 * square - 3.0 * (a - c1)
        let c4 = 1.0 + 3.0 * a - c1 + 3.0 * square
        return single(c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3)
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&stages) }
}

/// The middle of the highest and lowest close over `period`.
public struct MidPoint: Indicator {
    private var extremes: WindowExtremes
    public init(period: Int) { extremes = WindowExtremes(period: period) }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { extremes.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        extremes.update(high: input.close, low: input.close)
        return extremes.isFull ? single((extremes.highest + extremes.lowest) / 2.0) : .undefined
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&extremes) }
}

/// The middle of the highest high and lowest low over `period`.
public struct MidPrice: Indicator {
    private var extremes: WindowExtremes
    public init(period: Int) { extremes = WindowExtremes(period: period) }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { extremes.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        extremes.update(high: input.high, low: input.low)
        return extremes.isFull ? single((extremes.highest + extremes.lowest) / 2.0) : .undefined
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&extremes) }
}

/// Bollinger bands: SMA ± deviations × population standard deviation.
public struct BollingerBands: Indicator {
    public let up: Double
    public let down: Double
    private var moments: RollingMoments
    private var mean: SMAState

    public init(period: Int, up: Double, down: Double) {
        self.up = up
        self.down = down
        moments = RollingMoments(period: period)
        mean = SMAState(period: period)
    }
    public var outputNames: [String] { ["upper", "middle", "lower"] }
    public var lookback: Int { mean.period - 1 }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let variance = moments.variance(adding: input.close)
        guard let middle = mean.update(input.close), let variance else { return .undefined }
        let deviation = isZeroOrNegative(variance) ? 0 : variance.squareRoot()
        return several(middle + up * deviation, middle, middle - down * deviation)
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&moments)
        try coder.code(&mean)
    }
}

/// Hull moving average: `WMA(2 × WMA(n/2) − WMA(n), √n)`.
public struct HMA: Indicator {
    public let period: Int
    private var half: WMAState
    private var full: WMAState
    private var smooth: WMAState

    public init(period: Int) {
        self.period = period
        half = WMAState(period: max(period / 2, 1))
        full = WMAState(period: period)
        smooth = WMAState(period: max(Int(Double(period).squareRoot()), 1))
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period - 1 + smooth.period - 1 }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let short = half.update(input.close)
        guard let long = full.update(input.close), let short else { return .undefined }
        return single(smooth.update(2.0 * short - long))
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&half)
        try coder.code(&full)
        try coder.code(&smooth)
    }
}

/// Volume-weighted moving average: Σ close × volume / Σ volume over `period`.
public struct VWMA: Indicator {
    private var weighted: SMAState
    private var volume: SMAState
    public init(period: Int) {
        weighted = SMAState(period: period)
        volume = SMAState(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { weighted.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let numerator = weighted.update(input.close * input.volume)
        guard let denominator = volume.update(input.volume), let numerator else { return .undefined }
        return single(denominator != 0 ? numerator / denominator : .nan)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&weighted)
        try coder.code(&volume)
    }
}

/// Zero-lag EMA: an EMA of `2 × x − x[lag]`, lag = (period − 1) / 2.
public struct ZLEMA: Indicator {
    public let period: Int
    private var delay: Lag
    private var ema: EMAState

    public init(period: Int) {
        self.period = period
        delay = Lag((period - 1) / 2)
        ema = EMAState(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { (period - 1) / 2 + period - 1 }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let lagged = delay.update(input.close) else { return .undefined }
        return single(ema.update(2.0 * input.close - lagged))
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&delay)
        try coder.code(&ema)
    }
}

/// Donchian channel: the highest high, the lowest low and their middle over `period`.
public struct Donchian: Indicator {
    private var extremes: WindowExtremes
    public init(period: Int) { extremes = WindowExtremes(period: period) }
    public var outputNames: [String] { ["upper", "middle", "lower"] }
    public var lookback: Int { extremes.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        extremes.update(high: input.high, low: input.low)
        guard extremes.isFull else { return .undefined }
        return several(extremes.highest, (extremes.highest + extremes.lowest) / 2.0, extremes.lowest)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&extremes) }
}

/// Acceleration bands: SMAs of the high and low widened by `4 × (high − low) / (high + low)`,
/// around the SMA of the close.
public struct AccelerationBands: Indicator {
    private var upper: SMAState
    private var middle: SMAState
    private var lower: SMAState
    public init(period: Int) {
        upper = SMAState(period: period)
        middle = SMAState(period: period)
        lower = SMAState(period: period)
    }
    public var outputNames: [String] { ["upper", "middle", "lower"] }
    public var lookback: Int { middle.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let sum = input.high + input.low
        let factor = sum != 0 ? 4.0 * (input.high - input.low) / sum : 0
        let up = upper.update(input.high * (1.0 + factor))
        let mid = middle.update(input.close)
        let down = lower.update(input.low * (1.0 - factor))
        guard let up, let mid, let down else { return .undefined }
        return several(up, mid, down)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&upper)
        try coder.code(&middle)
        try coder.code(&lower)
    }
}
