public import TapeCore

// Momentum and trend-strength oscillators.

/// Wilder's directional movement system as TA-Lib computes it: +DM, −DM and the true range
/// summed over the first `period − 1` bars, then smoothed as `x − x/period + new`.
struct DirectionalMovement: StateCodable, Sendable, Equatable {
    let period: Int
    private var previousHigh = 0.0
    private var previousLow = 0.0
    private var previousClose = 0.0
    /// Bars seen.
    private(set) var seen = 0
    private(set) var plusDM = 0.0
    private(set) var minusDM = 0.0
    private(set) var trueRangeSum = 0.0

    init(period: Int) { self.period = period }

    /// Feeds a bar; returns whether the smoothed values are defined (from bar `period − 1` on
    /// for the DM, bar `period` on when the true range is needed too).
    mutating func update(high: Double, low: Double, close: Double) {
        seen += 1
        defer {
            previousHigh = high
            previousLow = low
            previousClose = close
        }
        guard seen > 1 else { return }
        let diffP = high - previousHigh
        let diffM = previousLow - low
        var plus = 0.0
        var minus = 0.0
        if diffM > 0 && diffP < diffM {
            minus = diffM
        } else if diffP > 0 && diffP > diffM {
            plus = diffP
        }
        let range = trueRange(high: high, low: low, previousClose: previousClose)
        if seen <= period {
            plusDM += plus
            minusDM += minus
            trueRangeSum += range
        } else {
            seen = period + 1
            let divisor = Double(period)
            plusDM = plusDM - plusDM / divisor + plus
            minusDM = minusDM - minusDM / divisor + minus
            trueRangeSum = trueRangeSum - trueRangeSum / divisor + range
        }
    }

    /// Whether +DM/−DM are defined (TA-Lib's PLUS_DM: from bar `period − 1`).
    var hasDM: Bool { seen >= period }
    /// Whether the DI are defined (from bar `period`).
    var hasDI: Bool { seen > period }

    var plusDI: Double { isZero(trueRangeSum) ? 0 : 100.0 * (plusDM / trueRangeSum) }
    var minusDI: Double { isZero(trueRangeSum) ? 0 : 100.0 * (minusDM / trueRangeSum) }

    /// The DX of the current DI, nil when undefined (TA-Lib then keeps the previous value).
    var dx: Double? {
        guard !isZero(trueRangeSum) else { return nil }
        let minus = 100.0 * (minusDM / trueRangeSum)
        let plus = 100.0 * (plusDM / trueRangeSum)
        let sum = minus + plus
        return isZero(sum) ? nil : 100.0 * (abs(minus - plus) / sum)
    }

    mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&previousHigh)
        try coder.code(&previousLow)
        try coder.code(&previousClose)
        try coder.code(&seen)
        try coder.code(&plusDM)
        try coder.code(&minusDM)
        try coder.code(&trueRangeSum)
    }
}

/// +DM or −DM smoothed over `period`.
public struct DirectionalMovementIndicator: Indicator {
    public let plus: Bool
    private var movement: DirectionalMovement
    public init(period: Int, plus: Bool) {
        self.plus = plus
        movement = DirectionalMovement(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { movement.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        if movement.period == 1 {
            movement.update(high: input.high, low: input.low, close: input.close)
            return .undefined
        }
        movement.update(high: input.high, low: input.low, close: input.close)
        guard movement.hasDM else { return .undefined }
        return single(plus ? movement.plusDM : movement.minusDM)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&movement) }
}

/// +DI or −DI over `period`.
public struct DirectionalIndicator: Indicator {
    public let plus: Bool
    private var movement: DirectionalMovement
    public init(period: Int, plus: Bool) {
        self.plus = plus
        movement = DirectionalMovement(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { movement.period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        movement.update(high: input.high, low: input.low, close: input.close)
        guard movement.hasDI else { return .undefined }
        return single(plus ? movement.plusDI : movement.minusDI)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&movement) }
}

/// The directional movement index, `100 × |+DI − −DI| / (+DI + −DI)`.
public struct DX: Indicator {
    private var movement: DirectionalMovement
    private var last = 0.0
    public init(period: Int) { movement = DirectionalMovement(period: period) }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { movement.period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        movement.update(high: input.high, low: input.low, close: input.close)
        guard movement.hasDI else { return .undefined }
        if let dx = movement.dx { last = dx }
        return single(last)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&movement)
        try coder.code(&last)
    }
}

/// The average directional index: Wilder's average of the DX, seeded with the mean of the
/// first `period` DX values.
public struct ADX: Indicator {
    public let period: Int
    private var movement: DirectionalMovement
    private var sumDX = 0.0
    private var count = 0
    private var value = 0.0

    public init(period: Int) {
        self.period = period
        movement = DirectionalMovement(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 2 * period - 1 }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        movement.update(high: input.high, low: input.low, close: input.close)
        guard movement.hasDI else { return .undefined }
        let dx = movement.dx
        if count < period {
            count += 1
            if let dx { sumDX += dx }
            guard count == period else { return .undefined }
            value = sumDX / Double(period)
            return single(value)
        }
        if let dx { value = (value * Double(period - 1) + dx) / Double(period) }
        return single(value)
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&movement)
        try coder.code(&sumDX)
        try coder.code(&count)
        try coder.code(&value)
    }
}

/// The ADX rating: the mean of the ADX and the ADX `period − 1` bars back.
public struct ADXR: Indicator {
    private var adx: ADX
    private var history: Lag
    public init(period: Int) {
        adx = ADX(period: period)
        history = Lag(period - 1)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { adx.lookback + adx.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let value = adx.update(input).first
        guard !value.isNaN, let old = history.update(value) else { return .undefined }
        return single((value + old) / 2.0)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&adx)
        try coder.code(&history)
    }
}

/// The relative strength index (Wilder), TA-Lib's seeding: means of the first `period` gains
/// and losses.
public struct RSI: Indicator {
    public let period: Int
    private var previous = 0.0
    private var gain = 0.0
    private var loss = 0.0
    private var seen = 0
    /// Whether this is the CMO's form, `100 × (gain − loss) / (gain + loss)`.
    let chande: Bool

    public init(period: Int) { self.init(period: period, chande: false) }

    init(period: Int, chande: Bool) {
        self.period = period
        self.chande = chande
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period }

    /// The next value, nil during the lookback.
    mutating func next(_ x: Double) -> Double? {
        seen += 1
        defer { previous = x }
        guard seen > 1 else { return nil }
        let change = x - previous
        if seen <= period + 1 {
            if change < 0 { loss -= change } else { gain += change }
            guard seen == period + 1 else { return nil }
            loss /= Double(period)
            gain /= Double(period)
        } else {
            seen = period + 2
            loss *= Double(period - 1)
            gain *= Double(period - 1)
            if change < 0 { loss -= change } else { gain += change }
            loss /= Double(period)
            gain /= Double(period)
        }
        let total = gain + loss
        guard !isZero(total) else { return 0 }
        return chande ? 100.0 * ((gain - loss) / total) : 100.0 * (gain / total)
    }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput { single(next(input.close)) }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&previous)
        try coder.code(&gain)
        try coder.code(&loss)
        try coder.code(&seen)
    }
}

/// Chande's momentum oscillator.
public struct CMO: Indicator {
    private var rsi: RSI
    public init(period: Int) { rsi = RSI(period: period, chande: true) }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { rsi.period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput { single(rsi.next(input.close)) }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&rsi) }
}

/// Momentum and rates of change against the close `period` bars back.
public struct RateOfChange: Indicator {
    public enum Form: Sendable { case momentum, percent, fraction, ratio, ratio100 }
    public let form: Form
    public let period: Int
    private var lag: Lag
    public init(period: Int, form: Form) {
        self.period = period
        self.form = form
        lag = Lag(period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let x = input.close
        guard let old = lag.update(x) else { return .undefined }
        switch form {
        case .momentum: return single(x - old)
        case .percent: return single(old != 0 ? (x / old - 1.0) * 100.0 : 0)
        case .fraction: return single(old != 0 ? (x - old) / old : 0)
        case .ratio: return single(old != 0 ? x / old : 0)
        case .ratio100: return single(old != 0 ? (x / old) * 100.0 : 0)
        }
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&lag) }
}

/// Williams %R: `(highest − close) / ((highest − lowest) / −100)` over `period`.
public struct WilliamsR: Indicator {
    private var extremes: WindowExtremes
    public init(period: Int) { extremes = WindowExtremes(period: period) }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { extremes.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        extremes.update(high: input.high, low: input.low)
        guard extremes.isFull else { return .undefined }
        let divisor = (extremes.highest - extremes.lowest) / -100.0
        return single(divisor != 0 ? (extremes.highest - input.close) / divisor : 0)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&extremes) }
}

/// The fast stochastic %K of a series: where the close sits in the range of `period` bars.
struct FastK: StateCodable, Sendable, Equatable {
    private var extremes: WindowExtremes
    init(period: Int) { extremes = WindowExtremes(period: period) }
    var period: Int { extremes.period }
    mutating func update(high: Double, low: Double, close: Double) -> Double? {
        extremes.update(high: high, low: low)
        guard extremes.isFull else { return nil }
        let divisor = (extremes.highest - extremes.lowest) / 100.0
        return divisor != 0 ? (close - extremes.lowest) / divisor : 0
    }
    mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&extremes) }
}

/// The fast stochastic: %K and its SMA %D.
public struct StochasticFast: Indicator {
    private var fastK: FastK
    private var fastD: SMAState
    public init(fastK: Int, fastD: Int) {
        self.fastK = FastK(period: fastK)
        self.fastD = SMAState(period: fastD)
    }
    public var outputNames: [String] { ["k", "d"] }
    public var lookback: Int { fastK.period - 1 + fastD.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let k = fastK.update(high: input.high, low: input.low, close: input.close), let d = fastD.update(k) else { return .undefined }
        return several(k, d)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&fastK)
        try coder.code(&fastD)
    }
}

/// The slow stochastic: %K smoothed by an SMA, and its SMA %D.
public struct Stochastic: Indicator {
    private var fastK: FastK
    private var slowK: SMAState
    private var slowD: SMAState
    public init(fastK: Int, slowK: Int, slowD: Int) {
        self.fastK = FastK(period: fastK)
        self.slowK = SMAState(period: slowK)
        self.slowD = SMAState(period: slowD)
    }
    public var outputNames: [String] { ["k", "d"] }
    public var lookback: Int { fastK.period - 1 + slowK.period - 1 + slowD.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let k = fastK.update(high: input.high, low: input.low, close: input.close),
              let smoothed = slowK.update(k), let d = slowD.update(smoothed) else { return .undefined }
        return several(smoothed, d)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&fastK)
        try coder.code(&slowK)
        try coder.code(&slowD)
    }
}

/// The stochastic of the RSI: a fast stochastic over RSI values.
public struct StochasticRSI: Indicator {
    private var rsi: RSI
    private var fastK: FastK
    private var fastD: SMAState
    public init(period: Int, fastK: Int, fastD: Int) {
        rsi = RSI(period: period)
        self.fastK = FastK(period: fastK)
        self.fastD = SMAState(period: fastD)
    }
    public var outputNames: [String] { ["k", "d"] }
    public var lookback: Int { rsi.period + fastK.period - 1 + fastD.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let value = rsi.next(input.close), let k = fastK.update(high: value, low: value, close: value), let d = fastD.update(k) else {
            return .undefined
        }
        return several(k, d)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&rsi)
        try coder.code(&fastK)
        try coder.code(&fastD)
    }
}

/// MACD in TA-Lib's lockstep form: the fast EMA's seed window ends on the slow one's, the
/// signal EMA is seeded with the mean of the first MACD values. With `fixed`, the classic
/// 12/26 constants 0.15 and 0.075.
public struct MACD: Indicator {
    public let fast: Int
    public let slow: Int
    public let signal: Int
    private let fastK: Double
    private let slowK: Double
    private let signalK: Double
    private var seen = 0
    private var fastValue = 0.0
    private var slowValue = 0.0
    private var signalValue = 0.0
    private var signalCount = 0

    public init(fast: Int, slow: Int, signal: Int) {
        (self.fast, self.slow) = fast <= slow ? (fast, slow) : (slow, fast)
        self.signal = signal
        fastK = 2.0 / Double(self.fast + 1)
        slowK = 2.0 / Double(self.slow + 1)
        signalK = 2.0 / Double(signal + 1)
    }

    /// TA-Lib's MACDFIX: 12/26 with the constants of the original algorithm.
    public init(fixedSignal signal: Int) {
        fast = 12
        slow = 26
        self.signal = signal
        fastK = 0.15
        slowK = 0.075
        signalK = 2.0 / Double(signal + 1)
    }

    public var outputNames: [String] { ["macd", "signal", "histogram"] }
    public var lookback: Int { slow - 1 + signal - 1 }

    /// The slow EMA after the last update.
    var slowAverage: Double { slowValue }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let x = input.close
        seen += 1
        let macd: Double
        if seen <= slow {
            slowValue += x
            if seen > slow - fast { fastValue += x }
            guard seen == slow else { return .undefined }
            slowValue /= Double(slow)
            fastValue /= Double(fast)
            macd = fastValue - slowValue
        } else {
            seen = slow + 1
            fastValue = (x - fastValue) * fastK + fastValue
            slowValue = (x - slowValue) * slowK + slowValue
            macd = fastValue - slowValue
        }
        if signalCount < signal {
            signalValue += macd
            signalCount += 1
            guard signalCount == signal else { return .undefined }
            signalValue /= Double(signal)
        } else {
            signalValue = (macd - signalValue) * signalK + signalValue
        }
        var output = IndicatorOutput()
        output.first = macd
        output.second = signalValue
        output.third = macd - signalValue
        return output
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&seen)
        try coder.code(&fastValue)
        try coder.code(&slowValue)
        try coder.code(&signalValue)
        try coder.code(&signalCount)
    }
}

/// The absolute and percentage price oscillators: fast SMA − slow SMA, and that over the slow SMA × 100.
public struct PriceOscillator: Indicator {
    public let percent: Bool
    private var fast: SMAState
    private var slow: SMAState
    public init(fast: Int, slow: Int, percent: Bool) {
        let (short, long) = fast <= slow ? (fast, slow) : (slow, fast)
        self.fast = SMAState(period: short)
        self.slow = SMAState(period: long)
        self.percent = percent
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { slow.period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let short = fast.update(input.close)
        guard let long = slow.update(input.close), let short else { return .undefined }
        guard percent else { return single(short - long) }
        return single(isZero(long) ? 0 : ((short - long) / long) * 100.0)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&fast)
        try coder.code(&slow)
    }
}

/// Aroon: how many bars since the highest high and the lowest low of `period + 1` bars, as
/// percentages; the newest wins ties.
public struct Aroon: Indicator {
    public let period: Int
    public let oscillator: Bool
    private var extremes: WindowExtremes
    public init(period: Int, oscillator: Bool) {
        self.period = period
        self.oscillator = oscillator
        extremes = WindowExtremes(period: period + 1)
    }
    public var outputNames: [String] { oscillator ? ["value"] : ["down", "up"] }
    public var lookback: Int { period }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        extremes.update(high: input.high, low: input.low)
        guard extremes.isFull else { return .undefined }
        let factor = 100.0 / Double(period)
        let up = factor * Double(period - extremes.highestAge)
        let down = factor * Double(period - extremes.lowestAge)
        return oscillator ? single(up - down) : several(down, up)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&extremes) }
}

/// Balance of power: `(close − open) / (high − low)`.
public struct BalanceOfPower: Indicator {
    public init() {}
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 0 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let range = input.high - input.low
        return single(isZeroOrNegative(range) ? 0 : (input.close - input.open) / range)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {}
}

/// The commodity channel index: `(tp − SMA(tp)) / (0.015 × mean deviation)`, tp = (h + l + c) / 3.
/// The mean deviation is a sum over the window (O(period) per update, as its definition asks).
public struct CCI: Indicator {
    public let period: Int
    private var window: RingBuffer
    public init(period: Int) {
        self.period = period
        window = RingBuffer(capacity: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period - 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let typical = (input.high + input.low + input.close) / 3
        window.push(typical)
        guard window.isFull else { return .undefined }
        var sum = 0.0
        for age in stride(from: period - 1, through: 0, by: -1) { sum += window[back: age] }
        let average = sum / Double(period)
        var deviation = 0.0
        for age in stride(from: period - 1, through: 0, by: -1) { deviation += abs(window[back: age] - average) }
        let distance = typical - average
        return single(distance != 0 && deviation != 0 ? distance / (0.015 * (deviation / Double(period))) : 0)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) { try coder.code(&window) }
}

/// The money flow index: an RSI of typical price × volume.
public struct MFI: Indicator {
    public let period: Int
    private var positive: RingBuffer
    private var negative: RingBuffer
    private var positiveSum = 0.0
    private var negativeSum = 0.0
    private var previousTypical = 0.0
    private var seen = 0

    public init(period: Int) {
        self.period = period
        positive = RingBuffer(capacity: period)
        negative = RingBuffer(capacity: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { period }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        let typical = (input.high + input.low + input.close) / 3.0
        seen += 1
        defer { previousTypical = typical }
        guard seen > 1 else { return .undefined }
        let flow = typical * input.volume
        let change = typical - previousTypical
        let up = change > 0 ? flow : 0
        let down = change < 0 ? flow : 0
        if let old = positive.push(up) { positiveSum -= old }
        if let old = negative.push(down) { negativeSum -= old }
        positiveSum += up
        negativeSum += down
        guard seen > period else { return .undefined }
        seen = period + 1
        let total = positiveSum + negativeSum
        return single(total < 1.0 ? 0 : 100.0 * (positiveSum / total))
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&positive)
        try coder.code(&negative)
        try coder.code(&positiveSum)
        try coder.code(&negativeSum)
        try coder.code(&previousTypical)
        try coder.code(&seen)
    }
}

/// TRIX: the one-bar rate of change (percent) of a triple EMA.
public struct TRIX: Indicator {
    public let period: Int
    private var first: EMAState
    private var second: EMAState
    private var third: EMAState
    private var previous = Double.nan

    public init(period: Int) {
        self.period = period
        first = EMAState(period: period)
        second = EMAState(period: period)
        third = EMAState(period: period)
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { 3 * (period - 1) + 1 }
    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        guard let e1 = first.update(input.close), let e2 = second.update(e1), let e3 = third.update(e2) else { return .undefined }
        defer { previous = e3 }
        guard !previous.isNaN else { return .undefined }
        return single(previous != 0 ? (e3 / previous - 1.0) * 100.0 : 0)
    }
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&first)
        try coder.code(&second)
        try coder.code(&third)
        try coder.code(&previous)
    }
}

/// The ultimate oscillator: buying pressure over true range on three periods, weighted 4:2:1.
public struct UltimateOscillator: Indicator {
    private let periods: [Int]
    private var pressure: [RingBuffer]
    private var ranges: [RingBuffer]
    private var pressureSums = [0.0, 0.0, 0.0]
    private var rangeSums = [0.0, 0.0, 0.0]
    private var previousClose = 0.0
    private var seen = 0

    public init(period1: Int, period2: Int, period3: Int) {
        periods = [period1, period2, period3].sorted()
        pressure = periods.map { RingBuffer(capacity: $0) }
        ranges = periods.map { RingBuffer(capacity: $0) }
    }
    public var outputNames: [String] { ["value"] }
    public var lookback: Int { periods[2] }

    public mutating func update(_ input: IndicatorInput) -> IndicatorOutput {
        seen += 1
        defer { previousClose = input.close }
        guard seen > 1 else { return .undefined }
        let trueLow = min(input.low, previousClose)
        let buying = input.close - trueLow
        let range = trueRange(high: input.high, low: input.low, previousClose: previousClose)
        for index in 0..<3 {
            if let old = pressure[index].push(buying) { pressureSums[index] -= old }
            if let old = ranges[index].push(range) { rangeSums[index] -= old }
            pressureSums[index] += buying
            rangeSums[index] += range
        }
        guard seen > periods[2] else { return .undefined }
        seen = periods[2] + 1
        var total = 0.0
        if !isZero(rangeSums[0]) { total += 4.0 * (pressureSums[0] / rangeSums[0]) }
        if !isZero(rangeSums[1]) { total += 2.0 * (pressureSums[1] / rangeSums[1]) }
        if !isZero(rangeSums[2]) { total += pressureSums[2] / rangeSums[2] }
        return single(100.0 * (total / 7.0))
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&pressure)
        try coder.code(&ranges)
        try coder.code(&pressureSums)
        try coder.code(&rangeSums)
        try coder.code(&previousClose)
        try coder.code(&seen)
    }
}
