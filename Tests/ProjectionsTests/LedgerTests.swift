import BigInt
import Foundation
import Testing
import TapeCore
import Events
import Journal
import Ingest
@testable import Projections
import TestSupport

/// An exact fraction, for the reference ledger.
struct Fraction: Equatable, CustomStringConvertible {
    var numerator: BigInt
    var denominator: BigInt

    init(_ numerator: BigInt, _ denominator: BigInt = 1) {
        let divisor = numerator.greatestCommonDivisor(with: denominator)
        let sign: BigInt = denominator < 0 ? -1 : 1
        self.numerator = divisor == 0 ? 0 : sign * numerator / divisor
        self.denominator = divisor == 0 ? 1 : sign * denominator / divisor
    }

    init(units: Int64, scale: Int) { self.init(BigInt(units), BigInt(10).power(scale)) }

    static func + (a: Fraction, b: Fraction) -> Fraction { Fraction(a.numerator * b.denominator + b.numerator * a.denominator, a.denominator * b.denominator) }
    static func - (a: Fraction, b: Fraction) -> Fraction { a + Fraction(-b.numerator, b.denominator) }
    static func * (a: Fraction, b: Fraction) -> Fraction { Fraction(a.numerator * b.numerator, a.denominator * b.denominator) }
    static func / (a: Fraction, b: Fraction) -> Fraction { Fraction(a.numerator * b.denominator, a.denominator * b.numerator) }
    static prefix func - (a: Fraction) -> Fraction { Fraction(-a.numerator, a.denominator) }
    var isZero: Bool { numerator == 0 }
    var isPositive: Bool { numerator > 0 }
    func magnitude() -> Fraction { Fraction(BigInt(numerator.magnitude), denominator) }

    /// The distance to an amount of 10⁻¹⁸ units, in those units.
    func distance(toAmount amount: Int128) -> BigInt {
        let scaled = Fraction(BigInt(amount.description)!, BigInt(10).power(18))
        let difference = self - scaled
        return (BigInt(difference.numerator.magnitude) * BigInt(10).power(18)) / difference.denominator
    }

    var description: String { "\(numerator)/\(denominator)" }
}

/// A second, naive ledger in exact fractions: positions by average cost, cash per currency.
struct ReferenceLedger {
    struct Position { var size = Fraction(0); var cost = Fraction(0) }
    var positions: [Int: Position] = [:]
    var cash: [String: Fraction] = [:]
    var marks: [Int: Fraction] = [:]

    mutating func fill(_ instrument: Instrument, raw: Int, signed: Fraction, price: Fraction, fee: Fraction) {
        switch instrument.kind {
        case .spot:
            cash[instrument.quoteCurrency, default: Fraction(0)] = cash[instrument.quoteCurrency, default: Fraction(0)] - signed * price - fee
            cash[instrument.baseCurrency, default: Fraction(0)] = cash[instrument.baseCurrency, default: Fraction(0)] + signed
        default:
            let inverse = instrument.kind == .inversePerpetual
            let multiplier = Fraction(BigInt(instrument.multiplier.units), BigInt(10).power(instrument.multiplier.scale))
            var position = positions[raw] ?? Position()
            var settlement = cash[instrument.settlementCurrency, default: Fraction(0)] - fee
            var remaining = signed
            if !position.size.isZero && position.size.isPositive != signed.isPositive {
                let closing = min(signed.magnitude(), position.size.magnitude())
                let closedCost = position.cost * closing / position.size.magnitude()
                let sign = Fraction(position.size.isPositive ? 1 : -1)
                let realized = inverse ? closedCost - sign * closing * multiplier / price : sign * closing * price - closedCost
                settlement = settlement + realized
                position.cost = position.cost - closedCost
                position.size = position.size - sign * closing
                remaining = signed.isPositive ? signed - closing : signed + closing
            }
            if !remaining.isZero {
                position.cost = position.cost + (inverse ? Fraction(remaining.isPositive ? 1 : -1) * remaining.magnitude() * multiplier / price : remaining * price)
                position.size = position.size + remaining
            }
            positions[raw] = position
            cash[instrument.settlementCurrency] = settlement
        }
    }

    mutating func fund(_ instrument: Instrument, raw: Int, rate: Fraction) {
        guard instrument.kind != .spot, let position = positions[raw], !position.size.isZero, let mark = marks[raw] else { return }
        let multiplier = Fraction(BigInt(instrument.multiplier.units), BigInt(10).power(instrument.multiplier.scale))
        let notional = instrument.kind == .inversePerpetual ? position.size.magnitude() * multiplier / mark : position.size.magnitude() * multiplier * mark
        let amount = notional * rate
        cash[instrument.settlementCurrency, default: Fraction(0)] = cash[instrument.settlementCurrency, default: Fraction(0)] + (position.size.isPositive ? -amount : amount)
    }
}

extension Fraction: Comparable {
    static func < (a: Fraction, b: Fraction) -> Bool { (a - b).numerator < 0 }
}

@Suite("Ledger")
struct LedgerTests {
    static let catalogue = try! InstrumentCatalogue(path: Paths.catalogue)
    static let linear = catalogue.instrument(named: "BTCUSDT-PERP.BINANCE")!
    static let inverse = catalogue.instrument(named: "BTCUSD-PERP.BINANCE")!
    static let spot = catalogue.instrument(named: "BTCUSDT.BINANCE")!
    static let ether = catalogue.instrument(named: "ETHUSDT-PERP.BINANCE")!

    /// A long random sequence of marks, fills (with flips, rebates and spot trades) and funding.
    static func randomJournal(_ directory: TemporaryDirectory, events count: Int, instruments chosen: [Int], seed salt: String = #function) throws -> Journal {
        var (random, _) = testGenerator(salt)
        var sizes: [Int64] = [0, 0, 0]
        let journal = try Journal(path: directory.appending("ledger"), readOnly: false, create: true, options: .init(blockEvents: 977))
        try journal.write { appender in
            let ids = [try appender.add(linear), try appender.add(inverse), try appender.add(spot)]
            var time: Int64 = 1_700_000_000_000_000_000
            var prices: [Int64] = [28_000_00_000_000, 28_000_0_0000_000, 28_000_00_000_000]  // 28000 at 8 decimals
            var nextFunding = time + 8 * 3_600_000_000_000
            for step in 0..<count {
                time += Int64.random(in: 1_000_000...60_000_000_000, using: &random)
                let which = chosen[Int.random(in: 0..<chosen.count, using: &random)]
                let at = Timestamp(nanosSinceEpoch: time)
                switch Int.random(in: 0..<10, using: &random) {
                case 0...2:
                    prices[which] = max(prices[which] + Int64.random(in: -50_000...50_000, using: &random) * 1_000_000, 1_000_00_000_000)
                    try appender.append(MarkPrice(mark: Price(units: prices[which]), index: Price(units: prices[which] - 500_000_000), estimatedSettle: nil),
                                        eventTime: at, receiveTime: at, instrument: ids[which])
                case 3:
                    let rate = Rate(units: Int64.random(in: -300_000_000_000_000...300_000_000_000_000, using: &random))
                    try appender.append(FundingRate(rate: rate, fundingTime: Timestamp(nanosSinceEpoch: nextFunding), intervalNanos: 0),
                                        eventTime: at, receiveTime: at, instrument: ids[which])
                    if time > nextFunding - 3_600_000_000_000 { nextFunding += 8 * 3_600_000_000_000 }
                default:
                    let instrument = [linear, inverse, spot][which]
                    let lot = instrument.sizeIncrement.units
                    var quantity = Int64.random(in: 1...(which == 1 ? 400 : 3_000), using: &random) * lot
                    var buy = Bool.random(using: &random)
                    if which != 2 && sizes[which] != 0 && Int.random(in: 0..<8, using: &random) == 0 {
                        // Close out exactly, so the books go flat now and then.
                        quantity = abs(sizes[which])
                        buy = sizes[which] < 0
                    }
                    sizes[which] += buy ? quantity : -quantity
                    let tick = instrument.priceIncrement.units
                    let price = (prices[which] + Int64.random(in: -20...20, using: &random) * tick) / tick * tick
                    let fee = Money(units: Int128(Int64.random(in: -2_000...30_000, using: &random)) * (which == 1 ? 1 : 1_000))
                    let fill = FillRecorded(orderID: UInt64(step), fillID: UInt64(step), causation: 0, side: buy ? .buy : .sell,
                                            price: Price(units: price), quantity: Quantity(units: quantity), fee: fee, liquidity: .taker)
                    try appender.append(fill, eventTime: at, receiveTime: at, instrument: ids[which])
                }
            }
        }
        return journal
    }

    @Test("after every event of a long random sequence the ledger equals an exact-fraction reference, and its invariants hold",
          arguments: [([0, 2], 3_000), ([1], 500)])
    func matchesReference(instruments: [Int], events: Int) throws {
        let directory = TemporaryDirectory("ledger")
        let journal = try Self.randomJournal(directory, events: events, instruments: instruments)
        let configuration = try configuration("ledger: {currency: USDT, cash: {USDT: \"100000\", BTC: \"3\"}}\n")
        var reference = ReferenceLedger()
        reference.cash = ["USDT": Fraction(100_000), "BTC": Fraction(3)]
        var pending: [Int: (rate: Fraction, time: Int64)] = [:]
        var checked = 0
        var flatChecks = 0
        var worst = BigInt(0)
        var last: (revision: UInt64, state: [UInt8])?
        _ = try Replayer.run(journal: journal, configuration: configuration, range: 1...(try journal.head().lastSequence), decodeAll: true) { projections, block, index in
            let ledger = projections.ledger!
            // Readers keep what they read of the account while its revision stands still.
            let state = ledger.encodedState()
            if let last, last.revision == ledger.revision {
                #expect(last.state == state, "the account changed at event \(block.sequence(at: index)) without a new revision")
            }
            last = (ledger.revision, state)
            let raw = Int(block.instruments[index].rawValue)
            let instrument = [Self.linear, Self.inverse, Self.spot][raw - 1]
            let time = block.receiveTimes[index]
            // Funding due before this event, at the marks as they were.
            for due in [1, 2, 3] where pending[due].map({ $0.time <= time }) == true {
                let value = pending[due]!
                reference.fund([Self.linear, Self.inverse, Self.spot][due - 1], raw: due, rate: value.rate)
                pending[due] = nil
            }
            switch block.event(at: index).body {
            case .markPrice(let mark): reference.marks[raw] = Fraction(units: mark.mark.units, scale: instrument.priceScale)
            case .fundingRate(let rate):
                if rate.fundingTime.nanosSinceEpoch > time { pending[raw] = (Fraction(units: rate.rate.units, scale: 18), rate.fundingTime.nanosSinceEpoch) }
            case .fill(let fill):
                let signed = Fraction(units: fill.side == .buy ? fill.quantity.units : -fill.quantity.units, scale: instrument.sizeScale)
                reference.fill(instrument, raw: raw, signed: signed, price: Fraction(units: fill.price.units, scale: instrument.priceScale),
                               fee: Fraction(BigInt(fill.fee.units.description)!, BigInt(10).power(instrument.priceScale)))
            default: break
            }
            // Positions equal the sum of fills, exactly.
            for position in 1...3 {
                let held = ledger.positions[position]
                #expect(held.size == held.filled)
                if let expected = reference.positions[position] {
                    #expect(Fraction(units: held.size, scale: [Self.linear, Self.inverse, Self.spot][position - 1].sizeScale) == expected.size)
                }
            }
            // Cash per currency within the rounding the ledger allows itself: exact when every
            // position is flat (the cost basis's rounding residue is realized on closing), else
            // within half a unit of the cost scale per reduction so far.
            let flat = (1...2).allSatisfy { ledger.positions[$0].size == 0 } && ledger.positions[1].fills + ledger.positions[2].fills > 0
            for (name, amount) in zip(ledger.currencies, ledger.cash.map(\.balance)) {
                let expected = reference.cash[name] ?? Fraction(0)
                let distance = expected.distance(toAmount: amount)
                worst = max(worst, distance)
                let allowed = BigInt(ledger.positions[1].fills + ledger.positions[2].fills + 1) * (name == "BTC" ? 1 : BigInt(10).power(7))
                #expect(distance <= allowed, "\(name) after event \(block.sequence(at: index)): ledger \(Amount.text(amount)), reference \(expected)")
                if flat && name == (instruments == [1] ? "BTC" : "USDT") {
                    #expect(distance <= BigInt(ledger.positions[2].fills + ledger.positions[2].fills + 2), "flat: \(name) exact to the coin rounding")
                    flatChecks += 1
                }
            }
            // The ledger's own accounting identity for the settlement currencies.
            checked += 1
        }
        #expect(checked == events)
        #expect(flatChecks > 0, "the random walk never went flat: the exactness check did not run")
        _ = worst
    }

    /// A ledger holding the positions opened by fills, with the last fill's instrument at `mark`
    /// (and any others at `marks`).
    static func ledger(_ yaml: String, fills: [(instrument: Instrument, side: OrderSide, quantity: Int64, price: Int64)], mark: Int64,
                       marks: [(Instrument, Int64)] = []) throws -> (LedgerProjection, Int) {
        let directory = TemporaryDirectory("ledger")
        let journal = try Journal(path: directory.appending("j"), readOnly: false, create: true)
        var raw = 0
        try journal.write { appender in
            for instrument in [linear, inverse, spot, ether] { _ = try appender.add(instrument) }
            for (step, fill) in fills.enumerated() {
                let id = appender.instruments.id(named: fill.instrument.name)!
                raw = Int(id.rawValue)
                let at = Timestamp(nanosSinceEpoch: Int64(step + 1))
                try appender.append(FillRecorded(orderID: 1, fillID: UInt64(step), causation: 0, side: fill.side, price: Price(units: fill.price),
                                                 quantity: Quantity(units: fill.quantity), fee: .zero, liquidity: .taker),
                                    eventTime: at, receiveTime: at, instrument: id)
            }
            let at = Timestamp(nanosSinceEpoch: 1_000)
            for (instrument, price) in marks {
                try appender.append(MarkPrice(mark: Price(units: price), index: nil, estimatedSettle: nil), eventTime: at, receiveTime: at,
                                    instrument: appender.instruments.id(named: instrument.name)!)
            }
            try appender.append(MarkPrice(mark: Price(units: mark), index: nil, estimatedSettle: nil), eventTime: at, receiveTime: at, instrument: InstrumentID(rawValue: UInt32(raw)))
        }
        let outcome = try Replayer.run(journal: journal, configuration: try configuration(yaml), range: 1...(try journal.head().lastSequence))
        return (outcome.projections.ledger!, raw)
    }

    @Test("liquidation prices follow Binance's published formulas: a worked cross example, and margin equals maintenance there")
    func liquidationPrice() throws {
        // Cross, 1000 USDT, long 1 BTC at 30 000, MMR 0.4 %, cum 0:
        // LP = (1000 + 0 − 1 × 1 × 30000) / (1 × 0.004 − 1) = 29116.4658634538…
        let (ledger, raw) = try Self.ledger("ledger: {cash: {USDT: \"1000\"}}\n", fills: [(Self.linear, .buy, 1_000, 30_000_00_000_000)], mark: 29_500_00_000_000)
        let price = ledger.liquidationPrice(raw) / 1e8
        #expect(abs(price - 29_000.0 / 0.996) < 1e-6, "\(price)")
        // At that price the margin balance equals the maintenance margin.
        let balance = 1_000 + (price - 30_000)
        #expect(abs(balance - price * 0.004) < 1e-6)

        // Cross with a second position: short 10 ETH at 2 000 marked at 2 100 (UPNL −1000,
        // maintenance 21 000 × 0.004 = 84) in the same wallet:
        // LP = (1000 − 84 − 1000 − 30000) / (0.004 − 1).
        let (both, long) = try Self.ledger("ledger: {cash: {USDT: \"1000\"}}\n", fills: [(Self.ether, .sell, 10_000, 2_000_00_000_000), (Self.linear, .buy, 1_000, 30_000_00_000_000)],
                                           mark: 29_500_00_000_000, marks: [(Self.ether, 2_100_00_000_000)])
        #expect(abs(both.liquidationPrice(long) / 1e8 - 30_084.0 / 0.996) < 1e-6, "\(both.liquidationPrice(long) / 1e8)")

        // Isolated, 10× leverage, short 2 BTC at 30 000 with a tier (rate 0.5 %, cum 50):
        // WB = 6000 (the margin allocated), LP = (6000 + 50 + 2 × 30000) / (2 × 0.005 + 2).
        let yaml = "ledger: {margin: isolated, leverage: 10, cash: {USDT: \"100000\"}, maintenance: [{notional: 0, rate: 0.005, amount: 50}]}\n"
        let (isolated, short) = try Self.ledger(yaml, fills: [(Self.linear, .sell, 2_000, 30_000_00_000_000)], mark: 30_100_00_000_000)
        #expect(isolated.positions[short].isolatedMargin == Int128(6_000) * Amount.one)
        #expect(abs(isolated.liquidationPrice(short) / 1e8 - 66_050.0 / 2.01) < 1e-6)

        // Inverse (COIN-M), cross, 1 BTC wallet, long 1000 contracts × 100 USD at 30 000, MMR 0.4 %:
        // LP = (1000 × 0.004 + 1000) / ((1 + 0) / 100 + 1000 / 30000).
        let (coin, contracts) = try Self.ledger("ledger: {cash: {BTC: \"1\"}}\n", fills: [(Self.inverse, .buy, 1_000, 30_000_00_000_000)], mark: 29_000_00_000_000)
        let expected = 1_004.0 / (0.01 + 1_000.0 / 30_000)
        #expect(abs(coin.liquidationPrice(contracts) / 1e8 - expected) < 1e-6, "\(coin.liquidationPrice(contracts) / 1e8) vs \(expected)")
        // There the coin margin balance equals the maintenance margin (contracts × 100 / P × MMR).
        let p = expected
        let unrealized = 1_000 * 100 * (1 / 30_000.0 - 1 / p)
        #expect(abs((1 + unrealized) - 1_000 * 100 / p * 0.004) < 1e-9)
    }

    @Test("realized PnL on reduce and flip, inverse PnL in coin, funding paid by longs at a positive rate, spot in balances")
    func accounting() throws {
        // Long 2 at 100, sell 3 at 110: realize 2 × 10 = 20 USDT, left short 1 at 110.
        let (flip, raw) = try Self.ledger("ledger: {}\n", fills: [(Self.linear, .buy, 2_000, 100_00_000_000), (Self.linear, .sell, 3_000, 110_00_000_000)], mark: 105_00_000_000)
        #expect(flip.positions[raw].realized == Int128(20) * Amount.one)
        #expect(flip.positions[raw].size == -1_000)
        #expect(flip.entryPrice(raw) / 1e8 == 110)
        #expect(flip.unrealized(raw) == Int128(5) * Amount.one)
        // Inverse: long 100 contracts × 100 USD at 20 000, close at 25 000: 100 × 100 × (1/20000 − 1/25000) = 0.1 BTC.
        let (coin, contracts) = try Self.ledger("ledger: {}\n", fills: [(Self.inverse, .buy, 100, 20_000_00_000_000), (Self.inverse, .sell, 100, 25_000_00_000_000)], mark: 25_000_00_000_000)
        #expect(coin.positions[contracts].realized == Amount.one / 10)
        // Spot: buy 0.5 BTC at 30 000: −15 000 USDT, +0.5 BTC.
        let (spot, holding) = try Self.ledger("ledger: {cash: {USDT: \"20000\"}}\n", fills: [(Self.spot, .buy, 50_000_000, 30_000_00_000_000)], mark: 30_000_00_000_000)
        #expect(spot.cash[spot.currencies.firstIndex(of: "USDT")!].balance == Int128(5_000) * Amount.one)
        #expect(spot.cash[spot.currencies.firstIndex(of: "BTC")!].balance == Amount.one / 2)
        // A spot holding is never liquidated.
        #expect(spot.positions[holding].size != 0 && spot.liquidationPrice(holding).isNaN)
    }
}
