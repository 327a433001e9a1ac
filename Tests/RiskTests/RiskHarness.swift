import Events
import Projections
import Risk
import TapeCore

/// An account built by hand: marks, trades, book snapshots and fills go through the ledger,
/// risk and book projections and the risk engine's state as in a run.
struct RiskHarness {
    static func perpetual(_ symbol: String) -> Instrument {
        Instrument(symbol: "\(symbol)USDT-PERP", venue: "TEST", venueSymbol: "\(symbol)USDT", kind: .linearPerpetual, baseCurrency: symbol,
                   quoteCurrency: "USDT", settlementCurrency: "USDT", priceScale: 8, sizeScale: 3, priceIncrement: Price(units: 10_000_000),
                   sizeIncrement: Quantity(units: 1), multiplier: ScaledDecimal(units: 1, scale: 0))
    }
    static let btc = InstrumentID(rawValue: 1)
    static let eth = InstrumentID(rawValue: 2)

    var projections: ProjectionSet
    var engine: RiskEngine
    var sequence: UInt64 = 0
    var time: Int64 = 1_680_652_800_000_000_000 + 3_600_000_000_000  // 2023-04-05T01:00:00Z
    private var block = DecodedBlock()
    private var fillID: UInt64 = 0

    /// Projections: ledger (10 000 USDT, cross, 10×), risk (1-minute samples), book.
    init(limits: String, risk: String = "{sample: 1m, window: 500, volume_window: 1h, depth_bps: 10}",
         ledger: String = "{currency: USDT, cash: {USDT: \"10000\"}, leverage: 10}") throws {
        let table = try InstrumentTable([Self.perpetual("BTC"), Self.perpetual("ETH")])
        let configuration = try ProjectionConfiguration(yaml: """
            version: 1
            book: {}
            ledger: \(ledger)
            risk: \(risk)
            """, source: "harness")
        projections = try ProjectionSet(configuration: configuration, instruments: table)
        engine = try RiskEngine(limits: try RiskLimits(yaml: "version: 1\n" + limits, source: "limits"), instruments: table)
    }

    static func price(_ text: String) -> Int64 { try! Price(parsing: text, scale: 8).units }
    static func size(_ text: String) -> Int64 { text.hasPrefix("-") ? -size(String(text.dropFirst())) : try! Quantity(parsingSize: text, scale: 3).units }

    var step: RunStep { RunStep(sequence: sequence, time: time) }

    mutating func feed(_ instrument: InstrumentID, _ body: Event.Body, after nanoseconds: Int64 = 1_000_000) {
        sequence += 1
        time += nanoseconds
        let stamp = Timestamp(nanosSinceEpoch: time)
        block.set([Event(eventTime: stamp, receiveTime: stamp, instrument: instrument, body: body)], firstSequence: sequence)
        projections.apply(block, at: 0)
        engine.observe(block, at: 0, size: projections.ledger!.positions[Int(instrument.rawValue)].size, equity: projections.ledger!.margin().equity)
    }

    mutating func mark(_ instrument: InstrumentID, _ price: String, after nanoseconds: Int64 = 1_000_000) {
        feed(instrument, .markPrice(MarkPrice(mark: Price(units: Self.price(price)), index: nil, estimatedSettle: nil)), after: nanoseconds)
    }

    mutating func trade(_ instrument: InstrumentID, _ price: String, _ size: String, after nanoseconds: Int64 = 1_000_000) {
        feed(instrument, .trade(Trade(price: Price(units: Self.price(price)), size: Quantity(units: Self.size(size)), aggressor: .buy, tradeID: sequence)), after: nanoseconds)
    }

    /// A fill of the account (fee 0): signed size.
    mutating func fill(_ instrument: InstrumentID, _ size: String, at price: String) {
        fillID += 1
        let signed = Self.size(size)
        feed(instrument, .fill(FillRecorded(orderID: 1_000 + fillID, fillID: fillID, causation: sequence, side: signed > 0 ? .buy : .sell,
                                            price: Price(units: Self.price(price)), quantity: Quantity(units: abs(signed)), fee: Money(units: 0), liquidity: .taker)))
    }

    mutating func book(_ instrument: InstrumentID, bids: [(String, String)], asks: [(String, String)]) {
        func levels(_ pairs: [(String, String)]) -> ArraySlice<BookLevel> {
            pairs.map { BookLevel(price: Price(units: Self.price($0.0)), size: Quantity(units: Self.size($0.1))) }[...]
        }
        feed(instrument, .bookSnapshot(BookSnapshot(bids: levels(bids), asks: levels(asks), lastUpdateID: 0)))
    }

    /// The engine's decision on a signal now.
    mutating func decide(_ instrument: InstrumentID, _ kind: SignalKind = .targetPosition, _ size: String, price: String? = nil, strength: Double = 1) -> RiskOutcome {
        let signal = SignalEmitted(strategy: 0, causation: sequence, kind: kind, quantity: Quantity(units: Self.size(size)),
                                   price: Price(units: price.map(Self.price) ?? 0), strength: strength, features: [])
        return engine.decide(signal, instrument: instrument, step: step, projections: &projections)
    }
}

extension RiskOutcome {
    /// The verdict and the approved size as text ("resize 1", "reject 0").
    var summary: String {
        let approved = decision.approvedQuantity.units
        var text = FixedPoint.format(abs(approved), scale: 3)
        while text.contains(".") && (text.hasSuffix("0") || text.hasSuffix(".")) { text.removeLast() }
        return "\(decision.verdict.label) \(approved < 0 ? "-" : "")\(text)"
    }

    /// The check of `rule`.
    func check(_ rule: RiskRule) -> RiskDecided.RuleCheck? {
        decision.rules.first { $0.rule == rule.rawValue }
    }
}
