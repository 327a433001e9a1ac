import Configuration
import TapeCore

/// Options of the ledger projection (specs/projections.md §6).
public struct LedgerOptions: Sendable, Equatable {
    public enum MarginMode: String, Sendable { case cross, isolated }
    public enum FundingSource: String, Sendable { case rates, payments }

    /// One maintenance-margin tier: from `notional` (in the settlement currency; the first tier
    /// starts at 0) the rate and the maintenance amount (Binance's `cum`).
    public struct Tier: Sendable, Equatable {
        public var notional: Int128
        public var rate: Double
        public var amount: Int128
        public init(notional: Int128, rate: Double, amount: Int128) {
            self.notional = notional
            self.rate = rate
            self.amount = amount
        }
    }

    public struct InstrumentOptions: Sendable, Equatable {
        public var leverage: Double?
        public var tiers: [Tier]?
        public init() {}
    }

    /// The currency equity, exposure and leverage are measured in; nil: the first settlement
    /// currency the account uses.
    public var currency: String?
    public var margin = MarginMode.cross
    public var leverage = 10.0
    /// Maintenance tiers for instruments without their own (Binance's first BTCUSDT tier).
    public var tiers = [Tier(notional: 0, rate: 0.004, amount: 0)]
    /// Per instrument (`SYMBOL.VENUE`).
    public var instruments: [String: InstrumentOptions] = [:]
    /// Starting balances, per currency, in 10⁻¹⁸ units.
    public var cash: [(currency: String, amount: Int128)] = []
    /// Where funding comes from: computed from funding-rate events at each funding time, or
    /// taken from funding-payment events.
    public var funding = FundingSource.rates
    /// Which instrument's price converts a currency into `currency` (e.g. BTC: BTCUSDT-PERP.BINANCE).
    public var conversions: [String: String] = [:]

    public init() {}

    public static func == (lhs: LedgerOptions, rhs: LedgerOptions) -> Bool {
        lhs.currency == rhs.currency && lhs.margin == rhs.margin && lhs.leverage == rhs.leverage && lhs.tiers == rhs.tiers
            && lhs.instruments == rhs.instruments && lhs.cash.map(\.currency) == rhs.cash.map(\.currency)
            && lhs.cash.map(\.amount) == rhs.cash.map(\.amount) && lhs.funding == rhs.funding && lhs.conversions == rhs.conversions
    }

    init(_ node: ConfigNode) throws(ConfigError) {
        let fields = try node.mapping(allowed: ["currency", "margin", "leverage", "maintenance", "instruments", "cash", "funding", "convert"], what: "ledger")
        currency = try fields["currency"].map { (node) throws(ConfigError) in try node.text("currency") }
        if let node = fields["margin"] {
            guard let mode = MarginMode(rawValue: try node.text("margin")) else { throw node.error("margin must be cross or isolated") }
            margin = mode
        }
        if let node = fields["leverage"] { leverage = try node.number("leverage", in: 1...1_000) }
        if let node = fields["maintenance"] { tiers = try Self.tiers(node) }
        if let node = fields["funding"] {
            guard let source = FundingSource(rawValue: try node.text("funding")) else { throw node.error("funding must be rates or payments") }
            funding = source
        }
        if let node = fields["cash"] {
            let balances = try node.mapping(allowed: Set(try node.keys("cash")), what: "cash")
            for key in balances.keys {
                cash.append((key, Int128(try balances.required(key).decimal("cash \(key)", scale: 9)) * 1_000_000_000))
            }
        }
        if let node = fields["convert"] {
            let pairs = try node.mapping(allowed: Set(try node.keys("convert")), what: "convert")
            for key in pairs.keys { conversions[key] = try pairs.required(key).text("convert \(key)") }
        }
        if let node = fields["instruments"] {
            let map = try node.mapping(allowed: Set(try node.keys("instruments")), what: "ledger instruments")
            for name in map.keys {
                let entry = try map.required(name).mapping(allowed: ["leverage", "maintenance"], what: "ledger instrument \(name)")
                var options = InstrumentOptions()
                options.leverage = try entry["leverage"].map { (node) throws(ConfigError) in try node.number("leverage", in: 1...1_000) }
                options.tiers = try entry["maintenance"].map { (node) throws(ConfigError) in try Self.tiers(node) }
                instruments[name] = options
            }
        }
    }

    private static func tiers(_ node: ConfigNode) throws(ConfigError) -> [Tier] {
        var tiers: [Tier] = []
        for item in try node.list("maintenance") {
            let entry = try item.mapping(allowed: ["notional", "rate", "amount"], what: "a maintenance tier")
            let notional = Int128(try entry.required("notional").decimal("notional", scale: 9)) * 1_000_000_000
            let rate = try entry.required("rate").number("rate", in: 0...1)
            let amount = try entry["amount"].map { (node) throws(ConfigError) in Int128(try node.decimal("amount", scale: 9)) * 1_000_000_000 } ?? 0
            if let last = tiers.last, notional <= last.notional { throw item.error("maintenance tiers must be in increasing notional") }
            tiers.append(Tier(notional: notional, rate: rate, amount: amount))
        }
        guard let first = tiers.first, first.notional == 0 else { throw node.error("the first maintenance tier starts at notional 0") }
        return tiers
    }
}
