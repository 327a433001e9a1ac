public import Events
public import TapeCore

/// One instrument's line in the account: the position (derivatives), the latest mark and the
/// pending funding.
public struct LedgerPosition: Sendable, Equatable {
    /// Signed size in the instrument's size units (contracts for inverse contracts).
    public internal(set) var size: Int64 = 0
    /// Signed cost basis: linear contracts Σ size × price in units of both scales multiplied;
    /// inverse contracts Σ contracts × multiplier / price in 10⁻¹⁸ of the settlement currency.
    public internal(set) var cost: Int128 = 0
    /// Isolated margin allocated (isolated mode), 10⁻¹⁸ units.
    public internal(set) var isolatedMargin: Int128 = 0
    /// Realized profit, fees paid and funding received on this instrument, 10⁻¹⁸ units.
    public internal(set) var realized: Int128 = 0
    public internal(set) var fees: Int128 = 0
    public internal(set) var funding: Int128 = 0
    public internal(set) var fills: UInt64 = 0
    /// Σ signed fill quantities (an invariant: it equals `size`).
    public internal(set) var filled: Int64 = 0
    /// The latest mark (price units, 0 unknown).
    public internal(set) var mark: Int64 = 0
    /// The pending funding rate (10⁻¹⁸) and its funding time (`.max`: none).
    public internal(set) var pendingRate: Int64 = 0
    public internal(set) var pendingTime = Int64.max
    /// Whether the mark comes from mark-price events (then trades no longer move it).
    var markedByMarkPrice = false
}

/// One currency's line in the account, 10⁻¹⁸ units: the balance, and the fees, realized PnL
/// and funding booked in it (their sum is the change of the balance since the start, besides
/// spot trades).
public struct LedgerCash: Sendable, Equatable {
    public internal(set) var balance: Int128 = 0
    public internal(set) var fees: Int128 = 0
    public internal(set) var realized: Int128 = 0
    public internal(set) var funding: Int128 = 0
}

/// The account's terms, fixed when it is made: shared by every copy of the ledger, so a copy
/// (each read of the ledger out of the projection set's optional makes one) retains three
/// references rather than every array and dictionary of the terms.
final class LedgerTerms: Sendable {
    let options: LedgerOptions
    let table: InstrumentTable
    /// The valuation currency, and every currency held, sorted by name.
    let currency: String
    let currencies: [String]
    /// Per instrument id (index 0 unused): its terms, the indices of its settlement, quote and
    /// base currencies (-1: none), its leverage and maintenance tiers.
    let contracts: [Contract]
    let settlement: [Int]
    let quoteIndex: [Int]
    let baseIndex: [Int]
    let leverage: [Double]
    let tiers: [[LedgerOptions.Tier]]
    /// The valuation currency's index.
    let valuationIndex: Int

    init(options: LedgerOptions, table: InstrumentTable) throws(ProjectionError) {
        self.options = options
        self.table = table
        var used = Set(options.cash.map(\.currency))
        for instrument in table.instruments where instrument.kind.isTradable {
            used.insert(instrument.settlementCurrency)
            used.insert(instrument.quoteCurrency)
            if instrument.kind == .spot { used.insert(instrument.baseCurrency) }
        }
        if let valuation = options.currency { used.insert(valuation) }
        let names = used.sorted()
        currencies = names
        let tradable = table.instruments.first { $0.kind.isTradable }
        currency = options.currency ?? tradable?.settlementCurrency ?? names.first ?? "USD"
        for name in options.instruments.keys.sorted() where table.id(named: name) == nil {
            throw .unknownInstrument(name, projection: LedgerProjection.name)
        }
        for name in options.conversions.values.sorted() where table.id(named: name) == nil {
            throw .unknownInstrument(name, projection: LedgerProjection.name)
        }
        let all = [Instrument?](arrayLiteral: nil) + table.instruments.map { Optional($0) }
        func index(_ name: String?) -> Int { name.flatMap { names.firstIndex(of: $0) } ?? -1 }
        settlement = all.map { index($0?.settlementCurrency) }
        quoteIndex = all.map { index($0?.quoteCurrency) }
        baseIndex = all.map { index($0?.baseCurrency) }
        contracts = all.map { $0?.contract ?? Contract(kind: .index, priceScale: 0, sizeScale: 0, multiplier: ScaledDecimal(units: 1, scale: 0)) }
        valuationIndex = index(currency)
        leverage = all.map { instrument in instrument.flatMap { options.instruments[$0.name]?.leverage } ?? options.leverage }
        tiers = all.map { instrument in instrument.flatMap { options.instruments[$0.name]?.tiers } ?? options.tiers }
    }
}

/// The account of a perpetual-futures and spot trader, exact in fixed point (specs/projections.md
/// §6): cash per currency, positions with average entry, realized PnL on reductions and flips,
/// maker/taker fees from fills, funding at each funding time, and at the latest marks the
/// unrealized PnL, margins, liquidation prices, equity, exposure and leverage.
///
/// Every amount is an `Int128` of 10⁻¹⁸ currency units; a division that cannot be exact rounds
/// half to even. Derived readings (`Valuation`) are computed on demand, in doubles.
public struct LedgerProjection: Projection, Sendable {
    public static let name = "ledger"

    private let terms: LedgerTerms
    /// Per currency of `currencies`: its balance and totals.
    public private(set) var cash: [LedgerCash]
    /// Per instrument id (index 0 unused): its position, mark and pending funding.
    public private(set) var positions: [LedgerPosition]
    /// The earliest pending funding time, for the per-event check.
    public private(set) var nextFunding = Int64.max
    /// Counts the changes of the account (not part of its state): while it stands still,
    /// every reading of the account is what it was, and a reader that computed one at every
    /// price can keep it. (Most trades repeat the last price.)
    public private(set) var revision: UInt64 = 0

    public var options: LedgerOptions { terms.options }
    /// The valuation currency.
    public var currency: String { terms.currency }
    /// Currencies held, sorted by name.
    public var currencies: [String] { terms.currencies }

    public init(options: LedgerOptions, instruments table: InstrumentTable) throws(ProjectionError) {
        terms = try LedgerTerms(options: options, table: table)
        cash = Array(repeating: LedgerCash(), count: terms.currencies.count)
        for (name, amount) in options.cash { cash[terms.currencies.firstIndex(of: name)!].balance += amount }
        positions = Array(repeating: LedgerPosition(), count: table.count + 1)
    }

    // MARK: Events

    @inline(__always)
    public mutating func apply(_ block: DecodedBlock, at index: Int) {
        let time = block.receiveTimes[index]
        let raw = Int(block.instruments[index].rawValue)
        guard reaches(raw, at: time) else { return }
        switch block.types[index] {
        case .markPrice:
            let mark = block.payloads.markPrices[Int(block.slots[index])].mark.units
            if positions[raw].mark != mark || !positions[raw].markedByMarkPrice {
                positions[raw].mark = mark
                positions[raw].markedByMarkPrice = true
                revision &+= 1
            }
        case .trade:
            mark(raw, trade: block.trade(at: index).price.units)
        case .fill:
            let fill = block.payloads.fills[Int(block.slots[index])]
            let signed = fill.side == .buy ? fill.quantity.units : -fill.quantity.units
            apply(trade: signed, price: fill.price.units, fee: Amount.from(fill.fee.units, scale: terms.contracts[raw].priceScale), raw: raw)
        case .liquidation:
            let liquidation = block.payloads.liquidations[Int(block.slots[index])]
            let signed = liquidation.side == .buy ? liquidation.quantity.units : -liquidation.quantity.units
            apply(trade: signed, price: liquidation.price.units, fee: 0, raw: raw)
        case .fundingRate:
            guard options.funding == .rates, isDerivative(raw) else { return }
            let rate = block.payloads.fundingRates[Int(block.slots[index])]
            // An estimate for a funding still to come, or the settled rate of one due now.
            if rate.fundingTime.nanosSinceEpoch > time || rate.fundingTime.nanosSinceEpoch == positions[raw].pendingTime {
                positions[raw].pendingRate = rate.rate.units
                positions[raw].pendingTime = rate.fundingTime.nanosSinceEpoch
                nextFunding = min(nextFunding, positions[raw].pendingTime)
                revision &+= 1
            }
        case .fundingPayment:
            guard options.funding == .payments else { return }
            let payment = block.payloads.fundingPayments[Int(block.slots[index])]
            book(funding: Amount.from(payment.amount.units, scale: terms.contracts[raw].priceScale), raw: raw)
        default:
            break
        }
    }

    /// A trade at `price` of instrument `raw`, received at `time`: `apply` of the trade's
    /// event, for a caller that has read it.
    @inline(__always)
    mutating func apply(tradeOf raw: Int, price: Int64, at time: Int64) {
        guard reaches(raw, at: time) else { return }
        mark(raw, trade: price)
    }

    /// Settles the funding due by `time`; then whether instrument `raw` has a position.
    @inline(__always)
    private mutating func reaches(_ raw: Int, at time: Int64) -> Bool {
        if time >= nextFunding { settleFunding(at: time) }
        return raw > 0 && raw < positions.count
    }

    /// The last trade is the mark until the venue publishes mark prices.
    @inline(__always)
    private mutating func mark(_ raw: Int, trade price: Int64) {
        if !positions[raw].markedByMarkPrice && positions[raw].mark != price {
            positions[raw].mark = price
            revision &+= 1
        }
    }

    /// Books a trade of `signed` size units at `price` with `fee` (10⁻¹⁸ of the fee currency).
    mutating func apply(trade signed: Int64, price: Int64, fee: Int128, raw: Int) {
        revision &+= 1
        guard signed != 0 else { return }
        let contract = terms.contracts[raw]
        switch contract.kind {
        case .spot, .equity, .fx:
            // Cash trades: the base currency against the quote currency.
            let quote = terms.quoteIndex[raw]
            let base = terms.baseIndex[raw]
            let value = Amount.from(Int128(signed) * Int128(price), scale: contract.priceScale + contract.sizeScale)
            cash[quote].balance -= value
            cash[quote].balance -= fee
            cash[quote].fees += fee
            if base >= 0 { cash[base].balance += Amount.from(Int128(signed), scale: contract.sizeScale) }
            positions[raw].fills += 1
            positions[raw].filled += signed
            positions[raw].size += signed
            positions[raw].fees += fee
        default:
            trade(derivative: signed, price: price, fee: fee, raw: raw)
        }
    }

    private mutating func trade(derivative signed: Int64, price: Int64, fee: Int128, raw: Int) {
        let contract = terms.contracts[raw]
        let settle = terms.settlement[raw]
        var position = positions[raw]
        position.fills += 1
        position.filled += signed
        position.fees += fee
        cash[settle].balance -= fee
        cash[settle].fees += fee
        var remaining = signed
        if position.size != 0 && (position.size > 0) != (signed > 0) {
            // Reduce (and perhaps flip): realize the closed part against the average entry.
            let closing = min(abs(signed), abs(position.size))
            let closedCost = Amount.mulDiv(position.cost, Int128(closing), Int128(abs(position.size)))
            let sign: Int128 = position.size > 0 ? 1 : -1
            let realized: Int128
            if contract.kind == .inversePerpetual {
                realized = closedCost - sign * contract.coinValue(contracts: closing, price: price)
            } else {
                realized = Amount.from(sign * Int128(closing) * Int128(price) - closedCost, scale: contract.priceScale + contract.sizeScale)
            }
            if options.margin == .isolated {
                let released = Amount.mulDiv(position.isolatedMargin, Int128(closing), Int128(abs(position.size)))
                position.isolatedMargin -= released
                cash[settle].balance += released
            }
            position.cost -= closedCost
            position.size += position.size > 0 ? -closing : closing
            position.realized += realized
            cash[settle].balance += realized
            cash[settle].realized += realized
            remaining = signed > 0 ? signed - closing : signed + closing
        }
        if remaining != 0 {
            // Increase (or open after a flip) at this price.
            if contract.kind == .inversePerpetual {
                position.cost += (remaining > 0 ? 1 : -1) * contract.coinValue(contracts: abs(remaining), price: price)
            } else {
                position.cost += Int128(remaining) * Int128(price)
            }
            position.size += remaining
            if options.margin == .isolated {
                let margin = Amount.of(Amount.double(contract.notionalAmount(size: abs(remaining), price: price)) / terms.leverage[raw])
                position.isolatedMargin += margin
                cash[settle].balance -= margin
            }
        }
        if position.size == 0 {
            // Nothing open: any rounding residue of the cost basis is realized, so the books balance.
            if position.cost != 0 {
                let residue = contract.kind == .inversePerpetual ? position.cost
                    : Amount.from(-position.cost, scale: contract.priceScale + contract.sizeScale)
                position.realized += residue
                cash[settle].balance += residue
                cash[settle].realized += residue
                position.cost = 0
            }
            if position.isolatedMargin != 0 {
                cash[settle].balance += position.isolatedMargin
                position.isolatedMargin = 0
            }
        }
        positions[raw] = position
    }

    /// Pays or receives funding on every open position whose funding time has come, at its mark:
    /// `−size × mark × rate` (linear; longs pay a positive rate), `−contracts × mult / mark × rate` (inverse).
    private mutating func settleFunding(at time: Int64) {
        revision &+= 1
        var next = Int64.max
        for raw in 1..<positions.count {
            let due = positions[raw].pendingTime
            if due == .max { continue }
            if due <= time {
                let size = positions[raw].size
                if size != 0 && positions[raw].mark > 0 {
                    let notional = terms.contracts[raw].notionalAmount(size: abs(size), price: positions[raw].mark)
                    let amount = Amount.mulDiv(notional, Int128(positions[raw].pendingRate), Amount.one)
                    book(funding: size > 0 ? -amount : amount, raw: raw)
                }
                positions[raw].pendingTime = .max
                positions[raw].pendingRate = 0
            } else {
                next = min(next, due)
            }
        }
        nextFunding = next
    }

    private mutating func book(funding amount: Int128, raw: Int) {
        revision &+= 1
        let settle = terms.settlement[raw]
        positions[raw].funding += amount
        cash[settle].funding += amount
        if options.margin == .isolated && positions[raw].size != 0 {
            positions[raw].isolatedMargin += amount
        } else {
            cash[settle].balance += amount
        }
    }

    // MARK: Readings

    /// The maintenance tier of a notional (10⁻¹⁸ of the settlement currency).
    func tier(_ raw: Int, notional: Int128) -> LedgerOptions.Tier {
        terms.tiers[raw].last { $0.notional <= notional } ?? terms.tiers[raw][0]
    }

    /// The unrealized PnL of a position at its mark, 10⁻¹⁸ of the settlement currency.
    public func unrealized(_ raw: Int) -> Int128 {
        let position = positions[raw]
        guard position.size != 0, position.mark > 0 else { return 0 }
        let contract = terms.contracts[raw]
        if contract.kind == .inversePerpetual {
            let sign: Int128 = position.size > 0 ? 1 : -1
            return position.cost - sign * contract.coinValue(contracts: abs(position.size), price: position.mark)
        }
        return Amount.from(Int128(position.size) * Int128(position.mark) - position.cost, scale: contract.priceScale + contract.sizeScale)
    }

    /// The average entry price of a position (price units, as a double).
    public func entryPrice(_ raw: Int) -> Double {
        let position = positions[raw]
        guard position.size != 0 else { return .nan }
        if terms.contracts[raw].kind == .inversePerpetual {
            // contracts × mult / cost (harmonic mean).
            return Amount.approximate(terms.contracts[raw].coinValue(contracts: abs(position.size), price: 1)) / Amount.approximate(Int128(position.cost.magnitude))
        }
        return Amount.approximate(position.cost) / Double(position.size)
    }

    /// Readings of one position at its mark.
    public struct PositionReading: Sendable {
        public var instrument: InstrumentID
        public var size: Int64
        public var entry: Double
        public var mark: Int64
        /// In 10⁻¹⁸ of the settlement currency.
        public var notional: Int128
        public var unrealized: Int128
        public var initialMargin: Int128
        public var maintenanceMargin: Int128
        /// In price units, as a double (NaN when none: no position, or beyond zero).
        public var liquidationPrice: Double
    }

    public func reading(_ raw: Int) -> PositionReading {
        let position = positions[raw]
        let mark = position.mark
        let notional = terms.contracts[raw].notionalAmount(size: abs(position.size), price: mark)
        return PositionReading(
            instrument: InstrumentID(rawValue: UInt32(raw)), size: position.size, entry: entryPrice(raw), mark: mark, notional: notional,
            unrealized: unrealized(raw), initialMargin: Amount.of(Amount.double(notional) / terms.leverage[raw]),
            maintenanceMargin: maintenanceMargin(raw, notional: notional), liquidationPrice: liquidationPrice(raw))
    }

    /// The maintenance margin of a position of `notional` (its tier's rate less the tier's amount).
    private func maintenanceMargin(_ raw: Int, notional: Int128) -> Int128 {
        let level = tier(raw, notional: notional)
        return max(Amount.of(Amount.double(notional) * level.rate) - level.amount, 0)
    }

    /// Binance's liquidation price of a position (one-way mode):
    /// linear `(WB − TMM₁ + UPNL₁ + cum − side × size × entry) / (size × MMR − side × size)`,
    /// inverse `(size × MMR + side × size) / ((WB + cum) / multiplier + side × size / entry)` with
    /// size in contracts; WB the cross wallet (or the isolated margin), TMM₁ and UPNL₁ the other
    /// positions' maintenance and unrealized PnL in the same currency (0 when isolated), MMR and cum
    /// those of the tier at the current notional. NaN when there is no position, when it is
    /// below 0, and for spot holdings (which are never liquidated).
    public func liquidationPrice(_ raw: Int) -> Double {
        let position = positions[raw]
        guard position.size != 0, position.mark > 0, isDerivative(raw) else { return .nan }
        let contract = terms.contracts[raw]
        let settle = terms.settlement[raw]
        var wallet = options.margin == .isolated ? position.isolatedMargin : cash[settle].balance
        var others: Int128 = 0
        var othersMaintenance: Int128 = 0
        if options.margin == .cross {
            for other in 1..<positions.count where other != raw && positions[other].size != 0 && terms.settlement[other] == settle && isDerivative(other) {
                others += unrealized(other)
                othersMaintenance += maintenanceMargin(other, notional: terms.contracts[other].notionalAmount(size: abs(positions[other].size), price: positions[other].mark))
            }
        } else {
            wallet = position.isolatedMargin
        }
        let level = tier(raw, notional: contract.notionalAmount(size: abs(position.size), price: position.mark))
        let side = position.size > 0 ? 1.0 : -1.0
        let priceScale = Double(FixedPoint.powersOfTen[contract.priceScale])
        let sizeScale = Double(FixedPoint.powersOfTen[contract.sizeScale])
        let multiplier = Double(contract.multiplier.units) / Double(FixedPoint.powersOfTen[contract.multiplier.scale])
        let size = Double(abs(position.size)) / sizeScale
        let entry = entryPrice(raw) / priceScale
        let price: Double
        if contract.kind == .inversePerpetual {
            let denominator = (Amount.double(wallet) + Amount.double(level.amount)) / multiplier + side * size / entry
            price = (size * level.rate + side * size) / denominator
        } else {
            let quantity = size * multiplier
            price = (Amount.double(wallet) - Amount.double(othersMaintenance) + Amount.double(others) + Amount.double(level.amount) - side * quantity * entry)
                / (quantity * level.rate - side * quantity)
        }
        return price > 0 && price.isFinite ? price * priceScale : .nan
    }

    private func isDerivative(_ raw: Int) -> Bool { terms.contracts[raw].isDerivative }

    /// `rate` of the currency at `index` of `currencies`.
    private func rate(currency index: Int) -> Double { index == terms.valuationIndex ? 1 : rate(currencies[index]) }

    /// Account readings in the valuation currency (doubles; NaN when a currency cannot be converted).
    public struct Valuation: Sendable {
        public var equity: Double
        public var wallet: Double
        public var unrealized: Double
        public var grossExposure: Double
        public var netExposure: Double
        public var leverage: Double
        public var initialMargin: Double
        public var maintenanceMargin: Double
        /// Per open position: its weight in the gross exposure.
        public var weights: [(InstrumentID, Double)]
    }

    /// The value of one unit of `currency` in the valuation currency: 1 for itself, else the
    /// latest mark of its conversion instrument (or of a spot/linear instrument quoting it in
    /// the valuation currency).
    public func rate(_ name: String) -> Double {
        if name == currency { return 1 }
        let via = options.conversions[name].flatMap { terms.table.id(named: $0) }
            ?? terms.table.instruments.indices.first { terms.table.instruments[$0].baseCurrency == name && terms.table.instruments[$0].quoteCurrency == currency && positions[$0 + 1].mark > 0 }
                .map { InstrumentID(rawValue: UInt32($0 + 1)) }
        guard let via, positions[Int(via.rawValue)].mark > 0 else { return .nan }
        return Double(positions[Int(via.rawValue)].mark) / Double(FixedPoint.powersOfTen[terms.table[via].priceScale])
    }

    /// The exposure of `size` units of derivative `raw` at `price` in the valuation currency,
    /// unsigned: the notional in its quote currency (USD for inverse contracts).
    public func exposure(_ raw: Int, size: Int64, price: Int64) -> Double {
        let contract = terms.contracts[raw]
        if contract.kind == .inversePerpetual {
            return Double(abs(size)) / Double(FixedPoint.powersOfTen[contract.sizeScale]) * Double(contract.multiplier.units)
                / Double(FixedPoint.powersOfTen[contract.multiplier.scale]) * rate(currency: terms.quoteIndex[raw])
        }
        return Amount.double(contract.notionalAmount(size: abs(size), price: price)) * rate(currency: terms.settlement[raw])
    }

    /// The account's equity and maintenance margin in the valuation currency: what the risk
    /// engine watches at every price, without `valuation()`'s per-position readings.
    public func margin() -> (equity: Double, maintenance: Double) {
        var equity = 0.0
        for index in cash.indices where cash[index].balance != 0 {
            equity += Amount.double(cash[index].balance) * rate(currency: index)
        }
        var maintenance = 0.0
        for raw in 1..<positions.count where positions[raw].size != 0 && isDerivative(raw) {
            let currencyRate = rate(currency: terms.settlement[raw])
            let notional = terms.contracts[raw].notionalAmount(size: abs(positions[raw].size), price: positions[raw].mark)
            equity += (Amount.double(unrealized(raw)) + Amount.double(positions[raw].isolatedMargin)) * currencyRate
            maintenance += Amount.double(maintenanceMargin(raw, notional: notional)) * currencyRate
        }
        return (equity, maintenance)
    }

    public func valuation() -> Valuation {
        var wallet = 0.0
        for (index, name) in currencies.enumerated() where cash[index].balance != 0 {
            wallet += Amount.double(cash[index].balance) * rate(name)
        }
        var unrealizedTotal = 0.0
        var gross = 0.0
        var net = 0.0
        var initial = 0.0
        var maintenance = 0.0
        var exposures: [(InstrumentID, Double)] = []
        for raw in 1..<positions.count where positions[raw].size != 0 {
            let contract = terms.contracts[raw]
            let currencyRate = rate(currency: terms.settlement[raw])
            if contract.kind == .spot || contract.kind == .equity || contract.kind == .fx {
                continue  // valued through the base currency's balance
            }
            let reading = reading(raw)
            unrealizedTotal += Amount.double(reading.unrealized) * currencyRate
            wallet += Amount.double(positions[raw].isolatedMargin) * currencyRate
            initial += Amount.double(reading.initialMargin) * currencyRate
            maintenance += Amount.double(reading.maintenanceMargin) * currencyRate
            let exposure = self.exposure(raw, size: positions[raw].size, price: positions[raw].mark)
            exposures.append((InstrumentID(rawValue: UInt32(raw)), exposure))
            gross += exposure
            net += positions[raw].size > 0 ? exposure : -exposure
        }
        for (index, name) in currencies.enumerated() where name != currency && cash[index].balance != 0 {
            // Holdings of other currencies are exposures too (spot positions, coin margin).
            let exposure = abs(Amount.double(cash[index].balance) * rate(name))
            if let raw = terms.table.instruments.indices.first(where: { terms.table.instruments[$0].baseCurrency == name && terms.table.instruments[$0].kind == .spot }) {
                exposures.append((InstrumentID(rawValue: UInt32(raw + 1)), exposure))
                gross += exposure
                net += cash[index].balance > 0 ? exposure : -exposure
            }
        }
        let equity = wallet + unrealizedTotal
        return Valuation(
            equity: equity, wallet: wallet, unrealized: unrealizedTotal, grossExposure: gross, netExposure: net,
            leverage: equity > 0 ? gross / equity : .nan, initialMargin: initial, maintenanceMargin: maintenance,
            weights: exposures.map { ($0.0, gross > 0 ? $0.1 / gross : 0) })
    }

    // MARK: State

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        for index in cash.indices {
            try code(&cash[index].balance, &coder)
            try code(&cash[index].fees, &coder)
            try code(&cash[index].realized, &coder)
            try code(&cash[index].funding, &coder)
        }
        for raw in positions.indices {
            try coder.code(&positions[raw].size)
            try code(&positions[raw].cost, &coder)
            try code(&positions[raw].isolatedMargin, &coder)
            try code(&positions[raw].realized, &coder)
            try code(&positions[raw].fees, &coder)
            try code(&positions[raw].funding, &coder)
            try coder.code(&positions[raw].fills)
            try coder.code(&positions[raw].filled)
            try coder.code(&positions[raw].mark)
            try coder.code(&positions[raw].markedByMarkPrice)
            try coder.code(&positions[raw].pendingRate)
            try coder.code(&positions[raw].pendingTime)
        }
        if !coder.isEncoding {
            nextFunding = positions.lazy.map(\.pendingTime).min() ?? .max
            revision &+= 1
        }
    }

    private func code(_ value: inout Int128, _ coder: inout StateCoder) throws(CodecError) {
        var high = Int64(truncatingIfNeeded: value >> 64)
        var low = Int64(bitPattern: UInt64(truncatingIfNeeded: value))
        try coder.code(&high)
        try coder.code(&low)
        value = Int128(high) << 64 | Int128(UInt64(bitPattern: low))
    }

    public func summary(_ context: ProjectionContext) -> JSONValue {
        let valuation = valuation()
        return .object([
            ("currency", .string(currency)),
            ("balances", .object(currencies.indices.filter { cash[$0].balance != 0 || cash[$0].fees != 0 }.map { (currencies[$0], .string(Amount.text(cash[$0].balance))) })),
            ("fees", .object(currencies.indices.filter { cash[$0].fees != 0 }.map { (currencies[$0], .string(Amount.text(cash[$0].fees))) })),
            ("realized", .object(currencies.indices.filter { cash[$0].realized != 0 }.map { (currencies[$0], .string(Amount.text(cash[$0].realized))) })),
            ("funding", .object(currencies.indices.filter { cash[$0].funding != 0 }.map { (currencies[$0], .string(Amount.text(cash[$0].funding))) })),
            ("positions", .object(positions.indices.filter { $0 > 0 && positions[$0].size != 0 }.map { raw in
                let reading = reading(raw)
                let id = InstrumentID(rawValue: UInt32(raw))
                let scale = Double(FixedPoint.powersOfTen[terms.contracts[raw].priceScale])
                return (context.name(id), .object([
                    ("size", context.size(reading.size, id)),
                    ("entry", .double(reading.entry / scale)),
                    ("mark", context.price(reading.mark, id)),
                    ("unrealized", .string(Amount.text(reading.unrealized))),
                    ("notional", .string(Amount.text(reading.notional))),
                    ("initial_margin", .string(Amount.text(reading.initialMargin))),
                    ("maintenance_margin", .string(Amount.text(reading.maintenanceMargin))),
                    ("liquidation_price", .double(reading.liquidationPrice / scale)),
                ]))
            })),
            ("equity", .double(valuation.equity)),
            ("gross_exposure", .double(valuation.grossExposure)),
            ("net_exposure", .double(valuation.netExposure)),
            ("leverage", .double(valuation.leverage)),
        ])
    }
}
