public import TapeCore

/// A closed trade: from the position leaving flat (or flipping) until it is flat again (or
/// flips), with its profit net of fees and funding in the valuation currency.
public struct ClosedTrade: Sendable, Equatable {
    public var instrument: InstrumentID
    /// 1 long, −1 short.
    public var side: Int
    public var opened: Int64
    public var closed: Int64
    public var profit: Double

    public init(instrument: InstrumentID, side: Int, opened: Int64, closed: Int64, profit: Double) {
        self.instrument = instrument
        self.side = side
        self.opened = opened
        self.closed = closed
        self.profit = profit
    }
}

/// What a run (or a fold's slice of one) did, sampled for its metrics: the equity curve on a
/// time grid, the closed trades, the time a position was held, what was traded, and the fees
/// and funding paid.
public struct Performance: Sendable {
    /// Sample times (nanoseconds since the epoch) and the equity then, in the valuation currency.
    public var times: [Int64] = []
    public var equity: [Double] = []
    /// At each sample: the market's price — the mark (else last trade) of the journal's first
    /// instrument, NaN before it has one — and the gross exposure over equity.
    public var prices: [Double] = []
    public var exposure: [Double] = []
    /// The grid's period (nanoseconds).
    public var period: Int64
    public var trades: [ClosedTrade] = []
    /// Nanoseconds with a position open, of the whole span.
    public var exposedTime: Int64 = 0
    public var span: Int64 = 0
    /// Σ |fill notional| in the valuation currency.
    public var traded: Double = 0
    /// Fees paid and funding paid (negative: received), in the valuation currency.
    public var fees: Double = 0
    public var funding: Double = 0

    public init(period: Int64) { self.period = period }

    /// Sampling periods in a 365-day year: what annualises the metrics.
    public var periodsPerYear: Double { Self.periodsPerYear(period) }

    public static func periodsPerYear(_ period: Int64) -> Double { 365.0 * 86_400_000_000_000 / Double(period) }
}
