/// A parameter of an indicator kind.
public struct IndicatorParameter: Sendable {
    public let name: String
    public let defaultValue: Double
    public let range: ClosedRange<Double>
    /// Whether only whole numbers are allowed (periods).
    public let isInteger: Bool

    /// A period: a whole number of inputs.
    static func period(_ defaultValue: Int, name: String = "period", minimum: Int = 1) -> IndicatorParameter {
        IndicatorParameter(name: name, defaultValue: Double(defaultValue), range: Double(minimum)...100_000, isInteger: true)
    }

    /// A real-valued factor.
    static func factor(_ name: String, _ defaultValue: Double, _ range: ClosedRange<Double>) -> IndicatorParameter {
        IndicatorParameter(name: name, defaultValue: defaultValue, range: range, isInteger: false)
    }
}

/// The parameter values an indicator is made with, defaults filled in.
public struct IndicatorArguments: Sendable {
    let values: [String: Double]

    public func int(_ name: String) -> Int { Int(values[name]!) }
    public func double(_ name: String) -> Double { values[name]! }
}

/// One kind of indicator the catalogue can make, as configurations name it.
public struct IndicatorKind: Sendable {
    /// The name in configurations (`rsi`, `macd`, …).
    public let name: String
    /// What it measures, for documentation.
    public let summary: String
    /// The inputs it reads, for documentation (`close`, `high low close`, …).
    public let inputs: String
    public let parameters: [IndicatorParameter]
    /// The output names, in order.
    public let outputs: [String]
    /// The TA-Lib function it equals, nil when TA-Lib has none.
    public let talib: String?
    let make: @Sendable (IndicatorArguments) -> any Indicator
}

/// Why an indicator could not be made.
public enum IndicatorError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknown(String)
    case unknownParameter(indicator: String, parameter: String, known: [String])
    case outOfRange(indicator: String, parameter: String, value: Double, range: ClosedRange<Double>, integer: Bool)

    public var description: String {
        switch self {
        case .unknown(let name): "no indicator named '\(name)' (tape features --list shows them)"
        case .unknownParameter(let indicator, let parameter, let known):
            "\(indicator) has no parameter '\(parameter)' (it has \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        case .outOfRange(let indicator, let parameter, let value, let range, let integer):
            "\(indicator) \(parameter) must be \(integer ? "a whole number " : "")from \(range.lowerBound) to \(range.upperBound), not \(value)"
        }
    }
}

/// Every indicator Tape has, by name.
public enum IndicatorCatalog {
    /// Makes the indicator `name` with `parameters` (missing ones take their defaults).
    public static func make(_ name: String, parameters: [String: Double] = [:]) throws(IndicatorError) -> any Indicator {
        guard let kind = kind(named: name) else { throw .unknown(name) }
        return kind.make(try arguments(kind, parameters))
    }

    /// The kind named `name`.
    public static func kind(named name: String) -> IndicatorKind? {
        all.first { $0.name == name }
    }

    /// The full argument set of `kind` for `parameters`, checked.
    public static func arguments(_ kind: IndicatorKind, _ parameters: [String: Double]) throws(IndicatorError) -> IndicatorArguments {
        var values: [String: Double] = [:]
        for parameter in kind.parameters { values[parameter.name] = parameter.defaultValue }
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            guard let parameter = kind.parameters.first(where: { $0.name == name }) else {
                throw .unknownParameter(indicator: kind.name, parameter: name, known: kind.parameters.map(\.name))
            }
            guard parameter.range.contains(value), !parameter.isInteger || value.rounded() == value else {
                throw .outOfRange(indicator: kind.name, parameter: name, value: value, range: parameter.range, integer: parameter.isInteger)
            }
            values[name] = value
        }
        return IndicatorArguments(values: values)
    }

    /// A kind that equals TA-Lib's function `talib` (by default its name in upper case).
    private static func kind(
        _ name: String, _ summary: String, inputs: String = "close", _ parameters: [IndicatorParameter] = [],
        outputs: [String] = ["value"], talib: String? = nil, make: @escaping @Sendable (IndicatorArguments) -> any Indicator
    ) -> IndicatorKind {
        IndicatorKind(name: name, summary: summary, inputs: inputs, parameters: parameters, outputs: outputs, talib: talib ?? name.uppercased(), make: make)
    }

    /// A kind TA-Lib does not have (checked against Fixtures/reference.csv.gz instead).
    private static func own(
        _ name: String, _ summary: String, inputs: String = "close", _ parameters: [IndicatorParameter] = [],
        outputs: [String] = ["value"], make: @escaping @Sendable (IndicatorArguments) -> any Indicator
    ) -> IndicatorKind {
        IndicatorKind(name: name, summary: summary, inputs: inputs, parameters: parameters, outputs: outputs, talib: nil, make: make)
    }

    public static let all: [IndicatorKind] = [
        // Overlap studies.
        kind("sma", "simple moving average", [.period(30)]) { SMA(period: $0.int("period")) },
        kind("ema", "exponential moving average (seeded with the SMA of the first period)", [.period(30)]) { EMA(period: $0.int("period")) },
        kind("wma", "linearly weighted moving average", [.period(30)]) { WMA(period: $0.int("period")) },
        kind("rma", "Wilder's moving average", [.period(30)]) { RMA(period: $0.int("period")) },
        kind("dema", "double exponential moving average", [.period(30)]) { DEMA(period: $0.int("period")) },
        kind("tema", "triple exponential moving average", [.period(30)]) { TEMA(period: $0.int("period")) },
        kind("trima", "triangular moving average", [.period(30)]) { TRIMA(period: $0.int("period")) },
        kind("kama", "Kaufman adaptive moving average", [.period(30)]) { KAMA(period: $0.int("period")) },
        kind("t3", "Tillson T3 moving average", [.period(5), .factor("vfactor", 0.7, 0...1)]) { T3(period: $0.int("period"), volumeFactor: $0.double("vfactor")) },
        kind("midpoint", "middle of the highest and lowest close", [.period(14, minimum: 2)]) { MidPoint(period: $0.int("period")) },
        kind("midprice", "middle of the highest high and lowest low", inputs: "high low", [.period(14, minimum: 2)]) { MidPrice(period: $0.int("period")) },
        kind("bbands", "Bollinger bands", [.period(20, minimum: 2), .factor("up", 2, 0...100), .factor("down", 2, 0...100)],
             outputs: ["upper", "middle", "lower"]) { BollingerBands(period: $0.int("period"), up: $0.double("up"), down: $0.double("down")) },
        kind("hma", "Hull moving average", [.period(20, minimum: 2)]) { HMA(period: $0.int("period")) },
        kind("vwma", "volume-weighted moving average", inputs: "close volume", [.period(30)]) { VWMA(period: $0.int("period")) },
        kind("zlema", "zero-lag exponential moving average", [.period(30)]) { ZLEMA(period: $0.int("period")) },
        kind("donchian", "Donchian channel", inputs: "high low", [.period(20)], outputs: ["upper", "middle", "lower"]) { Donchian(period: $0.int("period")) },
        kind("accbands", "acceleration bands", inputs: "high low close", [.period(20, minimum: 2)], outputs: ["upper", "middle", "lower"]) {
            AccelerationBands(period: $0.int("period"))
        },
        kind("keltner", "Keltner channel (EMA of the typical price ± multiplier × ATR)", inputs: "high low close",
             [.period(20, minimum: 2), .period(10, name: "atr_period"), .factor("multiplier", 2, 0...100)],
             outputs: ["upper", "middle", "lower"], talib: "KC") {
            Keltner(period: $0.int("period"), atrPeriod: $0.int("atr_period"), multiplier: $0.double("multiplier"))
        },
        kind("supertrend", "SuperTrend line and trend (+1 up, −1 down)", inputs: "high low close", [.period(10, minimum: 2), .factor("multiplier", 3, 0...100)],
             outputs: ["value", "trend"]) { SuperTrend(period: $0.int("period"), multiplier: $0.double("multiplier")) },
        kind("sar", "parabolic stop and reverse", inputs: "high low", [.factor("acceleration", 0.02, 0...1), .factor("maximum", 0.2, 0...1)]) {
            ParabolicSAR(acceleration: $0.double("acceleration"), maximum: $0.double("maximum"))
        },

        // Momentum.
        kind("adx", "average directional index", inputs: "high low close", [.period(14, minimum: 2)]) { ADX(period: $0.int("period")) },
        kind("adxr", "ADX rating", inputs: "high low close", [.period(14, minimum: 2)]) { ADXR(period: $0.int("period")) },
        kind("dx", "directional movement index", inputs: "high low close", [.period(14, minimum: 2)]) { DX(period: $0.int("period")) },
        kind("plus_di", "plus directional indicator", inputs: "high low close", [.period(14, minimum: 2)]) { DirectionalIndicator(period: $0.int("period"), plus: true) },
        kind("minus_di", "minus directional indicator", inputs: "high low close", [.period(14, minimum: 2)]) { DirectionalIndicator(period: $0.int("period"), plus: false) },
        kind("plus_dm", "plus directional movement", inputs: "high low", [.period(14, minimum: 2)]) { DirectionalMovementIndicator(period: $0.int("period"), plus: true) },
        kind("minus_dm", "minus directional movement", inputs: "high low", [.period(14, minimum: 2)]) { DirectionalMovementIndicator(period: $0.int("period"), plus: false) },
        kind("apo", "absolute price oscillator (fast SMA − slow SMA)", [.period(12, name: "fast", minimum: 2), .period(26, name: "slow", minimum: 2)]) {
            PriceOscillator(fast: $0.int("fast"), slow: $0.int("slow"), percent: false)
        },
        kind("ppo", "percentage price oscillator", [.period(12, name: "fast", minimum: 2), .period(26, name: "slow", minimum: 2)]) {
            PriceOscillator(fast: $0.int("fast"), slow: $0.int("slow"), percent: true)
        },
        kind("aroon", "Aroon down and up", inputs: "high low", [.period(14, minimum: 2)], outputs: ["down", "up"]) { Aroon(period: $0.int("period"), oscillator: false) },
        kind("aroonosc", "Aroon oscillator (up − down)", inputs: "high low", [.period(14, minimum: 2)]) { Aroon(period: $0.int("period"), oscillator: true) },
        kind("bop", "balance of power", inputs: "open high low close") { _ in BalanceOfPower() },
        kind("cci", "commodity channel index", inputs: "high low close", [.period(14, minimum: 2)]) { CCI(period: $0.int("period")) },
        kind("cmo", "Chande momentum oscillator", [.period(14)]) { CMO(period: $0.int("period")) },
        kind("macd", "moving average convergence/divergence", [.period(12, name: "fast", minimum: 2), .period(26, name: "slow", minimum: 2), .period(9, name: "signal")],
             outputs: ["macd", "signal", "histogram"]) { MACD(fast: $0.int("fast"), slow: $0.int("slow"), signal: $0.int("signal")) },
        kind("macdfix", "MACD 12/26 with the classic constants", [.period(9, name: "signal")], outputs: ["macd", "signal", "histogram"]) {
            MACD(fixedSignal: $0.int("signal"))
        },
        kind("mfi", "money flow index", inputs: "high low close volume", [.period(14)]) { MFI(period: $0.int("period")) },
        kind("mom", "momentum (close − close n bars back)", [.period(10)]) { RateOfChange(period: $0.int("period"), form: .momentum) },
        kind("roc", "rate of change, percent", [.period(10)]) { RateOfChange(period: $0.int("period"), form: .percent) },
        kind("rocp", "rate of change, fraction", [.period(10)]) { RateOfChange(period: $0.int("period"), form: .fraction) },
        kind("rocr", "rate of change ratio", [.period(10)]) { RateOfChange(period: $0.int("period"), form: .ratio) },
        kind("rocr100", "rate of change ratio × 100", [.period(10)]) { RateOfChange(period: $0.int("period"), form: .ratio100) },
        kind("rsi", "relative strength index (Wilder)", [.period(14)]) { RSI(period: $0.int("period")) },
        kind("stoch", "slow stochastic %K and %D", inputs: "high low close",
             [.period(5, name: "fast_k"), .period(3, name: "slow_k"), .period(3, name: "slow_d")], outputs: ["k", "d"]) {
            Stochastic(fastK: $0.int("fast_k"), slowK: $0.int("slow_k"), slowD: $0.int("slow_d"))
        },
        kind("stochf", "fast stochastic %K and %D", inputs: "high low close", [.period(5, name: "fast_k"), .period(3, name: "fast_d")], outputs: ["k", "d"]) {
            StochasticFast(fastK: $0.int("fast_k"), fastD: $0.int("fast_d"))
        },
        kind("stochrsi", "stochastic of the RSI", [.period(14, minimum: 2), .period(5, name: "fast_k"), .period(3, name: "fast_d")], outputs: ["k", "d"]) {
            StochasticRSI(period: $0.int("period"), fastK: $0.int("fast_k"), fastD: $0.int("fast_d"))
        },
        kind("trix", "one-bar rate of change of a triple EMA", [.period(30)]) { TRIX(period: $0.int("period")) },
        kind("ultosc", "ultimate oscillator", inputs: "high low close", [.period(7, name: "period1"), .period(14, name: "period2"), .period(28, name: "period3")]) {
            UltimateOscillator(period1: $0.int("period1"), period2: $0.int("period2"), period3: $0.int("period3"))
        },
        kind("willr", "Williams %R", inputs: "high low close", [.period(14, minimum: 2)]) { WilliamsR(period: $0.int("period")) },
        kind("tsi", "true strength index", [.period(25, name: "first"), .period(13, name: "second")]) { TSI(first: $0.int("first"), second: $0.int("second")) },
        kind("vortex", "vortex indicator", inputs: "high low close", [.period(14)], outputs: ["plus", "minus"]) { Vortex(period: $0.int("period")) },
        kind("dpo", "detrended price oscillator", [.period(20, minimum: 2)]) { DPO(period: $0.int("period")) },
        kind("coppock", "Coppock curve", [.period(10, name: "wma"), .period(11, name: "roc1"), .period(14, name: "roc2")]) {
            Coppock(wma: $0.int("wma"), roc1: $0.int("roc1"), roc2: $0.int("roc2"))
        },
        kind("ao", "awesome oscillator", inputs: "high low", [.period(5, name: "fast"), .period(34, name: "slow")]) { Awesome(fast: $0.int("fast"), slow: $0.int("slow")) },
        kind("ac", "accelerator oscillator", inputs: "high low", [.period(5, name: "fast"), .period(34, name: "slow"), .period(5, name: "signal")]) {
            Awesome(fast: $0.int("fast"), slow: $0.int("slow"), signal: $0.int("signal"))
        },
        kind("er", "Kaufman efficiency ratio", [.period(10)]) { EfficiencyRatio(period: $0.int("period"), vertical: false) },
        kind("vhf", "vertical horizontal filter", [.period(28, minimum: 2)]) { EfficiencyRatio(period: $0.int("period"), vertical: true) },
        kind("imi", "intraday momentum index", inputs: "open close", [.period(14)]) { BodyMomentum(period: $0.int("period"), qstick: false) },
        kind("qstick", "Qstick (SMA of candle bodies)", inputs: "open close", [.period(10)]) { BodyMomentum(period: $0.int("period"), qstick: true) },
        kind("fosc", "forecast oscillator", [.period(5, minimum: 2)]) { ForecastOscillator(period: $0.int("period")) },
        kind("cmou", "Chande momentum oscillator, unsmoothed", [.period(14)]) { CMOUnsmoothed(period: $0.int("period")) },
        kind("eri", "Elder ray bull and bear power", inputs: "high low close", [.period(13)], outputs: ["bull", "bear"]) { ElderRay(period: $0.int("period")) },

        // Volume.
        kind("ad", "Chaikin accumulation/distribution line", inputs: "high low close volume") { _ in AccumulationDistribution() },
        kind("adosc", "Chaikin A/D oscillator", inputs: "high low close volume", [.period(3, name: "fast", minimum: 2), .period(10, name: "slow", minimum: 2)]) {
            ChaikinOscillator(fast: $0.int("fast"), slow: $0.int("slow"))
        },
        kind("obv", "on-balance volume", inputs: "close volume") { _ in OnBalanceVolume() },
        kind("cmf", "Chaikin money flow", inputs: "high low close volume", [.period(20)]) { ChaikinMoneyFlow(period: $0.int("period")) },
        kind("efi", "Elder force index", inputs: "close volume", [.period(13)]) { ForceIndex(period: $0.int("period")) },
        kind("nvi", "negative volume index", inputs: "close volume") { _ in VolumeIndex(.negative) },
        kind("pvi", "positive volume index", inputs: "close volume") { _ in VolumeIndex(.positive) },
        kind("pvt", "price-volume trend", inputs: "close volume") { _ in VolumeIndex(.trend) },
        kind("vwap", "volume-weighted average price since the start", inputs: "high low close volume") { _ in CumulativeVWAP() },
        kind("marketfi", "market facilitation index", inputs: "high low volume") { _ in MarketFacilitation() },
        kind("rvol", "relative volume (volume over the mean of the previous bars)", inputs: "volume", [.period(20)]) { RelativeVolume(period: $0.int("period")) },
        kind("pvo", "percentage volume oscillator", inputs: "volume", [.period(12, name: "fast", minimum: 2), .period(26, name: "slow", minimum: 2)]) {
            PVO(fast: $0.int("fast"), slow: $0.int("slow"))
        },

        // Volatility.
        kind("atr", "average true range", inputs: "high low close", [.period(14)]) { ATR(period: $0.int("period")) },
        kind("natr", "normalized average true range, percent of close", inputs: "high low close", [.period(14)]) { ATR(period: $0.int("period"), normalized: true) },
        kind("trange", "true range", inputs: "high low close") { _ in TrueRange() },
        kind("massi", "mass index", inputs: "high low", [.period(9, name: "fast", minimum: 2), .period(25, name: "slow", minimum: 2)]) {
            MassIndex(fast: $0.int("fast"), slow: $0.int("slow"))
        },
        kind("cvi", "Chaikin volatility", inputs: "high low", [.period(10, minimum: 2), .period(10, name: "roc")]) { ChaikinVolatility(period: $0.int("period"), roc: $0.int("roc")) },
        kind("rvi", "relative volatility index", [.period(14, minimum: 2), .period(10, name: "stddev", minimum: 2)]) {
            RelativeVolatility(period: $0.int("period"), stddev: $0.int("stddev"))
        },
        kind("adr", "average daily range", inputs: "high low", [.period(14)]) { AverageRange(period: $0.int("period")) },

        // Price transforms.
        kind("avgprice", "mean of open, high, low, close", inputs: "open high low close") { _ in PriceTransform(.average) },
        kind("medprice", "median price (high + low) / 2", inputs: "high low") { _ in PriceTransform(.median) },
        kind("typprice", "typical price (high + low + close) / 3", inputs: "high low close") { _ in PriceTransform(.typical) },
        kind("wclprice", "weighted close (high + low + 2 close) / 4", inputs: "high low close") { _ in PriceTransform(.weightedClose) },
        kind("heikin_ashi", "Heikin-Ashi candles", inputs: "open high low close", outputs: ["open", "high", "low", "close"], talib: "HA") { _ in HeikinAshi() },

        // Statistics.
        kind("beta", "beta of one-bar returns against the second series", inputs: "close other", [.period(5)]) { Beta(period: $0.int("period")) },
        kind("correl", "Pearson correlation with the second series", inputs: "close other", [.period(30)]) { Correlation(period: $0.int("period")) },
        kind("linearreg", "linear regression end value", [.period(14, minimum: 2)]) { LinearRegression(period: $0.int("period"), form: .value) },
        kind("linearreg_angle", "linear regression angle, degrees", [.period(14, minimum: 2)]) { LinearRegression(period: $0.int("period"), form: .angle) },
        kind("linearreg_intercept", "linear regression intercept", [.period(14, minimum: 2)]) { LinearRegression(period: $0.int("period"), form: .intercept) },
        kind("linearreg_slope", "linear regression slope", [.period(14, minimum: 2)]) { LinearRegression(period: $0.int("period"), form: .slope) },
        kind("tsf", "time series forecast (regression one bar ahead)", [.period(14, minimum: 2)]) { LinearRegression(period: $0.int("period"), form: .forecast) },
        kind("stddev", "standard deviation × deviations", [.period(5, minimum: 2), .factor("deviations", 1, 0...100)]) {
            Deviation(period: $0.int("period"), deviations: $0.double("deviations"), squared: false)
        },
        kind("var", "variance", [.period(5), .factor("deviations", 1, 0...100)]) { Deviation(period: $0.int("period"), deviations: $0.double("deviations"), squared: true) },
        kind("avgdev", "mean absolute deviation", [.period(14, minimum: 2)]) { AverageDeviation(period: $0.int("period")) },
        kind("max", "highest close", [.period(30, minimum: 2)]) { WindowStatistic(period: $0.int("period"), form: .maximum) },
        kind("min", "lowest close", [.period(30, minimum: 2)]) { WindowStatistic(period: $0.int("period"), form: .minimum) },
        kind("sum", "sum of closes", [.period(30)]) { WindowStatistic(period: $0.int("period"), form: .sum) },

        // Returns, moments, realized volatility and more (not in TA-Lib).
        own("logret", "one-bar log return") { _ in LogReturn() },
        own("zscore", "z-score of the close in its window", [.period(20, minimum: 2)]) { ZScore(period: $0.int("period")) },
        own("skew", "skewness of one-bar log returns", [.period(20, minimum: 3)]) { ReturnMoment(period: $0.int("period"), kurtosis: false) },
        own("kurtosis", "excess kurtosis of one-bar log returns", [.period(20, minimum: 4)]) { ReturnMoment(period: $0.int("period"), kurtosis: true) },
        own("autocorr", "autocorrelation of one-bar log returns at a lag", [.period(30, minimum: 3), .period(1, name: "lag")]) {
            Autocorrelation(period: $0.int("period"), lag: min($0.int("lag"), $0.int("period") - 2))
        },
        own("ewma_vol", "RiskMetrics EWMA volatility of log returns", [.factor("lambda", 0.94, 0...0.9999)]) { EWMAVolatility(lambda: $0.double("lambda")) },
        own("rv_cc", "close-to-close realized volatility (per bar)", [.period(20, minimum: 2)]) { RealizedVolatility(period: $0.int("period"), estimator: .closeToClose) },
        own("rv_parkinson", "Parkinson high-low volatility (per bar)", inputs: "high low", [.period(20)]) { RealizedVolatility(period: $0.int("period"), estimator: .parkinson) },
        own("rv_garman_klass", "Garman–Klass volatility (per bar)", inputs: "open high low close", [.period(20)]) {
            RealizedVolatility(period: $0.int("period"), estimator: .garmanKlass)
        },
        own("rv_rogers_satchell", "Rogers–Satchell volatility (per bar)", inputs: "open high low close", [.period(20)]) {
            RealizedVolatility(period: $0.int("period"), estimator: .rogersSatchell)
        },
        own("rv_yang_zhang", "Yang–Zhang volatility (per bar)", inputs: "open high low close", [.period(20, minimum: 2)]) {
            RealizedVolatility(period: $0.int("period"), estimator: .yangZhang)
        },
        own("hurst", "Hurst exponent of log prices", [.period(64, minimum: 8)]) { Hurst(period: $0.int("period")) },
        own("rsquared", "R² of the linear regression of the close on time", [.period(14, minimum: 3)]) { LinearRegression(period: $0.int("period"), form: .rSquared) },
        own("ichimoku", "Ichimoku conversion, base and the cloud's spans at this bar", inputs: "high low",
            [.period(9, name: "conversion"), .period(26, name: "base"), .period(52, name: "span"), .period(26, name: "displacement")],
            outputs: ["conversion", "base", "span_a", "span_b"]) {
            Ichimoku(conversion: $0.int("conversion"), base: $0.int("base"), span: $0.int("span"), displacement: $0.int("displacement"))
        },
    ]
}
