public import TapeCore

/// TA-Lib's test for zero: within ±1e-8.
@inline(__always)
func isZero(_ value: Double) -> Bool { -0.00000001 < value && value < 0.00000001 }

/// TA-Lib's test for zero or negative: below 1e-8.
@inline(__always)
func isZeroOrNegative(_ value: Double) -> Bool { value < 0.00000001 }

/// The true range of a bar given the previous close.
@inline(__always)
func trueRange(high: Double, low: Double, previousClose: Double) -> Double {
    var range = high - low
    let up = abs(high - previousClose)
    if up > range { range = up }
    let down = abs(low - previousClose)
    if down > range { range = down }
    return range
}

// The building blocks indicators are made of. Each reproduces TA-Lib's order of floating-point
// operations, so that an indicator built from them gives TA-Lib's values (to the last bit in most
// cases, to 1e-9 relative in all: IndicatorsTests checks every one on real data).

/// TA-Lib's simple moving average: the sum of the first `period − 1` values accumulated from 0,
/// then for each value: add it, take the mean, subtract the value leaving the window.
public struct SMAState: StateCodable, Sendable, Equatable {
    public let period: Int
    private var window: RingBuffer
    private var partial = 0.0
    private var seen = 0

    public init(period: Int) {
        precondition(period >= 1, "a moving average needs a period of at least 1")
        self.period = period
        window = RingBuffer(capacity: period)
    }

    /// The mean of the last `period` values, nil before there are that many.
    public mutating func update(_ value: Double) -> Double? {
        window.push(value)
        seen += 1
        if seen < period {
            partial += value
            return nil
        }
        let total = partial + value
        partial = total - window.oldest
        return total / Double(period)
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&window)
        try coder.code(&partial)
        try coder.code(&seen)
    }
}

/// TA-Lib's exponential moving average: seeded with the mean of the first `period` values
/// (summed from 0 in order), then `((x − previous) × k) + previous`.
public struct EMAState: StateCodable, Sendable, Equatable {
    public let period: Int
    public let k: Double
    @usableFromInline var sum = 0.0
    @usableFromInline var seen = 0
    /// The average (NaN until seeded).
    public var value: Double { current }
    @usableFromInline var current = Double.nan

    /// `k` defaults to TA-Lib's `2 / (period + 1)`.
    public init(period: Int, k: Double? = nil) {
        precondition(period >= 1, "a moving average needs a period of at least 1")
        self.period = period
        self.k = k ?? 2.0 / Double(period + 1)
    }

    /// The average after `x`, nil until `period` values were seen. (Inlinable: strategies
    /// update it at every trade.)
    @inlinable @inline(__always)
    public mutating func update(_ x: Double) -> Double? {
        seen += 1
        if seen < period {
            sum += x
            return nil
        }
        if seen == period {
            sum += x
            current = sum / Double(period)
        } else {
            seen = period + 1  // saturate: only "seeded or not" matters from here on
            current = (x - current) * k + current
        }
        return current
    }

    public var isSeeded: Bool { seen >= period }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&sum)
        try coder.code(&seen)
        try coder.code(&current)
    }
}

/// Wilder's smoothing as TA-Lib seeds it for the RMA: the mean of the first `period` values,
/// then `(previous × (period − 1) + x) / period`.
public struct WilderState: StateCodable, Sendable, Equatable {
    public let period: Int
    private var sum = 0.0
    private var seen = 0
    public private(set) var value = Double.nan

    public init(period: Int) {
        precondition(period >= 1, "a moving average needs a period of at least 1")
        self.period = period
    }

    public mutating func update(_ x: Double) -> Double? {
        seen += 1
        if seen < period {
            sum += x
            return nil
        }
        if seen == period {
            sum += x
            value = sum / Double(period)
        } else {
            seen = period + 1
            value = (value * Double(period - 1) + x) / Double(period)
        }
        return value
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&sum)
        try coder.code(&seen)
        try coder.code(&value)
    }
}

/// TA-Lib's weighted moving average (weights 1 … period, newest heaviest), kept with its running
/// `periodSum` and `periodSub`.
public struct WMAState: StateCodable, Sendable, Equatable {
    public let period: Int
    private var window: RingBuffer
    private var periodSum = 0.0
    private var periodSub = 0.0
    private var trailing = 0.0
    private var seen = 0

    public init(period: Int) {
        precondition(period >= 1, "a moving average needs a period of at least 1")
        self.period = period
        window = RingBuffer(capacity: period)
    }

    public mutating func update(_ x: Double) -> Double? {
        if period == 1 { return x }
        window.push(x)
        seen += 1
        if seen < period {
            periodSub += x
            periodSum += x * Double(seen)
            return nil
        }
        periodSub += x
        periodSub -= trailing
        periodSum += x * Double(period)
        trailing = window.oldest
        let divider = Double(period * (period + 1) / 2)
        let result = periodSum / divider
        periodSum -= periodSub
        return result
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&window)
        try coder.code(&periodSum)
        try coder.code(&periodSub)
        try coder.code(&trailing)
        try coder.code(&seen)
    }
}

/// The highest and lowest of the last `period` values (and how many steps back they are), with
/// monotonic queues: amortized O(1) per update. Ties keep the newest, as TA-Lib's AROON does.
public struct WindowExtremes: StateCodable, Sendable, Equatable {
    public let period: Int
    /// Indices (in steps since the start) and values, kept decreasing for the max queue and
    /// increasing for the min queue; ring storage of `period` slots each.
    private var maxIndices: [Int64]
    private var maxValues: [Double]
    private var maxHead = 0
    private var maxCount = 0
    private var minIndices: [Int64]
    private var minValues: [Double]
    private var minHead = 0
    private var minCount = 0
    private var step: Int64 = -1

    public init(period: Int) {
        precondition(period >= 1, "a window needs at least one value")
        self.period = period
        maxIndices = [Int64](repeating: 0, count: period)
        maxValues = [Double](repeating: 0, count: period)
        minIndices = maxIndices
        minValues = maxValues
    }

    /// Whether `period` values have been seen.
    public var isFull: Bool { step + 1 >= Int64(period) }

    /// Adds `high` to the max window and `low` to the min window (the same value for a single
    /// series).
    public mutating func update(high: Double, low: Double) {
        step += 1
        let oldest = step - Int64(period) + 1
        // Expire values that left the window first, so a queue never holds more than `period`;
        // then drop values the new one dominates (ties: the newest wins) and append it.
        while maxCount > 0 && maxIndices[maxHead] < oldest { maxHead = (maxHead + 1) % period; maxCount -= 1 }
        while maxCount > 0 && maxValues[slot(maxHead, maxCount - 1)] <= high { maxCount -= 1 }
        maxIndices[slot(maxHead, maxCount)] = step
        maxValues[slot(maxHead, maxCount)] = high
        maxCount += 1
        while minCount > 0 && minIndices[minHead] < oldest { minHead = (minHead + 1) % period; minCount -= 1 }
        while minCount > 0 && minValues[slot(minHead, minCount - 1)] >= low { minCount -= 1 }
        minIndices[slot(minHead, minCount)] = step
        minValues[slot(minHead, minCount)] = low
        minCount += 1
    }

    private func slot(_ head: Int, _ offset: Int) -> Int { (head + offset) % period }

    public var highest: Double { maxValues[maxHead] }
    public var lowest: Double { minValues[minHead] }
    /// Steps back to the highest (0: the newest value).
    public var highestAge: Int { Int(step - maxIndices[maxHead]) }
    public var lowestAge: Int { Int(step - minIndices[minHead]) }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        // The queues in logical order, so the encoding does not depend on where the ring heads are.
        var maxList = (0..<maxCount).flatMap { [Double(maxIndices[slot(maxHead, $0)]), maxValues[slot(maxHead, $0)]] }
        var minList = (0..<minCount).flatMap { [Double(minIndices[slot(minHead, $0)]), minValues[slot(minHead, $0)]] }
        try coder.code(&maxList)
        try coder.code(&minList)
        try coder.code(&step)
        if !coder.isEncoding {
            guard maxList.count % 2 == 0, minList.count % 2 == 0, maxList.count / 2 <= period, minList.count / 2 <= period else {
                throw .invalidValue(field: "window extremes", offset: 0)
            }
            maxHead = 0
            maxCount = maxList.count / 2
            for index in 0..<maxCount { maxIndices[index] = Int64(maxList[2 * index]); maxValues[index] = maxList[2 * index + 1] }
            minHead = 0
            minCount = minList.count / 2
            for index in 0..<minCount { minIndices[index] = Int64(minList[2 * index]); minValues[index] = minList[2 * index + 1] }
        }
    }
}

/// Running sums of x and x² over the last `period` values, as TA-Lib's variance keeps them.
public struct RollingMoments: StateCodable, Sendable, Equatable {
    public let period: Int
    private var window: RingBuffer
    private var total1 = 0.0
    private var total2 = 0.0
    private var seen = 0

    public init(period: Int) {
        precondition(period >= 1, "a window needs at least one value")
        self.period = period
        window = RingBuffer(capacity: period)
    }

    /// The population variance of the last `period` values, nil before there are that many.
    public mutating func variance(adding x: Double) -> Double? {
        window.push(x)
        seen += 1
        total1 += x
        total2 += x * x
        guard seen >= period else { return nil }
        let mean1 = total1 / Double(period)
        let mean2 = total2 / Double(period)
        let oldest = window.oldest
        total1 -= oldest
        total2 -= oldest * oldest
        return mean2 - mean1 * mean1
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&window)
        try coder.code(&total1)
        try coder.code(&total2)
        try coder.code(&seen)
    }
}

/// The value `lag` steps back in a series (a delay line).
public struct Lag: StateCodable, Sendable, Equatable {
    private var window: RingBuffer

    public init(_ lag: Int) {
        window = RingBuffer(capacity: lag + 1)
    }

    /// Pushes `x` and returns the value `lag` steps before it, nil until there is one.
    public mutating func update(_ x: Double) -> Double? {
        window.push(x)
        return window.isFull ? window.oldest : nil
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&window)
    }
}
