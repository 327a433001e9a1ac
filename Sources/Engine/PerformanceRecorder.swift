public import Events
import Projections
public import TapeCore

/// Records a run's `Performance` as a replay of it goes (a `RunVisitor`): the equity on a grid
/// of `period` from the first event, the trades as positions open and close, the time a
/// position is held, the notional traded, and in the end the fees and funding paid
/// (specs/metrics.md).
public struct PerformanceRecorder: RunVisitor {
    public private(set) var performance: Performance
    private let settlement: [String]
    /// The next grid time, and the account's readings last read (the equity at a grid time is
    /// the equity after the last step before it).
    private var nextSample = Int64.min
    private var equity = Double.nan
    private var price = Double.nan
    private var gross = 0.0
    /// 10^price scale of the journal's first instrument.
    private let priceUnit: Double
    private var first = Int64.min
    private var last = Int64.min
    private var exposed = false
    /// Per instrument id: the open trade (side 0: none) and the position's realized, fees and
    /// funding when it opened (10⁻¹⁸ units).
    private var open: [(side: Int, opened: Int64, amounts: Amounts)]
    /// The fill (or liquidation) the fold took last, not yet read back from the ledger: its
    /// instrument and the position's amounts before it.
    private var pending: (raw: Int, before: Amounts)?

    /// A position's realized profit, fees and funding, 10⁻¹⁸ units.
    private struct Amounts {
        var realized: Int128 = 0
        var fees: Int128 = 0
        var funding: Int128 = 0

        init() {}

        init(_ position: LedgerPosition) {
            realized = position.realized
            fees = position.fees
            funding = position.funding
        }
    }

    public init(period: Int64, instruments: InstrumentTable) {
        precondition(period > 0, "a sampling period is positive")
        performance = Performance(period: period)
        settlement = [""] + instruments.instruments.map(\.settlementCurrency)
        open = Array(repeating: (0, 0, Amounts()), count: instruments.count + 1)
        priceUnit = instruments.instruments.first.map { Double(FixedPoint.powersOfTen[$0.priceScale]) } ?? 1
    }

    public mutating func run(_ run: DecodedBlock, at index: Int, source: DecodedBlock, at sourceIndex: Int, fold: inout RunFold) throws {
        guard fold.hasLedger else { return }
        if pending != nil { settle(fold, time: source.receiveTimes[sourceIndex]) }
        let raw = Int(run.instruments[index].rawValue)
        let quantity: Quantity, price: Price
        switch run.types[index] {
        case .fill: (quantity, price) = (run.payloads.fills[Int(run.slots[index])].quantity, run.payloads.fills[Int(run.slots[index])].price)
        case .liquidation: (quantity, price) = (run.payloads.liquidations[Int(run.slots[index])].quantity, run.payloads.liquidations[Int(run.slots[index])].price)
        default: return
        }
        let ledger = fold.projections.ledger!
        performance.traded += ledger.exposure(raw, size: quantity.units, price: price.units)
        pending = (raw, Amounts(ledger.positions[raw]))
    }

    /// The samples whose grid time this step reaches take the state before it: the account is
    /// read only then, not at every step.
    public mutating func beginStep(_ source: DecodedBlock, at index: Int, fold: inout RunFold) throws {
        let time = source.receiveTimes[index]
        guard first != .min, time >= nextSample else { return }
        read(fold)
        while time >= nextSample {
            sample(at: nextSample)
            nextSample += performance.period
        }
    }

    public mutating func endStep(_ source: DecodedBlock, at index: Int, fold: inout RunFold) throws {
        guard fold.hasLedger else { return }
        let time = source.receiveTimes[index]
        if first == .min {
            first = time
            nextSample = (time / performance.period + 1) * performance.period
            read(fold)
            sample(at: time)
        }
        if exposed { performance.exposedTime += time - last }
        last = time
        exposed = fold.risk.state.held > 0
        if pending != nil { settle(fold, time: time) }
    }

    /// Ends the record at the last step: its equity is the curve's last point, and the fees
    /// and funding are the ledger's totals at its rates then.
    public mutating func finish(_ fold: borrowing RunFold) {
        guard let ledger = fold.projections.ledger, first != .min else { return }
        if performance.times.last != last {
            read(fold)
            sample(at: last)
        }
        performance.span = last - first
        for (currency, name) in ledger.currencies.enumerated() {
            let rate = ledger.rate(name)
            performance.fees += Double(ledger.cash[currency].fees) / 1e18 * rate
            performance.funding -= Double(ledger.cash[currency].funding) / 1e18 * rate
        }
    }

    /// The equity, the market's price and the gross exposure of the account in `fold` (at
    /// samples only: reading the ledger out of the projections copies it).
    private mutating func read(_ fold: borrowing RunFold) {
        let ledger = fold.projections.ledger!
        equity = ledger.margin().equity
        if ledger.positions.count > 1, ledger.positions[1].mark > 0 { price = Double(ledger.positions[1].mark) / priceUnit }
        gross = 0
        if fold.risk.state.held > 0 {
            for raw in 1..<ledger.positions.count where ledger.positions[raw].size != 0 {
                gross += abs(ledger.exposure(raw, size: ledger.positions[raw].size, price: ledger.positions[raw].mark))
            }
        }
    }

    private mutating func sample(at time: Int64) {
        performance.times.append(time)
        performance.equity.append(equity)
        performance.prices.append(price)
        performance.exposure.append(equity > 0 ? gross / equity : .nan)
    }

    /// Reads back the fill the fold took last: it closes the open trade when the position went
    /// flat or flipped (a flip's fee is the closing trade's), and opens one when it left flat
    /// or flipped (from flat, the opening fill's fee is the new trade's).
    /// (Called only with a fill pending: the fold is copied into the call.)
    private mutating func settle(_ fold: borrowing RunFold, time: Int64) {
        guard let (raw, before) = pending else { return }
        pending = nil
        let ledger = fold.projections.ledger!
        let position = ledger.positions[raw]
        let side = position.size > 0 ? 1 : position.size < 0 ? -1 : 0
        let trade = open[raw]
        guard side != trade.side else { return }
        let after = Amounts(position)
        if trade.side != 0 {
            let profit = (after.realized - trade.amounts.realized) - (after.fees - trade.amounts.fees) + (after.funding - trade.amounts.funding)
            performance.trades.append(ClosedTrade(
                instrument: InstrumentID(rawValue: UInt32(raw)), side: trade.side, opened: trade.opened, closed: time,
                profit: Double(profit) / 1e18 * ledger.rate(settlement[raw])))
        }
        open[raw] = (side, time, trade.side == 0 ? before : after)
    }
}

extension RunReplay {
    /// The run's performance, its equity sampled every `period` nanoseconds.
    public func performance(period: Int64) throws -> Performance {
        var recorder = try PerformanceRecorder(period: period, instruments: source.instruments())
        let fold = try replay(visitor: &recorder)
        recorder.finish(fold)
        return recorder.performance
    }
}
