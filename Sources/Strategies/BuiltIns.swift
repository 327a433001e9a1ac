public import Events
import Indicators
import RealModule
public import Projections
import TapeCore

/// Long while the fast EMA is above the slow one, short (or flat, long-only) while below.
/// Reports `fast` (0) and `slow` (1).
public struct MovingAverageCross: Strategy {
    var position: Position
    let input: PriceInput
    var fast: EMAState
    var slow: EMAState

    init(position: Position, input: PriceInput, fast: Int, slow: Int) {
        self.position = position
        self.input = input
        self.fast = EMAState(period: fast)
        self.slow = EMAState(period: slow)
    }

    public var readTypes: Set<EventType> { input == .trades ? [.trade] : [] }

    @inline(__always)
    public mutating func react(to view: borrowing MarketView, projections: ProjectionSet, strategy: UInt32, into signals: inout [StrategySignal]) {
        guard let price = input.price(of: position.instrument.rawValue, in: view, projections: projections) else { return }
        let x = Double(price)
        let fastValue = fast.update(x)
        guard let slowValue = slow.update(x), let fastValue, fastValue != slowValue else { return }
        let unit = position.priceUnit
        position.target(fastValue > slowValue ? 1 : -1, causation: view.sequence, strategy: strategy,
                        features: [.init(feature: 0, value: fastValue / unit), .init(feature: 1, value: slowValue / unit)], into: &signals)
    }
}

/// Mean reversion on the RSI: long below `lower`, short above `upper`, flat once it crosses
/// back over 50. Reports `rsi` (0).
public struct RSIReversion: Strategy {
    var position: Position
    let input: PriceInput
    var rsi: RSI
    let lower: Double
    let upper: Double

    init(position: Position, input: PriceInput, period: Int, lower: Double, upper: Double) {
        self.position = position
        self.input = input
        rsi = RSI(period: period)
        self.lower = lower
        self.upper = upper
    }

    public var readTypes: Set<EventType> { input == .trades ? [.trade] : [] }

    public mutating func react(to view: borrowing MarketView, projections: ProjectionSet, strategy: UInt32, into signals: inout [StrategySignal]) {
        guard let price = input.price(of: position.instrument.rawValue, in: view, projections: projections) else { return }
        let value = rsi.update(IndicatorInput(value: Double(price))).first
        guard !value.isNaN else { return }
        let held = position.last == .min ? 0 : position.last
        let direction: Int8 = value <= lower ? 1 : value >= upper ? -1 : (held > 0 && value >= 50) || (held < 0 && value <= 50) ? 0 : held
        position.target(direction, causation: view.sequence, strategy: strategy, features: [.init(feature: 0, value: value)], into: &signals)
    }
}

/// Breakout of a channel: long when the price closes above the channel of the previous bars,
/// short below it. Donchian: the previous `period` highs and lows; the position is held until
/// the opposite breakout. Bollinger: the bands at `k` deviations; flat again when the price
/// crosses the middle. Reports `upper` (0), `lower` (1) and the price (2).
public struct Breakout: Strategy {
    public enum Channel: String, Sendable { case donchian, bollinger }

    var position: Position
    let input: PriceInput
    let channel: Channel
    var donchian: Donchian
    var bands: BollingerBands
    /// The channel before the current price: upper, middle, lower.
    var previous = (upper: Double.nan, middle: Double.nan, lower: Double.nan)

    init(position: Position, input: PriceInput, channel: Channel, period: Int, k: Double) {
        self.position = position
        self.input = input
        self.channel = channel
        donchian = Donchian(period: period)
        bands = BollingerBands(period: period, up: k, down: k)
    }

    public var readTypes: Set<EventType> { input == .trades ? [.trade] : [] }

    public mutating func react(to view: borrowing MarketView, projections: ProjectionSet, strategy: UInt32, into signals: inout [StrategySignal]) {
        guard let price = input.price(of: position.instrument.rawValue, in: view, projections: projections) else { return }
        let x = Double(price)
        let band = previous
        let output = channel == .donchian ? donchian.update(IndicatorInput(value: x)) : bands.update(IndicatorInput(value: x))
        previous = (output.first, output.second, output.third)
        guard !band.upper.isNaN else { return }
        let held = position.last == .min ? 0 : position.last
        var direction = held
        if x > band.upper {
            direction = 1
        } else if x < band.lower {
            direction = -1
        } else if channel == .bollinger && ((held > 0 && x <= band.middle) || (held < 0 && x >= band.middle)) {
            direction = 0
        }
        let unit = position.priceUnit
        position.target(direction, causation: view.sequence, strategy: strategy,
                        features: [.init(feature: 0, value: band.upper / unit), .init(feature: 1, value: band.lower / unit), .init(feature: 2, value: x / unit)],
                        into: &signals)
    }
}

/// Funding-rate carry on a perpetual: short while the announced funding rate is at or above
/// `entry` (longs pay shorts), long while at or below −`entry`, flat once its magnitude falls
/// below `exit`. Reads funding-rate events. Reports the rate (0).
public struct FundingCarry: Strategy {
    var position: Position
    let entry: Double
    let exit: Double

    init(position: Position, entry: Double, exit: Double) {
        self.position = position
        self.entry = entry
        self.exit = exit
    }

    public var readTypes: Set<EventType> { [.fundingRate] }

    public mutating func react(to view: borrowing MarketView, projections: ProjectionSet, strategy: UInt32, into signals: inout [StrategySignal]) {
        guard view.type == .fundingRate, view.instrument == position.instrument else { return }
        let rate = Double(view.fundingRate.rate.units) / 1e18
        let held = position.last == .min ? 0 : position.last
        let direction: Int8 = rate >= entry ? -1 : rate <= -entry ? 1 : abs(rate) < exit ? 0 : held
        position.target(direction, causation: view.sequence, strategy: strategy, features: [.init(feature: 0, value: rate)], into: &signals)
    }
}

/// Pairs trading on the log-price spread `ln a − ratio × ln b`: when its z-score over the
/// last `period` prices reaches `entry`, short `a` and long `b` (the reverse at −`entry`);
/// flat both once |z| falls to `exit`. A price step is each new price of either leg once both
/// have one. Reports the spread (0) and its z-score (1).
public struct PairsReversion: Strategy {
    var first: Position
    var second: Position
    let input: PriceInput
    let ratio: Double
    let entry: Double
    let exit: Double
    var zscore: ZScore
    var prices = (Double.nan, Double.nan)
    var held: Int8 = 0

    init(first: Position, second: Position, input: PriceInput, ratio: Double, period: Int, entry: Double, exit: Double) {
        self.first = first
        self.second = second
        self.input = input
        self.ratio = ratio
        self.entry = entry
        self.exit = exit
        zscore = ZScore(period: period)
    }

    public var readTypes: Set<EventType> { input == .trades ? [.trade] : [] }

    public mutating func react(to view: borrowing MarketView, projections: ProjectionSet, strategy: UInt32, into signals: inout [StrategySignal]) {
        var moved = false
        if let price = input.price(of: first.instrument.rawValue, in: view, projections: projections) {
            prices.0 = Double(price) / first.priceUnit
            moved = true
        }
        if let price = input.price(of: second.instrument.rawValue, in: view, projections: projections) {
            prices.1 = Double(price) / second.priceUnit
            moved = true
        }
        guard moved, !prices.0.isNaN, !prices.1.isNaN else { return }
        let spread = Double.log(prices.0) - ratio * Double.log(prices.1)
        let z = zscore.update(IndicatorInput(value: spread)).first
        guard !z.isNaN else { return }
        let direction: Int8 = z >= entry ? -1 : z <= -entry ? 1 : abs(z) <= exit ? 0 : held
        guard direction != held else { return }
        held = direction
        let sequence = view.sequence
        let features: [SignalEmitted.FeatureValue] = [.init(feature: 0, value: spread), .init(feature: 1, value: z)]
        first.target(direction, causation: sequence, strategy: strategy, features: features, into: &signals)
        second.target(-direction, causation: sequence, strategy: strategy, features: features, into: &signals)
    }
}
