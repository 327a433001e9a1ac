import Events
import Execution
import Projections
import TapeCore

/// A market made by hand, one event at a time: the book projection and the simulator read
/// each event as a run would, and the run's events are collected.
struct SimulatorHarness {
    static let instrument = Instrument(
        symbol: "BTCUSDT-PERP", venue: "TEST", venueSymbol: "BTCUSDT", kind: .linearPerpetual,
        baseCurrency: "BTC", quoteCurrency: "USDT", settlementCurrency: "USDT", priceScale: 8, sizeScale: 3,
        priceIncrement: Price(units: 10_000_000), sizeIncrement: Quantity(units: 1), multiplier: ScaledDecimal(units: 1, scale: 0))
    static let id = InstrumentID(rawValue: 1)

    var projections: ProjectionSet
    var simulator: Simulator
    var events: [RunEvent] = []
    var sequence: UInt64 = 0
    var time: Int64 = 1_680_652_800_000_000_000  // 2023-04-05T00:00:00Z
    private var block = DecodedBlock()

    init(_ options: ExecutionOptions = ExecutionOptions(), book: Bool = true) throws {
        let table = try InstrumentTable([Self.instrument])
        let configuration = try ProjectionConfiguration(yaml: book ? "version: 1\nbook: {}\n" : "version: 1\n", source: "harness")
        projections = try ProjectionSet(configuration: configuration, instruments: table)
        simulator = Simulator(options: options, instruments: table)
    }

    /// A price in units from decimal text ("100.1").
    static func price(_ text: String) -> Int64 { try! Price(parsing: text, scale: 8).units }
    /// A size in units from decimal text ("1.5").
    static func size(_ text: String) -> Int64 { try! Quantity(parsingSize: text, scale: 3).units }

    var step: RunStep { RunStep(sequence: sequence, time: time) }

    /// Feeds one source event `after` nanoseconds.
    mutating func feed(_ body: Event.Body, after nanoseconds: Int64 = 1_000_000) {
        sequence += 1
        time += nanoseconds
        let stamp = Timestamp(nanosSinceEpoch: time)
        block.set([Event(eventTime: stamp, receiveTime: stamp, instrument: Self.id, body: body)], firstSequence: sequence)
        projections.apply(block, at: 0)
        simulator.step(block, at: 0, books: projections.book, into: &events)
    }

    /// A book snapshot: levels as (price, size) text.
    mutating func book(bids: [(String, String)], asks: [(String, String)], after nanoseconds: Int64 = 1_000_000) {
        feed(.bookSnapshot(BookSnapshot(bids: Self.levels(bids)[...], asks: Self.levels(asks)[...], lastUpdateID: 0)), after: nanoseconds)
    }

    /// A depth change (sizes replace, "0" removes).
    mutating func change(bids: [(String, String)] = [], asks: [(String, String)] = [], after nanoseconds: Int64 = 1_000_000) {
        feed(.bookDelta(BookDelta(bids: Self.levels(bids)[...], asks: Self.levels(asks)[...], firstUpdateID: 0, lastUpdateID: 0, previousUpdateID: 0)), after: nanoseconds)
    }

    mutating func trade(_ price: String, _ size: String, aggressor: AggressorSide = .sell, after nanoseconds: Int64 = 1_000_000) {
        feed(.trade(Trade(price: Price(units: Self.price(price)), size: Quantity(units: Self.size(size)), aggressor: aggressor, tradeID: sequence)), after: nanoseconds)
    }

    mutating func quote(bid: String, _ bidSize: String, ask: String, _ askSize: String, after nanoseconds: Int64 = 1_000_000) {
        feed(.quote(Quote(bidPrice: Price(units: Self.price(bid)), bidSize: Quantity(units: Self.size(bidSize)),
                          askPrice: Price(units: Self.price(ask)), askSize: Quantity(units: Self.size(askSize)), updateID: 0)), after: nanoseconds)
    }

    /// Submits `request` now and returns its id.
    @discardableResult
    mutating func submit(_ request: OrderRequest) -> UInt64 {
        let id = simulator.newOrderID()
        simulator.submit(request, id: id, step: step, books: projections.book, into: &events)
        return id
    }

    static func order(
        _ side: OrderSide, _ quantity: String, type: OrderType = .market, price: String? = nil, trigger: String? = nil,
        timeInForce: TimeInForce = .goodTillCanceled, reduceOnly: Bool = false, postOnly: Bool = false, display: String? = nil,
        expire: Int64 = 0, algorithm: ExecutionAlgorithm = .none
    ) -> OrderRequest {
        OrderRequest(
            instrument: id, side: side, type: type, timeInForce: timeInForce, quantity: Quantity(units: size(quantity)),
            price: Price(units: price.map(Self.price) ?? 0), triggerPrice: Price(units: trigger.map(Self.price) ?? 0),
            reduceOnly: reduceOnly, postOnly: postOnly, displayQuantity: Quantity(units: display.map(size) ?? 0),
            expireTime: Timestamp(nanosSinceEpoch: expire), algorithm: algorithm)
    }

    /// The fills so far, as (order, price text, size text, liquidity) for reading in tests.
    var fills: [Fill] {
        events.compactMap { event in
            guard case .fill(let fill) = event.body else { return nil }
            return Fill(order: fill.orderID, price: Self.text(fill.price.units, scale: 8), size: Self.text(fill.quantity.units, scale: 3),
                        liquidity: fill.liquidity, fee: fill.fee.units)
        }
    }

    struct Fill: Equatable, CustomStringConvertible {
        var order: UInt64
        var price: String
        var size: String
        var liquidity: Liquidity
        var fee: Int128
        var description: String { "#\(order) \(size)@\(price) \(liquidity.label) fee \(fee)" }
    }

    /// The labels of the order events so far, e.g. "submitted 1", "canceled 1 immediate_rest".
    var orderLog: [String] {
        events.compactMap { event in
            switch event.body {
            case .orderSubmitted(let order): "submitted \(order.orderID)" + (order.parentOrderID != 0 ? " child of \(order.parentOrderID)" : "")
            case .orderAccepted(let order): "accepted \(order.orderID)"
            case .orderCanceled(let order): "canceled \(order.orderID) \(OrderReason(rawValue: order.reason)!.label)"
            case .orderRejected(let order): "rejected \(order.orderID) \(OrderReason(rawValue: order.reason)!.label)"
            case .orderExpired(let order): "expired \(order.orderID)"
            default: nil
            }
        }
    }

    mutating func clear() { events.removeAll() }

    static func levels(_ pairs: [(String, String)]) -> [BookLevel] {
        pairs.map { BookLevel(price: Price(units: price($0.0)), size: Quantity(units: size($0.1))) }
    }

    /// Decimal text of `units` at `scale`, trailing zeros dropped ("100.1", "2").
    static func text(_ units: Int64, scale: Int) -> String {
        var text = FixedPoint.format(units, scale: scale)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
