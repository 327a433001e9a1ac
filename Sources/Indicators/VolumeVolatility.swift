public import TapeCore

// Volume studies, volatility studies and price transforms.

/// The accumulation/distribution line: Σ volume × ((close − low) − (high − close)) / (high − low).
public struct AccumulationDistribution: Indicator {
    private var total = 0.0
    public init() {}
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 0 }
    mutating func next(_ input: IndicatorInput) -> Double {
        let range = input.high - input.low
        if range > 0 { total += (((input.close - input.low) - (input.high - input.close)) / range) * input.volume }
        return total
    }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput { single(next(input)) }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&total) }
}

/// The Chaikin A/D oscillator: fast EMA − slow EMA of the A/D line.
public struct ChaikinOscillator: Indicator {
    private var line = AccumulationDistribution()
    private var fast: EMAState
    private var slow: EMAState
    private var seen = 0
    public init(fast: Int, slow: Int) {
        self.fast = EMAState(period: fast)
        self.slow = EMAState(period: slow)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { max(fast.period, slow.period) - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let value = line.next(input)
        // TA-Lib runs both EMAs from the first bar (its own Metastock-style seeding for ADOSC):
        // each starts at the first A/D value.
        seen += 1
        if seen == 1 { fastValue = value; slowValue = value } else {
            fastValue = (value - fastValue) * fast.k + fastValue
            slowValue = (value - slowValue) * slow.k + slowValue
        }
        guard seen > lookback else { return .undefined }
        seen = lookback + 1
        return single(fastValue - slowValue)
    }
    private var fastValue = 0.0
    private var slowValue = 0.0
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&line)
        try coder.code(&seen)
        try coder.code(&fastValue)
        try coder.code(&slowValue)
    }
}

/// On-balance volume: volume added on up closes, subtracted on down closes, from the first volume.
public struct OnBalanceVolume: Indicator {
    private var total = 0.0
    private var previous = 0.0
    private var started = false
    public init() {}
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 0 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        if !started {
            started = true
            total = input.volume
        } else if input.close > previous {
            total += input.volume
        } else if input.close < previous {
            total -= input.volume
        }
        previous = input.close
        return single(total)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&total)
        try coder.code(&previous)
        try coder.code(&started)
    }
}

/// The average true range (Wilder), seeded with the mean of the first `period` true ranges.
public struct ATR: Indicator {
    public let period: Int
    public let normalized: Bool
    private var smoothing: WilderState
    private var previousClose = 0.0
    private var seen = 0

    public init(period: Int, normalized: Bool = false) {
        self.period = period
        self.normalized = normalized
        smoothing = WilderState(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period }

    mutating func next(_ input: IndicatorInput) -> Double? {
        seen += 1
        defer { previousClose = input.close }
        guard seen > 1 else { return nil }
        seen = 2
        return smoothing.update(trueRange(high: input.high, low: input.low, previousClose: previousClose))
    }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let atr = next(input) else { return .undefined }
        guard normalized else { return single(atr) }
        return single(input.close != 0 ? (atr / input.close) * 100.0 : 0)
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&smoothing)
        try coder.code(&previousClose)
        try coder.code(&seen)
    }
}

/// The true range of each bar.
public struct TrueRange: Indicator {
    private var previousClose = 0.0
    private var started = false
    public init() {}
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        defer {
            previousClose = input.close
            started = true
        }
        guard started else { return .undefined }
        return single(trueRange(high: input.high, low: input.low, previousClose: previousClose))
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&previousClose)
        try coder.code(&started)
    }
}

/// Price transforms: averages of a bar's prices.
public struct PriceTransform: Indicator {
    public enum Form: Sendable { case average, median, typical, weightedClose }
    public let form: Form
    public init(_ form: Form) { self.form = form }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 0 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        switch form {
        case .average: single((input.open + input.high + input.low + input.close) / 4)
        case .median: single((input.high + input.low) / 2.0)
        case .typical: single((input.high + input.low + input.close) / 3.0)
        case .weightedClose: single((input.high + input.low + input.close * 2.0) / 4.0)
        }
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {}
}

/// Keltner channel: EMA of the typical price ± multiplier × ATR, each leg started at its own
/// lookback so both first produce on the same bar (as TA-Lib aligns them).
public struct Keltner: Indicator {
    public let multiplier: Double
    private var middle: EMAState
    private var atr: ATR
    private var seen = 0

    public init(period: Int, atrPeriod: Int, multiplier: Double) {
        self.multiplier = multiplier
        middle = EMAState(period: period)
        atr = ATR(period: atrPeriod)
    }
    public var outputNames: [String] { ["upper", "middle", "lower"] }
    public var lookback: Int { max(middle.period - 1, atr.lookback) }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        seen += 1
        let emaStart = lookback - (middle.period - 1)
        let atrStart = lookback - atr.lookback
        let center = seen > emaStart ? middle.update((input.high + input.low + input.close) / 3.0) : nil
        let range = seen > atrStart ? atr.next(input) : nil
        if seen > lookback { seen = lookback + 1 }
        guard let center, let range else { return .undefined }
        let band = range * multiplier
        return several(center + band, center, center - band)
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&middle)
        try coder.code(&atr)
        try coder.code(&seen)
    }
}

/// SuperTrend: bands at the median price ± multiplier × ATR that ratchet toward price; the
/// line is the lower band in an uptrend, the upper in a downtrend (TA-Lib's seeding: long).
public struct SuperTrend: Indicator {
    public let multiplier: Double
    private var atr: ATR
    private var upper = 0.0
    private var lower = 0.0
    private var uptrend = true
    private var previousClose = 0.0
    private var started = false

    public init(period: Int, multiplier: Double) {
        self.multiplier = multiplier
        atr = ATR(period: period)
    }
    public var outputNames: [String] { ["value", "trend"] }
    public var lookback: Int { atr.lookback }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let range = atr.next(input) else { return .undefined }
        let median = (input.high + input.low) / 2.0
        let band = multiplier * range
        let basicUpper = median + band
        let basicLower = median - band
        defer { previousClose = input.close }
        guard started else {
            started = true
            upper = basicUpper
            lower = basicLower
            uptrend = true
            return several(lower, 1)
        }
        if basicUpper < upper || previousClose > upper { upper = basicUpper }
        if basicLower > lower || previousClose < lower { lower = basicLower }
        if uptrend {
            if input.close < lower { uptrend = false }
        } else if input.close > upper {
            uptrend = true
        }
        return uptrend ? several(lower, 1) : several(upper, -1)
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&atr)
        try coder.code(&upper)
        try coder.code(&lower)
        try coder.code(&uptrend)
        try coder.code(&previousClose)
        try coder.code(&started)
    }
}

/// Wilder's parabolic SAR with TA-Lib's start: the first bar is consumed, the direction of the
/// second is the larger directional movement between them (long on a tie).
public struct ParabolicSAR: Indicator {
    public let acceleration: Double
    public let maximum: Double
    private var seen = 0
    private var isLong = true
    private var sar = 0.0
    private var extreme = 0.0
    private var factor = 0.0
    private var newHigh = 0.0
    private var newLow = 0.0

    public init(acceleration: Double, maximum: Double) {
        self.acceleration = min(acceleration, maximum)
        self.maximum = maximum
        factor = self.acceleration
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 1 }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        seen += 1
        if seen == 1 {
            newHigh = input.high
            newLow = input.low
            return .undefined
        }
        if seen == 2 {
            let diffM = newLow - input.low
            let diffP = input.high - newHigh
            isLong = !(diffM > 0 && diffP < diffM)
            if isLong {
                extreme = input.high
                sar = newLow
            } else {
                extreme = input.low
                sar = newHigh
            }
            newLow = input.low
            newHigh = input.high
        }
        seen = 3
        let previousLow = newLow
        let previousHigh = newHigh
        newLow = input.low
        newHigh = input.high
        let output: Double
        if isLong {
            if newLow <= sar {
                isLong = false
                sar = max(extreme, previousHigh, newHigh)
                output = sar
                factor = acceleration
                extreme = newLow
                sar = max(sar + factor * (extreme - sar), previousHigh, newHigh)
            } else {
                output = sar
                if newHigh > extreme {
                    extreme = newHigh
                    factor = min(factor + acceleration, maximum)
                }
                sar = min(sar + factor * (extreme - sar), previousLow, newLow)
            }
        } else if newHigh >= sar {
            isLong = true
            sar = min(extreme, previousLow, newLow)
            output = sar
            factor = acceleration
            extreme = newHigh
            sar = min(sar + factor * (extreme - sar), previousLow, newLow)
        } else {
            output = sar
            if newLow < extreme {
                extreme = newLow
                factor = min(factor + acceleration, maximum)
            }
            sar = max(sar + factor * (extreme - sar), previousHigh, newHigh)
        }
        return single(output)
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&seen)
        try coder.code(&isLong)
        try coder.code(&sar)
        try coder.code(&extreme)
        try coder.code(&factor)
        try coder.code(&newHigh)
        try coder.code(&newLow)
    }
}
