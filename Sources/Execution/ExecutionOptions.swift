public import Configuration
public import Events
public import TapeCore

/// How the simulator executes orders: the `execution` section of a run configuration
/// (specs/execution.md).
public struct ExecutionOptions: Sendable, Equatable {
    /// How a taker's price is worsened when there is no order book to walk.
    public enum Slippage: Sendable, Equatable {
        /// A fixed number of basis points beyond the reference price.
        case fixed(basisPoints: Double)
        /// This fraction of the quoted spread beyond the reference price (0 without a quote).
        case spread(fraction: Double)
        /// Square-root impact: `coefficient × √(quantity / volume)` of the price, the volume
        /// traded over the last `window` nanoseconds (the whole quantity when none traded).
        case squareRoot(coefficient: Double, window: Int64)
    }

    /// Fee rates of liquidity added and taken (negative: a rebate).
    public var makerFee = Rate(units: 200_000_000_000_000)
    public var takerFee = Rate(units: 400_000_000_000_000)
    /// Nanoseconds from submission (or a cancel request) to the venue acting on it.
    public var submitLatency: Int64 = 0
    public var cancelLatency: Int64 = 0
    public var slippage = Slippage.fixed(basisPoints: 0)
    /// Whether a resting limit order keeps its place in the queue of its level (L2 data
    /// only): trades at its price fill it once the size ahead of it has traded.
    public var queuePosition = false
    /// TWAP: the parent is sliced into `twapSlices` equal children over `twapDuration`.
    public var twapDuration: Int64 = 600_000_000_000
    public var twapSlices = 10
    /// VWAP: children over `vwapDuration` in `vwapBuckets` buckets, sized by the volume traded
    /// in the same buckets of the window before the order (equal without history).
    public var vwapDuration: Int64 = 1_800_000_000_000
    public var vwapBuckets = 6
    /// POV: children take this fraction of the volume traded after the order.
    public var povParticipation = 0.1
    /// The algorithm that works the market orders a run places for its signals, when they are
    /// `algorithmMinimum` or larger (in the instrument's units); `.none` sends them as they
    /// are. The risk engine's own orders are never worked.
    public var algorithm = ExecutionAlgorithm.none
    public var algorithmMinimum = ScaledDecimal(units: 0, scale: 0)

    public init() {}

    /// The algorithm for a market order of `quantity` size units (at `sizeScale` decimals)
    /// placed for a signal.
    public func algorithm(forQuantity quantity: Int64, sizeScale: Int) -> ExecutionAlgorithm {
        guard algorithm != .none else { return .none }
        let size = Int128(quantity.magnitude) * Int128(FixedPoint.powersOfTen[algorithmMinimum.scale])
        let minimum = Int128(algorithmMinimum.units) * Int128(FixedPoint.powersOfTen[sizeScale])
        return size >= minimum ? algorithm : .none
    }

    /// Reads the `execution` section.
    public init(_ node: ConfigNode) throws(ConfigError) {
        let top = try node.mapping(allowed: ["fees", "latency", "slippage", "queue", "twap", "vwap", "pov", "algorithm"], what: "execution")
        if let fees = top["fees"] {
            let mapping = try fees.mapping(allowed: ["maker", "taker"], what: "execution fees")
            if let maker = mapping["maker"] { makerFee = Rate(units: try maker.decimal("maker fee", scale: Rate.scale)) }
            if let taker = mapping["taker"] { takerFee = Rate(units: try taker.decimal("taker fee", scale: Rate.scale)) }
        }
        if let latency = top["latency"] {
            let mapping = try latency.mapping(allowed: ["submit", "cancel"], what: "execution latency")
            submitLatency = try mapping["submit"]?.duration("submit latency") ?? 0
            cancelLatency = try mapping["cancel"]?.duration("cancel latency") ?? 0
        }
        if let node = top["slippage"] { slippage = try Self.slippage(node) }
        queuePosition = try top["queue"]?.bool("queue") ?? false
        if let twap = top["twap"] {
            let mapping = try twap.mapping(allowed: ["duration", "slices"], what: "twap")
            twapDuration = try mapping["duration"]?.duration("twap duration") ?? twapDuration
            twapSlices = try mapping["slices"]?.integer("twap slices", in: 1...10_000) ?? twapSlices
        }
        if let vwap = top["vwap"] {
            let mapping = try vwap.mapping(allowed: ["duration", "buckets"], what: "vwap")
            vwapDuration = try mapping["duration"]?.duration("vwap duration") ?? vwapDuration
            vwapBuckets = try mapping["buckets"]?.integer("vwap buckets", in: 1...10_000) ?? vwapBuckets
        }
        if let pov = top["pov"] {
            let mapping = try pov.mapping(allowed: ["participation"], what: "pov")
            povParticipation = try mapping["participation"]?.number("pov participation", in: 0.000_001...1) ?? povParticipation
        }
        if let node = top["algorithm"] {
            let mapping = try node.mapping(allowed: ["type", "min_quantity"], what: "execution algorithm")
            let type = try mapping.required("type")
            let name = try type.text("algorithm type")
            guard let algorithm = ExecutionAlgorithm.allCases.first(where: { $0.label == name }) else {
                throw type.error("algorithm type '\(name)' is not twap, vwap, pov or none")
            }
            self.algorithm = algorithm
            if let minimum = mapping["min_quantity"] {
                let text = try minimum.text("min_quantity")
                guard let value = try? ScaledDecimal(parsing: text), value.units >= 0 else {
                    throw minimum.error("min_quantity '\(text)' is not a decimal of 0 or more")
                }
                algorithmMinimum = value
            }
        }
    }

    private static func slippage(_ node: ConfigNode) throws(ConfigError) -> Slippage {
        let mapping = try node.mapping(allowed: ["model", "bps", "fraction", "coefficient", "window"], what: "slippage")
        switch try mapping.required("model").text("slippage model") {
        case "fixed": return .fixed(basisPoints: try mapping.required("bps").number("slippage bps", in: 0...10_000))
        case "spread": return .spread(fraction: try mapping.required("fraction").number("slippage fraction", in: 0...100))
        case "sqrt":
            return .squareRoot(coefficient: try mapping.required("coefficient").number("slippage coefficient", in: 0...100),
                               window: try mapping.required("window").duration("slippage window"))
        case let other: throw node.error("slippage model '\(other)' is not fixed, spread or sqrt")
        }
    }

    /// Whether VWAP parents may be submitted: their profile needs the trade history of
    /// `vwapDuration`. A run sets it from `algorithm` (its only VWAP orders are the ones that
    /// routes); false, the simulator keeps no history for them.
    public var vwapOrders = true

    /// The longest span of trade history the options need (square-root impact, VWAP profiles):
    /// 0 when none, and then no trade is kept.
    var historyWindow: Int64 {
        let vwap = vwapOrders ? vwapDuration : 0
        if case .squareRoot(_, let window) = slippage { return max(window, vwap) }
        return vwap
    }
}
