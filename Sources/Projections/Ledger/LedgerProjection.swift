public import Events
public import TapeCore

/// A derivative position of the account.
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

    public let options: LedgerOptions
    private let table: InstrumentTable
    /// The valuation currency.
    public let currency: String
    /// Currencies held, sorted by name, and their balances (10⁻¹⁸ units).
    public private(set) var currencies: [String]
    public private(set) var balances: [Int128]
    /// Per instrument id: the position (derivatives), the latest mark (price units, 0 unknown),
    /// the pending funding rate (10⁻¹⁸) and its funding time.
    public private(set) var positions: [LedgerPosition]
    public private(set) var marks: [Int64]
    /// Whether the mark comes from mark-price events (then trades no longer move it).
    private var markedByMarkPrice: [Bool]
    public private(set) var pendingRate: [Int64]
    public private(set) var pendingTime: [Int64]
    /// Account totals in each currency: fees, realized, funding (their sum is the change of cash
    /// since the start, besides spot trades).
    public private(set) var totalFees: [Int128]
    public private(set) var totalRealized: [Int128]
    public private(set) var totalFunding: [Int128]
    /// The earliest pending funding time, for the per-event check.
    public private(set) var nextFunding = Int64.max
    /// Per instrument: settlement currency index, leverage, tiers.
    private let settlement: [Int]
    private let quoteIndex: [Int]
    private let baseIndex: [Int]
    private let leverage: [Double]
    /// Per instrument id: its terms (index 0 unused), and the valuation currency's index.
    private let contracts: [Contract]
    private let valuationIndex: Int
    private let tiers: [[LedgerOptions.Tier]]

    public init(options: LedgerOptions, instruments table: InstrumentTable) throws(ProjectionError) {
        self.options = options
        self.table = table
        var used = Set(options.cash.map(\.currency))
        for instrument in table.instruments where instrument.kind.isTradable {
            used.insert(instrument.settlementCurrency)
            used.insert(instrument.quoteCurrency)
            if instrument.kind == .spot { used.insert(instrument.baseCurrency) }
        }
        if let valuation = options.currency { used.insert(valuation) }
        currencies = used.sorted()
        balances = Array(repeating: 0, count: currencies.count)
        for (name, amount) in options.cash { balances[currencies.firstIndex(of: name)!] += amount }
        let tradable = table.instruments.first { $0.kind.isTradable }
        currency = options.currency ?? tradable?.settlementCurrency ?? currencies.first ?? "USD"
        let count = table.count + 1
        positions = Array(repeating: LedgerPosition(), count: count)
        marks = Array(repeating: 0, count: count)
        markedByMarkPrice = Array(repeating: false, count: count)
        pendingRate = Array(repeating: 0, count: count)
        pendingTime = Array(repeating: .max, count: count)
        totalFees = Array(repeating: 0, count: currencies.count)
        totalRealized = totalFees
        totalFunding = totalFees
        let all = [Instrument?](arrayLiteral: nil) + table.instruments.map { Optional($0) }
        let names = currencies
        func index(_ name: String?) -> Int { name.flatMap { names.firstIndex(of: $0) } ?? -1 }
        settlement = all.map { index($0?.settlementCurrency) }
        quoteIndex = all.map { index($0?.quoteCurrency) }
        baseIndex = all.map { index($0?.baseCurrency) }
        for name in options.instruments.keys.sorted() where table.id(named: name) == nil {
            throw .unknownInstrument(name, projection: Self.name)
        }
        for name in options.conversions.values.sorted() where table.id(named: name) == nil {
            throw .unknownInstrument(name, projection: Self.name)
        }
        contracts = all.map { $0?.contract ?? Contract(kind: .index, priceScale: 0, sizeScale: 0, multiplier: ScaledDecimal(units: 1, scale: 0)) }
        valuationIndex = index(currency)
        leverage = all.map { instrument in instrument.flatMap { options.instruments[$0.name]?.leverage } ?? options.leverage }
        tiers = all.map { instrument in instrument.flatMap { options.instruments[$0.name]?.tiers } ?? options.tiers }
    }


    // MARK: Events

    @inline(__always)
    public mutating func apply(_ block: DecodedBlock, at index: Int) {
        let time = block.receiveTimes[index]
        if time >= nextFunding { settleFunding(at: time) }
        let raw = Int(block.instruments[index].rawValue)
        guard raw > 0 && raw < positions.count else { return }
        switch block.types[index] {
        case .markPrice:
            marks[raw] = block.payloads.markPrices[Int(block.slots[index])].mark.units
            markedByMarkPrice[raw] = true
        case .trade:
            // The last trade is the mark until the venue publishes mark prices.
            if !markedByMarkPrice[raw] { marks[raw] = block.trade(at: index).price.units }
        case .fill:
            let fill = block.payloads.fills[Int(block.slots[index])]
            let signed = fill.side == .buy ? fill.quantity.units : -fill.quantity.units
            apply(trade: signed, price: fill.price.units, fee: Amount.from(fill.fee.units, scale: contracts[raw].priceScale), raw: raw)
        case .liquidation:
            let liquidation = block.payloads.liquidations[Int(block.slots[index])]
            let signed = liquidation.side == .buy ? liquidation.quantity.units : -liquidation.quantity.units
            apply(trade: signed, price: liquidation.price.units, fee: 0, raw: raw)
        case .fundingRate:
            guard options.funding == .rates, isDerivative(raw) else { return }
            let rate = block.payloads.fundingRates[Int(block.slots[index])]
            // An estimate for a funding still to come, or the settled rate of one due now.
            if rate.fundingTime.nanosSinceEpoch > time || rate.fundingTime.nanosSinceEpoch == pendingTime[raw] {
                pendingRate[raw] = rate.rate.units
                pendingTime[raw] = rate.fundingTime.nanosSinceEpoch
                nextFunding = min(nextFunding, pendingTime[raw])
            }
        case .fundingPayment:
            guard options.funding == .payments else { return }
            let payment = block.payloads.fundingPayments[Int(block.slots[index])]
            book(funding: Amount.from(payment.amount.units, scale: contracts[raw].priceScale), raw: raw)
        default:
            break
        }
    }

    /// Books a trade of `signed` size units at `price` with `fee` (10⁻¹⁸ of the fee currency).
    mutating func apply(trade signed: Int64, price: Int64, fee: Int128, raw: Int) {
        guard signed != 0 else { return }
        let contract = contracts[raw]
        switch contract.kind {
        case .spot, .equity, .fx:
            // Cash trades: the base currency against the quote currency.
            let quote = quoteIndex[raw]
            let base = baseIndex[raw]
            let value = Amount.from(Int128(signed) * Int128(price), scale: contract.priceScale + contract.sizeScale)
            balances[quote] -= value
            balances[quote] -= fee
            totalFees[quote] += fee
            if base >= 0 { balances[base] += Amount.from(Int128(signed), scale: contract.sizeScale) }
            positions[raw].fills += 1
            positions[raw].filled += signed
            positions[raw].size += signed
            positions[raw].fees += fee
        default:
            trade(derivative: signed, price: price, fee: fee, raw: raw)
        }
    }

    private mutating func trade(derivative signed: Int64, price: Int64, fee: Int128, raw: Int) {
        let contract = contracts[raw]
        let cash = settlement[raw]
        var position = positions[raw]
        position.fills += 1
        position.filled += signed
        position.fees += fee
        balances[cash] -= fee
        totalFees[cash] += fee
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
                balances[cash] += released
            }
            position.cost -= closedCost
            position.size += position.size > 0 ? -closing : closing
            position.realized += realized
            balances[cash] += realized
            totalRealized[cash] += realized
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
                let margin = Amount.of(Amount.double(contract.notionalAmount(size: abs(remaining), price: price)) / leverage[raw])
                position.isolatedMargin += margin
                balances[cash] -= margin
            }
        }
        if position.size == 0 {
            // Nothing open: any rounding residue of the cost basis is realized, so the books balance.
            if position.cost != 0 {
                let residue = contract.kind == .inversePerpetual ? position.cost
                    : Amount.from(-position.cost, scale: contract.priceScale + contract.sizeScale)
                position.realized += residue
                balances[cash] += residue
                totalRealized[cash] += residue
                position.cost = 0
            }
            if position.isolatedMargin != 0 {
                balances[cash] += position.isolatedMargin
                position.isolatedMargin = 0
            }
        }
        positions[raw] = position
    }

    /// Pays or receives funding on every open position whose funding time has come, at its mark:
    /// `−size × mark × rate` (linear; longs pay a positive rate), `−contracts × mult / mark × rate` (inverse).
    private mutating func settleFunding(at time: Int64) {
        var next = Int64.max
        for raw in 1..<positions.count {
            let due = pendingTime[raw]
            if due == .max { continue }
            if due <= time {
                let size = positions[raw].size
                if size != 0 && marks[raw] > 0 {
                    let notional = contracts[raw].notionalAmount(size: abs(size), price: marks[raw])
                    let amount = Amount.mulDiv(notional, Int128(pendingRate[raw]), Amount.one)
                    book(funding: size > 0 ? -amount : amount, raw: raw)
                }
                pendingTime[raw] = .max
                pendingRate[raw] = 0
            } else {
                next = min(next, due)
            }
        }
        nextFunding = next
    }

    private mutating func book(funding amount: Int128, raw: Int) {
        let cash = settlement[raw]
        positions[raw].funding += amount
        totalFunding[cash] += amount
        if options.margin == .isolated && positions[raw].size != 0 {
            positions[raw].isolatedMargin += amount
        } else {
            balances[cash] += amount
        }
    }

    // MARK: Readings

    /// The maintenance tier of a notional (10⁻¹⁸ of the settlement currency).
    func tier(_ raw: Int, notional: Int128) -> LedgerOptions.Tier {
        tiers[raw].last { $0.notional <= notional } ?? tiers[raw][0]
    }

    /// The unrealized PnL of a position at its mark, 10⁻¹⁸ of the settlement currency.
    public func unrealized(_ raw: Int) -> Int128 {
        let position = positions[raw]
        guard position.size != 0, marks[raw] > 0 else { return 0 }
        let contract = contracts[raw]
        if contract.kind == .inversePerpetual {
            let sign: Int128 = position.size > 0 ? 1 : -1
            return position.cost - sign * contract.coinValue(contracts: abs(position.size), price: marks[raw])
        }
        return Amount.from(Int128(position.size) * Int128(marks[raw]) - position.cost, scale: contract.priceScale + contract.sizeScale)
    }

    /// The average entry price of a position (price units, as a double).
    public func entryPrice(_ raw: Int) -> Double {
        let position = positions[raw]
        guard position.size != 0 else { return .nan }
        if contracts[raw].kind == .inversePerpetual {
            // contracts × mult / cost (harmonic mean).
            return Amount.approximate(contracts[raw].coinValue(contracts: abs(position.size), price: 1)) / Amount.approximate(Int128(position.cost.magnitude))
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
        let mark = marks[raw]
        let notional = contracts[raw].notionalAmount(size: abs(position.size), price: mark)
        return PositionReading(
            instrument: InstrumentID(rawValue: UInt32(raw)), size: position.size, entry: entryPrice(raw), mark: mark, notional: notional,
            unrealized: unrealized(raw), initialMargin: Amount.of(Amount.double(notional) / leverage[raw]),
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
    /// those of the tier at the current notional. NaN when there is no position or it is below 0.
    public func liquidationPrice(_ raw: Int) -> Double {
        let position = positions[raw]
        guard position.size != 0, marks[raw] > 0 else { return .nan }
        let contract = contracts[raw]
        let cash = settlement[raw]
        var wallet = options.margin == .isolated ? position.isolatedMargin : balances[cash]
        var others: Int128 = 0
        var othersMaintenance: Int128 = 0
        if options.margin == .cross {
            for other in 1..<positions.count where other != raw && positions[other].size != 0 && settlement[other] == cash && isDerivative(other) {
                others += unrealized(other)
                othersMaintenance += maintenanceMargin(other, notional: contracts[other].notionalAmount(size: abs(positions[other].size), price: marks[other]))
            }
        } else {
            wallet = position.isolatedMargin
        }
        let level = tier(raw, notional: contract.notionalAmount(size: abs(position.size), price: marks[raw]))
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

    private func isDerivative(_ raw: Int) -> Bool { contracts[raw].isDerivative }

    /// `rate` of the currency at `index` of `currencies`.
    private func rate(currency index: Int) -> Double { index == valuationIndex ? 1 : rate(currencies[index]) }

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
        let via = options.conversions[name].flatMap { table.id(named: $0) }
            ?? table.instruments.indices.first { table.instruments[$0].baseCurrency == name && table.instruments[$0].quoteCurrency == currency && marks[$0 + 1] > 0 }
                .map { InstrumentID(rawValue: UInt32($0 + 1)) }
        guard let via, marks[Int(via.rawValue)] > 0 else { return .nan }
        return Double(marks[Int(via.rawValue)]) / Double(FixedPoint.powersOfTen[table[via].priceScale])
    }

    /// The exposure of `size` units of derivative `raw` at `price` in the valuation currency,
    /// unsigned: the notional in its quote currency (USD for inverse contracts).
    public func exposure(_ raw: Int, size: Int64, price: Int64) -> Double {
        let contract = contracts[raw]
        if contract.kind == .inversePerpetual {
            return Double(abs(size)) / Double(FixedPoint.powersOfTen[contract.sizeScale]) * Double(contract.multiplier.units)
                / Double(FixedPoint.powersOfTen[contract.multiplier.scale]) * rate(currency: quoteIndex[raw])
        }
        return Amount.double(contract.notionalAmount(size: abs(size), price: price)) * rate(currency: settlement[raw])
    }

    /// The account's equity and maintenance margin in the valuation currency: what the risk
    /// engine watches at every price, without `valuation()`'s per-position readings.
    public func margin() -> (equity: Double, maintenance: Double) {
        var equity = 0.0
        for index in currencies.indices where balances[index] != 0 {
            equity += Amount.double(balances[index]) * rate(currency: index)
        }
        var maintenance = 0.0
        for raw in 1..<positions.count where positions[raw].size != 0 && isDerivative(raw) {
            let currencyRate = rate(currency: settlement[raw])
            let notional = contracts[raw].notionalAmount(size: abs(positions[raw].size), price: marks[raw])
            equity += (Amount.double(unrealized(raw)) + Amount.double(positions[raw].isolatedMargin)) * currencyRate
            maintenance += Amount.double(maintenanceMargin(raw, notional: notional)) * currencyRate
        }
        return (equity, maintenance)
    }

    public func valuation() -> Valuation {
        var wallet = 0.0
        for (index, name) in currencies.enumerated() where balances[index] != 0 {
            wallet += Amount.double(balances[index]) * rate(name)
        }
        var unrealizedTotal = 0.0
        var gross = 0.0
        var net = 0.0
        var initial = 0.0
        var maintenance = 0.0
        var exposures: [(InstrumentID, Double)] = []
        for raw in 1..<positions.count where positions[raw].size != 0 {
            let contract = contracts[raw]
            let currencyRate = rate(currency: settlement[raw])
            if contract.kind == .spot || contract.kind == .equity || contract.kind == .fx {
                continue  // valued through the base currency's balance
            }
            let reading = reading(raw)
            unrealizedTotal += Amount.double(reading.unrealized) * currencyRate
            wallet += Amount.double(positions[raw].isolatedMargin) * currencyRate
            initial += Amount.double(reading.initialMargin) * currencyRate
            maintenance += Amount.double(reading.maintenanceMargin) * currencyRate
            let exposure = self.exposure(raw, size: positions[raw].size, price: marks[raw])
            exposures.append((InstrumentID(rawValue: UInt32(raw)), exposure))
            gross += exposure
            net += positions[raw].size > 0 ? exposure : -exposure
        }
        for (index, name) in currencies.enumerated() where name != currency && balances[index] != 0 {
            // Holdings of other currencies are exposures too (spot positions, coin margin).
            let exposure = abs(Amount.double(balances[index]) * rate(name))
            if let raw = table.instruments.indices.first(where: { table.instruments[$0].baseCurrency == name && table.instruments[$0].kind == .spot }) {
                exposures.append((InstrumentID(rawValue: UInt32(raw + 1)), exposure))
                gross += exposure
                net += balances[index] > 0 ? exposure : -exposure
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
        for index in balances.indices {
            try code(&balances[index], &coder)
            try code(&totalFees[index], &coder)
            try code(&totalRealized[index], &coder)
            try code(&totalFunding[index], &coder)
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
            try coder.code(&marks[raw])
            try coder.code(&markedByMarkPrice[raw])
            try coder.code(&pendingRate[raw])
            try coder.code(&pendingTime[raw])
        }
        if !coder.isEncoding { nextFunding = pendingTime.min() ?? .max }
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
            ("balances", .object(currencies.indices.filter { balances[$0] != 0 || totalFees[$0] != 0 }.map { (currencies[$0], .string(Amount.text(balances[$0]))) })),
            ("fees", .object(currencies.indices.filter { totalFees[$0] != 0 }.map { (currencies[$0], .string(Amount.text(totalFees[$0]))) })),
            ("realized", .object(currencies.indices.filter { totalRealized[$0] != 0 }.map { (currencies[$0], .string(Amount.text(totalRealized[$0]))) })),
            ("funding", .object(currencies.indices.filter { totalFunding[$0] != 0 }.map { (currencies[$0], .string(Amount.text(totalFunding[$0]))) })),
            ("positions", .object(positions.indices.filter { $0 > 0 && positions[$0].size != 0 }.map { raw in
                let reading = reading(raw)
                let id = InstrumentID(rawValue: UInt32(raw))
                let scale = Double(FixedPoint.powersOfTen[contracts[raw].priceScale])
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
