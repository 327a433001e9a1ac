/// A small closed set of codes stored as one integer field: sides, order types, verdicts.
/// The raw value is the stable code in encodings; `label` is the lower-case name in JSON.
public protocol EventCode: RawRepresentable, CaseIterable, Hashable, Sendable where RawValue == UInt8 {
    /// The lower-case snake-case name used in JSON output.
    var label: String { get }
}

extension EventCode {
    /// The code with the given label, if any.
    public init?(label: String) {
        guard let match = Self.allCases.first(where: { $0.label == label }) else { return nil }
        self = match
    }
}

/// The side that initiated a trade (the taker), when the venue says.
public enum AggressorSide: UInt8, EventCode {
    case unknown = 0, buy = 1, sell = 2
    public var label: String { ["unknown", "buy", "sell"][Int(rawValue)] }
}

/// A side of an order book.
public enum BookSide: UInt8, EventCode {
    case bid = 1, ask = 2
    public var label: String { self == .bid ? "bid" : "ask" }
}

/// The side of an order or fill.
public enum OrderSide: UInt8, EventCode {
    case buy = 1, sell = 2
    public var label: String { self == .buy ? "buy" : "sell" }
    /// The other side.
    public var opposite: OrderSide { self == .buy ? .sell : .buy }
}

/// How an order is priced.
public enum OrderType: UInt8, EventCode {
    case market = 1, limit = 2, stop = 3, stopLimit = 4
    public var label: String { ["", "market", "limit", "stop", "stop_limit"][Int(rawValue)] }
}

/// How long an order rests.
public enum TimeInForce: UInt8, EventCode {
    case goodTillCanceled = 1, immediateOrCancel = 2, fillOrKill = 3, goodTillTime = 4, day = 5
    public var label: String { ["", "gtc", "ioc", "fok", "gtd", "day"][Int(rawValue)] }
}

/// The execution algorithm a parent order runs, if any.
public enum ExecutionAlgorithm: UInt8, EventCode {
    case none = 0, twap = 1, vwap = 2, pov = 3
    public var label: String { ["none", "twap", "vwap", "pov"][Int(rawValue)] }
}

/// Whether a fill added liquidity (maker) or took it (taker).
public enum Liquidity: UInt8, EventCode {
    case maker = 1, taker = 2
    public var label: String { self == .maker ? "maker" : "taker" }
}

/// How an on-chain transfer moves coins relative to exchanges.
public enum ExchangeFlow: UInt8, EventCode {
    case unknown = 0, inflow = 1, outflow = 2, mixed = 3
    public var label: String { ["unknown", "inflow", "outflow", "mixed"][Int(rawValue)] }
}

/// The verdict of the risk engine on a signal or order intent.
public enum RiskVerdict: UInt8, EventCode {
    case approve = 1, resize = 2, reject = 3, halt = 4, liquidate = 5
    public var label: String { ["", "approve", "resize", "reject", "halt", "liquidate"][Int(rawValue)] }
}

/// What a strategy's signal asks for.
public enum SignalKind: UInt8, EventCode {
    /// Hold this signed position.
    case targetPosition = 1
    /// Place this order.
    case orderIntent = 2
    /// Close the position.
    case exit = 3
    public var label: String { ["", "target_position", "order_intent", "exit"][Int(rawValue)] }
}

/// What a kill switch does.
public enum KillSwitchAction: UInt8, EventCode {
    case halt = 1, flattenAndHalt = 2, resume = 3
    public var label: String { ["", "halt", "flatten_and_halt", "resume"][Int(rawValue)] }
}

/// What kind of run a run journal records.
public enum RunKind: UInt8, EventCode {
    case backtest = 1, walkForward = 2, training = 3, paper = 4, live = 5, sweep = 6
    public var label: String { ["", "backtest", "walk_forward", "training", "paper", "live", "sweep"][Int(rawValue)] }
}

/// How a run ended.
public enum RunStatus: UInt8, EventCode {
    case completed = 1, failed = 2, aborted = 3
    public var label: String { ["", "completed", "failed", "aborted"][Int(rawValue)] }
}

/// The part of a walk-forward fold a boundary opens.
public enum FoldPhase: UInt8, EventCode {
    case train = 1, purge = 2, test = 3, embargo = 4
    public var label: String { ["", "train", "purge", "test", "embargo"][Int(rawValue)] }
}

/// On-chain metrics with a fixed meaning; values are stored at 8 decimals.
public enum OnChainMetricKind: UInt8, EventCode {
    case transactionCount = 1, activeAddresses = 2, exchangeInflow = 3, exchangeOutflow = 4,
         exchangeNetflow = 5, whaleTransactionCount = 6, whaleVolume = 7, hashRate = 8,
         difficulty = 9, totalFees = 10, mempoolSize = 11
    public var label: String {
        ["", "transaction_count", "active_addresses", "exchange_inflow", "exchange_outflow",
         "exchange_netflow", "whale_transaction_count", "whale_volume", "hash_rate",
         "difficulty", "total_fees", "mempool_size"][Int(rawValue)]
    }
}
