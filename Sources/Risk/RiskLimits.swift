public import Configuration
import Projections
public import TapeCore

/// The limits, sizing policy and exits the risk engine applies: one versioned YAML file under
/// `projections/` (specs/risk.md). A rule that is not configured is not checked.
public struct RiskLimits: Sendable, ConfigurationFile {
    /// The format version this build reads.
    public static let version = 1

    /// Limits of one instrument, as decimal text until the instrument's scales are known.
    public struct InstrumentLimits: Sendable, Equatable {
        public var maxPosition: String?
        public var maxNotional: Double?
    }

    /// How a measure of the return window is computed.
    public enum TailMethod: String, Sendable {
        case historical, parametric, cornishFisher = "cornish_fisher"
    }

    public struct TailLimit: Sendable, Equatable {
        public var level: Double
        public var method: TailMethod
        public var maximum: Double
    }

    /// How the size of a signal's position is chosen.
    public enum Sizing: Sendable, Equatable {
        /// The signal's own size.
        case signal
        /// Risk `fraction` of equity: over the stop-loss distance when there is one, else as
        /// notional.
        case fixedFraction(Double)
        /// Size so that the position's annualised volatility is `target` of equity.
        case volatilityTarget(Double)
        /// `fraction` of the Kelly leverage `mean / variance` of the instrument's sampled returns.
        case kelly(Double)
    }

    public var defaults = InstrumentLimits()
    /// Per instrument name (`SYMBOL.VENUE`), in file order.
    public var instruments: [(name: String, limits: InstrumentLimits)] = []
    public var maxGrossLeverage: Double?
    public var maxNetLeverage: Double?
    public var maxConcentration: Double?
    public var valueAtRisk: TailLimit?
    public var expectedShortfall: TailLimit?
    public var correlation: (threshold: Double, maximum: Double)?
    public var maxVolumeFraction: Double?
    public var maxDepthFraction: Double?
    public var orderRate: (count: Int, window: Int64)?
    public var maxDailyLoss: Double?
    public var maxDrawdown: Double?
    public var liquidationBuffer: Double?
    public var sizing = Sizing.signal
    public var stopLoss: Double?
    public var takeProfit: Double?
    public var volatilityStop: Double?
    public var trailingStop: Double?
    public var timeStop: Int64?
    /// SHA-256 of the file's canonical text.
    public let hash: Hash256
    public let source: String


    public init(_ document: ConfigDocument) throws(ConfigError) {
        source = document.root.source
        hash = document.hash
        let top = try document.versioned(Self.version, allowed: ["instruments", "account", "sizing", "exits"], what: "the risk limits")
        if let node = top["instruments"] {
            let mapping = try node.mapping(allowed: Set(try node.keys("instrument limits")), what: "instrument limits")
            for name in mapping.keys {
                let limits = try Self.instrumentLimits(try mapping.required(name), name: name)
                if name == "default" { defaults = limits } else { instruments.append((name, limits)) }
            }
        }
        if let node = top["account"] { try readAccount(node) }
        if let node = top["sizing"] { sizing = try Self.sizing(node) }
        if let node = top["exits"] { try readExits(node) }
    }

    private static func instrumentLimits(_ node: ConfigNode, name: String) throws(ConfigError) -> InstrumentLimits {
        let mapping = try node.mapping(allowed: ["max_position", "max_notional"], what: "limits of \(name)")
        var limits = InstrumentLimits()
        limits.maxPosition = try mapping["max_position"]?.text("max_position")
        limits.maxNotional = try mapping["max_notional"]?.number("max_notional", in: 0...1e18)
        return limits
    }

    private mutating func readAccount(_ node: ConfigNode) throws(ConfigError) {
        let account = try node.mapping(allowed: [
            "max_gross_leverage", "max_net_leverage", "max_concentration", "var", "es", "correlation", "liquidity",
            "max_orders", "max_daily_loss", "max_drawdown", "liquidation_buffer",
        ], what: "account limits")
        maxGrossLeverage = try account["max_gross_leverage"]?.number("max_gross_leverage", in: 0...1_000)
        maxNetLeverage = try account["max_net_leverage"]?.number("max_net_leverage", in: 0...1_000)
        maxConcentration = try account["max_concentration"]?.number("max_concentration", in: 0...1_000)
        valueAtRisk = try account["var"].map { (node) throws(ConfigError) in try Self.tail(node, what: "var") }
        expectedShortfall = try account["es"].map { (node) throws(ConfigError) in try Self.tail(node, what: "es") }
        if let node = account["correlation"] {
            let mapping = try node.mapping(allowed: ["threshold", "max_exposure"], what: "correlation limit")
            correlation = (try mapping.required("threshold").number("correlation threshold", in: -1...1),
                           try mapping.required("max_exposure").number("correlation max_exposure", in: 0...1_000))
        }
        if let node = account["liquidity"] {
            let mapping = try node.mapping(allowed: ["max_volume_fraction", "max_depth_fraction"], what: "liquidity limits")
            maxVolumeFraction = try mapping["max_volume_fraction"]?.number("max_volume_fraction", in: 0...1_000)
            maxDepthFraction = try mapping["max_depth_fraction"]?.number("max_depth_fraction", in: 0...1_000)
        }
        if let node = account["max_orders"] {
            let mapping = try node.mapping(allowed: ["count", "per"], what: "order rate limit")
            orderRate = (try mapping.required("count").integer("max_orders count", in: 1...1_000_000), try mapping.required("per").duration("max_orders per"))
        }
        maxDailyLoss = try account["max_daily_loss"]?.number("max_daily_loss", in: 0...1)
        maxDrawdown = try account["max_drawdown"]?.number("max_drawdown", in: 0...1)
        liquidationBuffer = try account["liquidation_buffer"]?.number("liquidation_buffer", in: 0...1)
    }

    private static func tail(_ node: ConfigNode, what: String) throws(ConfigError) -> TailLimit {
        let mapping = try node.mapping(allowed: ["level", "method", "max"], what: "\(what) limit")
        let methodText = try mapping["method"]?.text("\(what) method") ?? "historical"
        guard let method = TailMethod(rawValue: methodText) else { throw node.error("\(what) method '\(methodText)' is not historical, parametric or cornish_fisher") }
        return TailLimit(level: try mapping.required("level").number("\(what) level", in: 0.5...0.9999), method: method,
                         maximum: try mapping.required("max").number("\(what) max", in: 0...10))
    }

    private static func sizing(_ node: ConfigNode) throws(ConfigError) -> Sizing {
        let mapping = try node.mapping(allowed: ["policy", "fraction", "target"], what: "sizing")
        switch try mapping.required("policy").text("sizing policy") {
        case "signal": return .signal
        case "fixed_fraction": return .fixedFraction(try mapping.required("fraction").number("sizing fraction", in: 0...1))
        case "volatility_target": return .volatilityTarget(try mapping.required("target").number("sizing target", in: 0...100))
        case "kelly": return .kelly(try mapping.required("fraction").number("kelly fraction", in: 0...10))
        case let other: throw node.error("sizing policy '\(other)' is not signal, fixed_fraction, volatility_target or kelly")
        }
    }

    private mutating func readExits(_ node: ConfigNode) throws(ConfigError) {
        let exits = try node.mapping(allowed: ["stop_loss", "take_profit", "volatility_stop", "trailing_stop", "time_stop"], what: "exits")
        stopLoss = try exits["stop_loss"]?.number("stop_loss", in: 0...1)
        takeProfit = try exits["take_profit"]?.number("take_profit", in: 0...100)
        volatilityStop = try exits["volatility_stop"]?.number("volatility_stop", in: 0...1_000)
        trailingStop = try exits["trailing_stop"]?.number("trailing_stop", in: 0...1)
        timeStop = try exits["time_stop"]?.duration("time_stop")
    }

    /// Whether any rule reads the risk projection (tails, correlation, volume, volatility,
    /// drawdown, sizing on returns).
    public var needsRiskProjection: Bool {
        if valueAtRisk != nil || expectedShortfall != nil || correlation != nil || maxVolumeFraction != nil || maxDrawdown != nil || volatilityStop != nil {
            return true
        }
        switch sizing {
        case .volatilityTarget, .kelly: return true
        case .signal, .fixedFraction: return false
        }
    }
}

extension RiskLimits.TailLimit {
    /// The measure of `returns` this limit reads: its value at risk or expected shortfall.
    func measure(_ returns: [Double], shortfall: Bool) -> Double {
        let pair: (valueAtRisk: Double, expectedShortfall: Double)
        switch method {
        case .historical: pair = RiskMath.historical(returns, level: level)
        case .parametric: pair = RiskMath.parametric(returns, level: level)
        case .cornishFisher: pair = RiskMath.cornishFisher(returns, level: level)
        }
        return shortfall ? pair.expectedShortfall : pair.valueAtRisk
    }
}
