public import TapeCore

// Oscillators, volume and volatility studies added to TA-Lib in its 0.8 series.

/// The true strength index: `100 × EMA(EMA(Δclose)) / EMA(EMA(|Δclose|))`.
public struct TSI: Indicator {
    private var numerator1: EMAState
    private var numerator2: EMAState
    private var denominator1: EMAState
    private var denominator2: EMAState
    private var previous = 0.0
    private var started = false

    public init(first: Int, second: Int) {
        numerator1 = EMAState(period: first)
        numerator2 = EMAState(period: second)
        denominator1 = EMAState(period: first)
        denominator2 = EMAState(period: second)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { numerator1.period + numerator2.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        defer {
            previous = input.close
            started = true
        }
        guard started else { return .undefined }
        let change = input.close - previous
        let top = numerator1.update(change).flatMap { numerator2.update($0) }
        let bottom = denominator1.update(abs(change)).flatMap { denominator2.update($0) }
        guard let top, let bottom else { return .undefined }
        return single(isZero(bottom) ? 0 : 100.0 * (top / bottom))
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&numerator1)
        try coder.code(&numerator2)
        try coder.code(&denominator1)
        try coder.code(&denominator2)
        try coder.code(&previous)
        try coder.code(&started)
    }
}

/// A sum over a window kept TA-Lib's way (add, read, subtract the leaving value).
struct WindowSum: StateCodable, Sendable, Equatable {
    private var window: RingBuffer
    private var partial = 0.0
    private var seen = 0
    init(period: Int) { window = RingBuffer(capacity: period) }
    var period: Int { window.capacity }
    mutating func update(_ x: Double) -> Double? {
        window.push(x)
        seen += 1
        if seen < period {
            partial += x
            return nil
        }
        seen = period
        let total = partial + x
        partial = total - window.oldest
        return total
    }
    mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&window)
        try coder.code(&partial)
        try coder.code(&seen)
    }
}

/// The vortex indicator: Σ|high − previous low| and Σ|low − previous high| over Σ true range.
public struct Vortex: Indicator {
    private var plus: WindowSum
    private var minus: WindowSum
    private var ranges: WindowSum
    private var previousHigh = 0.0
    private var previousLow = 0.0
    private var previousClose = 0.0
    private var started = false

    public init(period: Int) {
        plus = WindowSum(period: period)
        minus = WindowSum(period: period)
        ranges = WindowSum(period: period)
    }
    public var outputNames: [String] { ["plus", "minus"] }
    public var lookback: Int { plus.period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        defer {
            previousHigh = input.high
            previousLow = input.low
            previousClose = input.close
            started = true
        }
        guard started else { return .undefined }
        let up = plus.update(abs(input.high - previousLow))
        let down = minus.update(abs(input.low - previousHigh))
        let range = ranges.update(trueRange(high: input.high, low: input.low, previousClose: previousClose))
        guard let up, let down, let range else { return .undefined }
        return isZero(range) ? several(0, 0) : several(up / range, down / range)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&plus)
        try coder.code(&minus)
        try coder.code(&ranges)
        try coder.code(&previousHigh)
        try coder.code(&previousLow)
        try coder.code(&previousClose)
        try coder.code(&started)
    }
}

/// The detrended price oscillator: the close against the SMA of `period` centred on it, read
/// without looking ahead: `close[t − shift] − SMA[t]`, shift = period / 2 + 1.
public struct DPO: Indicator {
    public let period: Int
    private var mean: SMAState
    private var delay: Lag
    public init(period: Int) {
        self.period = period
        mean = SMAState(period: period)
        delay = Lag(period / 2 + 1)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let shifted = delay.update(input.close)
        guard let average = mean.update(input.close), let shifted else { return .undefined }
        return single(shifted - average)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&mean)
        try coder.code(&delay)
    }
}

/// The Coppock curve: a WMA of the sum of two percent rates of change.
public struct Coppock: Indicator {
    private var first: RateOfChange
    private var second: RateOfChange
    private var smooth: WMAState
    public init(wma: Int, roc1: Int, roc2: Int) {
        first = RateOfChange(period: roc1, form: .percent)
        second = RateOfChange(period: roc2, form: .percent)
        smooth = WMAState(period: wma)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { max(first.period, second.period) + smooth.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let a = first.update(input).first
        let b = second.update(input).first
        guard !a.isNaN, !b.isNaN else { return .undefined }
        return single(smooth.update(a + b))
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&first)
        try coder.code(&second)
        try coder.code(&smooth)
    }
}

/// The awesome oscillator (SMA 5 − SMA 34 of the median price) and the accelerator
/// (AO − SMA 5 of the AO).
public struct Awesome: Indicator {
    public let accelerator: Bool
    private var fast: SMAState
    private var slow: SMAState
    private var signal: SMAState
    public init(fast: Int, slow: Int, signal: Int? = nil) {
        self.fast = SMAState(period: fast)
        self.slow = SMAState(period: slow)
        self.signal = SMAState(period: signal ?? 1)
        accelerator = signal != nil
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { max(fast.period, slow.period) - 1 + (accelerator ? signal.period - 1 : 0) }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let median = (input.high + input.low) / 2.0
        let short = fast.update(median)
        guard let long = slow.update(median), let short else { return .undefined }
        let ao = short - long
        guard accelerator else { return single(ao) }
        guard let average = signal.update(ao) else { return .undefined }
        return single(ao - average)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&fast)
        try coder.code(&slow)
        try coder.code(&signal)
    }
}

/// Kaufman's efficiency ratio (`|Δ over period| / Σ|Δ|`) and the vertical horizontal filter
/// (`(highest − lowest close) / Σ|Δ|`).
public struct EfficiencyRatio: Indicator {
    public let vertical: Bool
    private var changes: WindowSum
    private var lag: Lag
    private var extremes: WindowExtremes
    private var previous = 0.0
    private var started = false

    public init(period: Int, vertical: Bool) {
        self.vertical = vertical
        changes = WindowSum(period: period)
        lag = Lag(period)
        extremes = WindowExtremes(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { changes.period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let x = input.close
        defer {
            previous = x
            started = true
        }
        let old = lag.update(x)
        extremes.update(high: x, low: x)
        guard started else { return .undefined }
        guard let path = changes.update(abs(x - previous)), let old else { return .undefined }
        guard !isZero(path) else { return single(0) }
        return single(vertical ? (extremes.highest - extremes.lowest) / path : abs(x - old) / path)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&changes)
        try coder.code(&lag)
        try coder.code(&extremes)
        try coder.code(&previous)
        try coder.code(&started)
    }
}

/// The intraday momentum index (`100 × Σ up bodies / Σ bodies`) and Qstick (the SMA of bodies).
public struct BodyMomentum: Indicator {
    public let qstick: Bool
    private var gains: WindowSum
    private var losses: WindowSum
    private var bodies: SMAState
    public init(period: Int, qstick: Bool) {
        self.qstick = qstick
        gains = WindowSum(period: period)
        losses = WindowSum(period: period)
        bodies = SMAState(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { gains.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let body = input.close - input.open
        if qstick { return single(bodies.update(body)) }
        let up = gains.update(body > 0 ? body : 0)
        guard let down = losses.update(body < 0 ? -body : 0), let up else { return .undefined }
        let total = up + down
        return single(isZero(total) ? 0 : 100.0 * (up / total))
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&gains)
        try coder.code(&losses)
        try coder.code(&bodies)
    }
}

/// Elder ray: bull power `high − EMA(close)` and bear power `low − EMA(close)`.
public struct ElderRay: Indicator {
    private var ema: EMAState
    public init(period: Int) { ema = EMAState(period: period) }
    public var outputNames: [String] { ["bull", "bear"] }
    public var lookback: Int { ema.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let average = ema.update(input.close) else { return .undefined }
        return several(input.high - average, input.low - average)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&ema) }
}

/// Chaikin money flow: Σ money-flow volume / Σ volume over `period`.
public struct ChaikinMoneyFlow: Indicator {
    private var flow: WindowSum
    private var volume: WindowSum
    public init(period: Int) {
        flow = WindowSum(period: period)
        volume = WindowSum(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { flow.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let range = input.high - input.low
        let multiplier = range > 0 ? ((input.close - input.low) - (input.high - input.close)) / range : 0
        let money = flow.update(multiplier * input.volume)
        guard let total = volume.update(input.volume), let money else { return .undefined }
        return single(isZero(total) ? 0 : money / total)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&flow)
        try coder.code(&volume)
    }
}

/// Elder's force index: an EMA of `Δclose × volume`.
public struct ForceIndex: Indicator {
    private var ema: EMAState
    private var previous = 0.0
    private var started = false
    public init(period: Int) { ema = EMAState(period: period) }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { ema.period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        defer {
            previous = input.close
            started = true
        }
        guard started else { return .undefined }
        return single(ema.update((input.close - previous) * input.volume))
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&ema)
        try coder.code(&previous)
        try coder.code(&started)
    }
}

/// Cumulative volume studies: the negative and positive volume indices (from 1000) and price–volume trend.
public struct VolumeIndex: Indicator {
    public enum Form: Sendable { case negative, positive, trend }
    public let form: Form
    private var value = 0.0
    private var previousClose = 0.0
    private var previousVolume = 0.0
    private var started = false
    public init(_ form: Form) { self.form = form }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 0 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        defer {
            previousClose = input.close
            previousVolume = input.volume
            started = true
        }
        guard started else {
            value = form == .trend ? 0 : 1000
            return single(value)
        }
        let change = previousClose != 0 ? (input.close - previousClose) / previousClose : 0
        switch form {
        case .negative: if input.volume < previousVolume { value += value * change }
        case .positive: if input.volume > previousVolume { value += value * change }
        case .trend: value += change * input.volume
        }
        return single(value)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&value)
        try coder.code(&previousClose)
        try coder.code(&previousVolume)
        try coder.code(&started)
    }
}

/// The volume-weighted average price of everything seen (typical price × volume / volume).
public struct CumulativeVWAP: Indicator {
    private var weighted = 0.0
    private var volume = 0.0
    public init() {}
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 0 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        weighted += (input.high + input.low + input.close) / 3.0 * input.volume
        volume += input.volume
        return single(isZero(volume) ? .nan : weighted / volume)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&weighted)
        try coder.code(&volume)
    }
}

/// The market facilitation index: `(high − low) / volume`.
public struct MarketFacilitation: Indicator {
    public init() {}
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 0 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        single(isZero(input.volume) ? 0 : (input.high - input.low) / input.volume)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {}
}

/// The percentage volume oscillator: `100 × (EMA fast − EMA slow) / EMA slow` of volume, each
/// EMA from the first bar.
public struct PVO: Indicator {
    private var fast: EMAState
    private var slow: EMAState
    public init(fast: Int, slow: Int) {
        self.fast = EMAState(period: fast)
        self.slow = EMAState(period: slow)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { max(fast.period, slow.period) - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let short = fast.update(input.volume)
        guard let long = slow.update(input.volume), let short else { return .undefined }
        return single(isZero(long) ? 0 : 100.0 * (short - long) / long)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&fast)
        try coder.code(&slow)
    }
}

/// Relative volume: the volume over the mean volume of the `period` bars before it.
public struct RelativeVolume: Indicator {
    private var mean: SMAState
    private var previousMean = Double.nan
    public init(period: Int) { mean = SMAState(period: period) }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { mean.period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let before = previousMean
        previousMean = mean.update(input.volume) ?? .nan
        guard !before.isNaN else { return .undefined }
        return single(isZero(before) ? 0 : input.volume / before)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&mean)
        try coder.code(&previousMean)
    }
}

/// Chande's momentum oscillator unsmoothed: plain sums of gains and losses over `period`.
public struct CMOUnsmoothed: Indicator {
    private var gains: WindowSum
    private var losses: WindowSum
    private var previous = 0.0
    private var started = false
    public init(period: Int) {
        gains = WindowSum(period: period)
        losses = WindowSum(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { gains.period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        defer {
            previous = input.close
            started = true
        }
        guard started else { return .undefined }
        let change = input.close - previous
        let up = gains.update(change > 0 ? change : 0)
        guard let down = losses.update(change < 0 ? -change : 0), let up else { return .undefined }
        let total = up + down
        return single(isZero(total) ? 0 : 100.0 * ((up - down) / total))
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&gains)
        try coder.code(&losses)
        try coder.code(&previous)
        try coder.code(&started)
    }
}

/// Dorsey's relative volatility index: the RSI form over the standard deviation of the close
/// on up and down bars, each side smoothed with Wilder's average.
public struct RelativeVolatility: Indicator {
    private var deviation: WindowVariance
    private var up: WilderState
    private var down: WilderState
    private var previous = 0.0
    private var started = false
    public init(period: Int, stddev: Int) {
        deviation = WindowVariance(period: stddev)
        up = WilderState(period: period)
        down = WilderState(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { deviation.period - 1 + up.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let change = started ? input.close - previous : 0
        previous = input.close
        started = true
        guard let variance = deviation.update(input.close) else { return .undefined }
        let spread = isZeroOrNegative(variance) ? 0 : variance.squareRoot()
        let rising = up.update(change > 0 ? spread : 0)
        guard let falling = down.update(change < 0 ? spread : 0), let rising else { return .undefined }
        let total = rising + falling
        return single(isZero(total) ? 0 : 100.0 * rising / total)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&deviation)
        try coder.code(&up)
        try coder.code(&down)
        try coder.code(&previous)
        try coder.code(&started)
    }
}

/// The mass index: Σ over `slow` bars of EMA(range) / EMA(EMA(range)), EMAs of `fast`.
public struct MassIndex: Indicator {
    private var single1: EMAState
    private var double1: EMAState
    private var sum: WindowSum
    public init(fast: Int, slow: Int) {
        single1 = EMAState(period: fast)
        double1 = EMAState(period: fast)
        sum = WindowSum(period: slow)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 2 * (single1.period - 1) + sum.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let first = single1.update(input.high - input.low), let second = double1.update(first) else { return .undefined }
        return single(sum.update(isZero(second) ? 0 : first / second))
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&single1)
        try coder.code(&double1)
        try coder.code(&sum)
    }
}

/// Chaikin volatility: the percent change over `roc` bars of an EMA of the bar range.
public struct ChaikinVolatility: Indicator {
    private var ema: EMAState
    private var lag: Lag
    private let roc: Int
    public init(period: Int, roc: Int) {
        ema = EMAState(period: period)
        lag = Lag(roc)
        self.roc = roc
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { ema.period - 1 + roc }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let average = ema.update(input.high - input.low), let old = lag.update(average) else { return .undefined }
        return single(isZero(old) ? 0 : (average - old) / old * 100.0)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&ema)
        try coder.code(&lag)
    }
}

/// The average daily range: the SMA of high − low.
public struct AverageRange: Indicator {
    private var mean: SMAState
    public init(period: Int) { mean = SMAState(period: period) }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { mean.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput { single(mean.update(input.high - input.low)) }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&mean) }
}

/// Heikin-Ashi candles: close = mean of the bar's four prices, open = mean of the previous
/// Heikin-Ashi open and close (the first: mean of the bar's open and close).
public struct HeikinAshi: Indicator {
    private var open = 0.0
    private var close = 0.0
    private var started = false
    public init() {}
    public var outputNames: [String] { ["open", "high", "low", "close"] }
    public var lookback: Int { 0 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let newClose = (input.open + input.high + input.low + input.close) / 4.0
        let newOpen = started ? (open + close) / 2.0 : (input.open + input.close) / 2.0
        started = true
        open = newOpen
        close = newClose
        return several(newOpen, max(input.high, newOpen, newClose), min(input.low, newOpen, newClose), newClose)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&open)
        try coder.code(&close)
        try coder.code(&started)
    }
}
