/// The rules a risk decision reports (the `rule` codes of `RiskDecided.rules`; specs/risk.md).
/// A check's `measured` value is compared with its `limit`; it passes when it does not exceed it.
public enum RiskRule: UInt16, Sendable, CaseIterable {
    /// |position after the order| in size units, against the instrument's maximum.
    case maxPosition = 1
    /// Its notional in the valuation currency.
    case maxNotional = 2
    /// Gross exposure over equity after the order.
    case grossLeverage = 3
    /// |Net exposure| over equity after the order.
    case netLeverage = 4
    /// The instrument's exposure over equity after the order.
    case concentration = 5
    /// The account's value at risk (fraction of equity) at the configured level; a gate.
    case valueAtRisk = 6
    /// The account's expected shortfall likewise; a gate.
    case expectedShortfall = 7
    /// Exposure over equity in instruments correlated at or above the threshold with the order's.
    case correlatedExposure = 8
    /// The order's size over the size traded in the volume window.
    case volumeParticipation = 9
    /// The order's size over the book's depth on the side it takes, within the depth band.
    case depthParticipation = 10
    /// Orders placed in the rate window (the order included); a gate.
    case orderRate = 11
    /// The day's loss as a fraction of the day's starting equity: at the limit trading halts
    /// until the next UTC day.
    case dailyLoss = 12
    /// Drawdown from the peak of sampled equity: at the limit the kill switch flattens and halts.
    case drawdown = 13
    /// Maintenance margin over equity: at the limit positions are reduced.
    case liquidationBuffer = 14
    /// Exits: the adverse move from entry (fraction), the favourable move, the adverse move in
    /// volatilities, the retreat from the best price since entry, the time held.
    case stopLoss = 15
    case takeProfit = 16
    case volatilityStop = 17
    case trailingStop = 18
    case timeStop = 19
    /// Whether a price to value the order is known (1 when not); a gate.
    case priceKnown = 20
    /// Whether trading is halted (1 when it is); a gate for orders adding exposure.
    case halted = 21

    public var label: String {
        switch self {
        case .maxPosition: "max_position"
        case .maxNotional: "max_notional"
        case .grossLeverage: "gross_leverage"
        case .netLeverage: "net_leverage"
        case .concentration: "concentration"
        case .valueAtRisk: "value_at_risk"
        case .expectedShortfall: "expected_shortfall"
        case .correlatedExposure: "correlated_exposure"
        case .volumeParticipation: "volume_participation"
        case .depthParticipation: "depth_participation"
        case .orderRate: "order_rate"
        case .dailyLoss: "daily_loss"
        case .drawdown: "drawdown"
        case .liquidationBuffer: "liquidation_buffer"
        case .stopLoss: "stop_loss"
        case .takeProfit: "take_profit"
        case .volatilityStop: "volatility_stop"
        case .trailingStop: "trailing_stop"
        case .timeStop: "time_stop"
        case .priceKnown: "price_known"
        case .halted: "halted"
        }
    }
}

/// The inputs a sizing policy reports (the `input` codes of `RiskDecided.sizing`).
public enum SizingFactor: UInt16, Sendable, CaseIterable {
    case equity = 1
    case price = 2
    case strength = 3
    case fraction = 4
    /// Per-sample volatility of the instrument's mark returns.
    case volatility = 5
    /// The stop distance the fixed-fraction policy risks (a fraction of the price).
    case stopDistance = 6
    case meanReturn = 7
    case returnVariance = 8
    /// The signed position the policy sized, size units.
    case target = 9
    /// The position (ledger) and the working orders' net size when deciding.
    case position = 10
    case pending = 11

    public var label: String {
        switch self {
        case .equity: "equity"
        case .price: "price"
        case .strength: "strength"
        case .fraction: "fraction"
        case .volatility: "volatility"
        case .stopDistance: "stop_distance"
        case .meanReturn: "mean_return"
        case .returnVariance: "return_variance"
        case .target: "target"
        case .position: "position"
        case .pending: "pending"
        }
    }
}
