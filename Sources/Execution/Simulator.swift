public import Events
public import Projections
public import TapeCore

/// The execution simulator: orders live here from submission to their last fill, matched
/// against the source journal's own market data (specs/execution.md).
///
/// An order reaches the venue `submitLatency` after it is submitted and is matched against
/// the market as of the first source event received at or after that time. Market orders walk
/// the L2 book when the run keeps one, else take the last quote's size at its price, else fill
/// at the last trade price; what is beyond the book or quote is priced by the slippage model.
/// Resting limit orders fill only when the market trades through their price (or, with the
/// queue model on L2 data, once the size ahead of them at their price has traded). Every
/// state change is an event; nothing else leaves the simulator.
public struct Simulator: Sendable {
    public let options: ExecutionOptions
    let table: InstrumentTable
    /// Working orders in id order (ids only grow, so appending keeps the order).
    @usableFromInline var orders: [WorkingOrder] = []
    /// Market state by instrument id (index 0 unused).
    @usableFromInline var markets: [Market]
    private(set) var nextOrderID: UInt64 = 1
    var nextFillID: UInt64 = 1
    /// The span of trades kept (`options.historyWindow`; 0: none).
    @usableFromInline let history: Int64

    public init(options: ExecutionOptions, instruments: InstrumentTable) {
        self.options = options
        table = instruments
        markets = Array(repeating: Market(), count: instruments.count + 1)
        history = options.historyWindow
    }

    /// The event types whose payloads the simulator reads.
    public static let readTypes: Set<EventType> = [.trade, .quote, .bookDelta, .bookSnapshot]

    /// A new order id (the risk engine names the order it approves before it is submitted).
    public mutating func newOrderID() -> UInt64 {
        defer { nextOrderID += 1 }
        return nextOrderID
    }

    /// The simulator's position in `instrument`, signed, in size units: the sum of its fills
    /// and the liquidations it was told of.
    public func position(_ instrument: InstrumentID) -> Int64 { markets[Int(instrument.rawValue)].position }

    /// The orders still working (submitted, resting, triggered or running an algorithm).
    public var workingOrders: [(id: UInt64, request: OrderRequest, filled: Quantity)] {
        orders.map { ($0.id, $0.request, Quantity(units: $0.filled)) }
    }

    /// Submits order `id`: `OrderSubmitted` now, then its acceptance and fills when it reaches
    /// the venue (at once without latency, against the market as it is now).
    public mutating func submit(_ request: OrderRequest, id: UInt64, step: RunStep, books: BookProjection?, into events: inout [RunEvent]) {
        enqueue(request, id: id, parent: 0, step: step, into: &events)
        guard options.submitLatency == 0 else { return }
        process(from: orders.count - 1, step: step, market: MarketChange(raw: 0), books: books, into: &events)
    }

    /// Asks to cancel order `id` (its children too, if it is a parent): canceled now without
    /// latency, else when the request reaches the venue. Unknown or finished orders are ignored.
    public mutating func cancel(_ id: UInt64, step: RunStep, into events: inout [RunEvent]) {
        guard let index = index(of: id) else { return }
        guard options.cancelLatency == 0 else {
            orders[index].cancelAt = min(orders[index].cancelAt, step.time + options.cancelLatency)
            return
        }
        cancelChildren(of: id, step: step, into: &events)
        cancel(orders[index], reason: .requested, step: step, into: &events)
        orders[index].isDone = true
        orders.removeAll { $0.isDone }
    }

    /// Tells the simulator of a position change that was not its fill (a liquidation).
    public mutating func adjustPosition(_ instrument: InstrumentID, by size: Int64) {
        markets[Int(instrument.rawValue)].position += size
    }

    /// Reads the source event at `index` of `block` (after the projections did): the market
    /// state, then every working order in id order — arrivals, cancels, expiries, stop
    /// triggers, fills of resting orders, algorithm children.
    public mutating func step(_ block: DecodedBlock, at index: Int, books: BookProjection?, into events: inout [RunEvent]) {
        let raw = Int(block.instruments[index].rawValue)
        let time = block.receiveTimes[index]
        var market = MarketChange(raw: raw)
        switch block.types[index] {
        case .trade:
            step(trade: block.trade(at: index), raw: raw, time: time, sequence: block.sequence(at: index), books: books, into: &events)
            return
        case .quote:
            let quote = block.quote(at: index)
            markets[raw].quote = (quote.bidPrice.units, quote.bidSize.units, quote.askPrice.units, quote.askSize.units)
            markets[raw].taken.removeAll()
        case .bookDelta, .bookSnapshot:
            market.bookChanged = true
            markets[raw].taken.removeAll()
        default:
            break
        }
        guard !orders.isEmpty else { return }
        process(from: 0, step: RunStep(sequence: block.sequence(at: index), time: time), market: market, books: books, into: &events)
    }

    /// Reads a source trade of instrument `raw` (as `step` does): for a run loop that has
    /// read the trade already. Inlined there: most trades repeat the last price with no order
    /// working, and change nothing.
    @inlinable @inline(__always)
    public mutating func step(trade: Trade, raw: Int, time: Int64, sequence: UInt64, books: BookProjection?, into events: inout [RunEvent]) {
        if history > 0 || markets[raw].lastTrade != trade.price.units || !orders.isEmpty {
            stepChanging(trade: trade, raw: raw, time: time, sequence: sequence, books: books, into: &events)
        }
    }

    /// `step(trade:…)` for a trade that changes the market or meets working orders.
    @usableFromInline
    mutating func stepChanging(trade: Trade, raw: Int, time: Int64, sequence: UInt64, books: BookProjection?, into events: inout [RunEvent]) {
        // (Recorded only when that changes the market: a write to the markets checks that
        // their storage is unique, and most trades repeat the last price.)
        if history > 0 || markets[raw].lastTrade != trade.price.units { markets[raw].record(trade: trade, at: time, keeping: history) }
        guard !orders.isEmpty else { return }
        var market = MarketChange(raw: raw)
        market.trade = (trade.price.units, trade.size.units)
        process(from: 0, step: RunStep(sequence: sequence, time: time), market: market, books: books, into: &events)
    }

    /// Gives each working order from `start` on its turn, in id order; children released on
    /// the way are appended and reached in the same pass.
    private mutating func process(from start: Int, step: RunStep, market: MarketChange, books: BookProjection?, into events: inout [RunEvent]) {
        var position = start
        while position < orders.count {
            var order = orders[position]
            if !order.isDone {
                let keep = advance(&order, step: step, market: market, books: books, into: &events)
                settle(order, at: position, keep: keep)
            }
            position += 1
        }
        orders.removeAll { $0.isDone }
    }

    // MARK: Lifecycle

    /// Records a submission: the event, and the order waiting to reach the venue.
    mutating func enqueue(_ request: OrderRequest, id: UInt64, parent: UInt64, step: RunStep, into events: inout [RunEvent]) {
        precondition(orders.last.map { $0.id < id } ?? true, "order ids must grow")
        events.append(RunEvent(instrument: request.instrument, body: .orderSubmitted(request.submitted(id: id, parent: parent, causation: step.sequence))))
        orders.append(WorkingOrder(id: id, parent: parent, request: request, activeAt: step.time + options.submitLatency))
    }

    /// One order's turn at a step; false when it is finished.
    private mutating func advance(_ order: inout WorkingOrder, step: RunStep, market: MarketChange, books: BookProjection?, into events: inout [RunEvent]) -> Bool {
        if order.cancelAt <= step.time {
            cancelChildren(of: order.id, step: step, into: &events)
            cancel(order, reason: .requested, step: step, into: &events)
            return false
        }
        guard order.accepted else {
            return order.activeAt <= step.time ? arrive(&order, step: step, books: books, into: &events) : true
        }
        if order.expiresAt <= step.time {
            cancelChildren(of: order.id, step: step, into: &events)
            events.append(RunEvent(instrument: order.request.instrument, body: .orderExpired(OrderExpired(orderID: order.id, causation: step.sequence))))
            return false
        }
        if order.request.algorithm != .none { return runAlgorithm(&order, step: step, market: market, into: &events) }
        guard Int(order.request.instrument.rawValue) == market.raw else { return true }
        if !order.triggered {
            guard let trade = market.trade, order.isTriggered(by: trade.price) else { return true }
            return trigger(&order, step: step, books: books, into: &events)
        }
        return rest(&order, step: step, market: market, books: books, into: &events)
    }

    /// The order reaches the venue: checked, accepted, then executed, armed, rested or started.
    private mutating func arrive(_ order: inout WorkingOrder, step: RunStep, books: BookProjection?, into events: inout [RunEvent]) -> Bool {
        let request = order.request
        if let reason = invalidity(of: request) {
            reject(order, reason: reason, step: step, into: &events)
            return false
        }
        if request.reduceOnly && reducible(order) == 0 {
            reject(order, reason: .nothingToReduce, step: step, into: &events)
            return false
        }
        order.accepted = true
        events.append(RunEvent(instrument: request.instrument, body: .orderAccepted(OrderAccepted(orderID: order.id, venueOrderID: order.id, causation: step.sequence))))
        switch request.timeInForce {
        case .goodTillTime: order.expiresAt = request.expireTime.nanosSinceEpoch
        case .day: order.expiresAt = (step.time / 86_400_000_000_000 + 1) * 86_400_000_000_000
        default: break
        }
        if request.algorithm != .none {
            startAlgorithm(&order, step: step)
            return runAlgorithm(&order, step: step, market: MarketChange(raw: 0), into: &events)
        }
        if request.type == .stop || request.type == .stopLimit {
            let last = markets[Int(request.instrument.rawValue)].lastTrade
            guard last > 0, order.isTriggered(by: last) else { return true }
            return trigger(&order, step: step, books: books, into: &events)
        }
        order.triggered = true
        return execute(&order, step: step, books: books, into: &events)
    }

    /// A triggered stop becomes a market order, a stop-limit a limit order.
    private mutating func trigger(_ order: inout WorkingOrder, step: RunStep, books: BookProjection?, into events: inout [RunEvent]) -> Bool {
        order.triggered = true
        return execute(&order, step: step, books: books, into: &events)
    }

    /// Executes a market or limit order on arrival (or trigger): the marketable part takes
    /// liquidity; a limit's rest rests unless its time in force says otherwise.
    private mutating func execute(_ order: inout WorkingOrder, step: RunStep, books: BookProjection?, into events: inout [RunEvent]) -> Bool {
        let request = order.request
        let isMarket = request.type == .market || request.type == .stop
        let limit: Int64? = isMarket ? nil : request.price.units
        if !isMarket && request.postOnly && wouldTake(order, books: books) {
            cancel(order, reason: .wouldTake, step: step, into: &events)
            return false
        }
        if request.timeInForce == .fillOrKill && fillable(order, limit: limit, books: books, time: step.time) < allowed(order) {
            cancel(order, reason: .notFillable, step: step, into: &events)
            return false
        }
        let before = order.filled
        take(&order, limit: limit, step: step, books: books, into: &events)
        if order.remaining == 0 { return false }
        if isMarket {
            let reason: OrderReason = order.filled == before && order.request.reduceOnly ? .nothingToReduce
                : order.filled == before ? .noMarket : .immediateRest
            cancel(order, reason: reason, step: step, into: &events)
            return false
        }
        if request.timeInForce == .immediateOrCancel || request.timeInForce == .fillOrKill {
            cancel(order, reason: .immediateRest, step: step, into: &events)
            return false
        }
        order.showSlice(books?.book(request.instrument), queueModel: options.queuePosition)
        return true
    }

    /// A resting limit order at a market event of its instrument.
    private mutating func rest(_ order: inout WorkingOrder, step: RunStep, market: MarketChange, books: BookProjection?, into events: inout [RunEvent]) -> Bool {
        if market.bookChanged, order.hasQueue, let size = books?.book(order.request.instrument)?.size(at: order.request.price.units, of: order.request.side) {
            order.queueAhead = min(order.queueAhead, size)
        }
        guard let trade = market.trade else { return true }
        let matched = order.matched(byTradeAt: trade.price, size: trade.size)
        guard matched > 0 else { return true }
        fill(&order, price: order.request.price.units, quantity: min(matched, allowed(order)), liquidity: .maker, step: step, into: &events)
        if order.remaining == 0 { return false }
        if order.request.reduceOnly && allowed(order) == 0 {
            cancel(order, reason: .nothingToReduce, step: step, into: &events)
            return false
        }
        if order.visibleLeft == 0 { order.showSlice(books?.book(order.request.instrument), queueModel: options.queuePosition) }
        return true
    }

    /// Puts an order back after its turn, or finishes it; a finished child gives its unfilled
    /// rest back to its parent's schedule.
    private mutating func settle(_ order: WorkingOrder, at index: Int, keep: Bool) {
        orders[index] = order
        orders[index].isDone = !keep
        guard !keep, order.parent != 0, let parent = self.index(of: order.parent) else { return }
        orders[parent].released -= order.remaining
    }

    /// Cancels the working children of parent `id`.
    private mutating func cancelChildren(of id: UInt64, step: RunStep, into events: inout [RunEvent]) {
        for child in orders.indices where orders[child].parent == id && !orders[child].isDone {
            orders[child].isDone = true
            cancel(orders[child], reason: .parentCanceled, step: step, into: &events)
        }
    }

    private mutating func reject(_ order: WorkingOrder, reason: OrderReason, step: RunStep, into events: inout [RunEvent]) {
        events.append(RunEvent(instrument: order.request.instrument, body: .orderRejected(OrderRejected(orderID: order.id, reason: reason.rawValue, causation: step.sequence))))
    }

    private mutating func cancel(_ order: WorkingOrder, reason: OrderReason, step: RunStep, into events: inout [RunEvent]) {
        events.append(RunEvent(instrument: order.request.instrument, body: .orderCanceled(OrderCanceled(orderID: order.id, reason: reason.rawValue, causation: step.sequence))))
    }

    /// Why a request cannot be placed, nil when it can.
    private func invalidity(of request: OrderRequest) -> OrderReason? {
        let instrument = table.instruments[Int(request.instrument.rawValue) - 1]
        let tick = instrument.priceIncrement.units
        let lot = instrument.sizeIncrement.units
        if request.quantity.units % lot != 0 || request.displayQuantity.units % lot != 0 || request.displayQuantity.units < 0 { return .invalidQuantity }
        let needsPrice = request.type == .limit || request.type == .stopLimit
        let needsTrigger = request.type == .stop || request.type == .stopLimit
        if needsPrice && (request.price.units <= 0 || request.price.units % tick != 0) { return .invalidPrice }
        if needsTrigger && (request.triggerPrice.units <= 0 || request.triggerPrice.units % tick != 0) { return .invalidPrice }
        return nil
    }

    /// The index of working order `id`.
    func index(of id: UInt64) -> Int? {
        var low = 0
        var high = orders.count
        while low < high {
            let middle = (low + high) / 2
            if orders[middle].id < id { low = middle + 1 } else { high = middle }
        }
        return low < orders.count && orders[low].id == id && !orders[low].isDone ? low : nil
    }
}

/// What a source event changed in the market of instrument `raw`.
struct MarketChange {
    var raw: Int
    var trade: (price: Int64, size: Int64)?
    var bookChanged = false
}

/// The market of one instrument as the simulator last saw it.
@usableFromInline struct Market: Sendable {
    @usableFromInline var lastTrade: Int64 = 0
    /// The last quote: bid price and size, ask price and size (0 when none).
    var quote: (bid: Int64, bidSize: Int64, ask: Int64, askSize: Int64) = (0, 0, 0, 0)
    /// The simulator's position, signed size units.
    var position: Int64 = 0
    /// Trades kept for the slippage window and VWAP profiles: receive time and size.
    var trades = TrailingQueue<(time: Int64, size: Int64)>()
    /// What the run's own orders took from the book or quote as it stands: side taken from
    /// (`.sell`: asks), price and size. Emptied when the book or quote changes.
    var taken: [(side: OrderSide, price: Int64, size: Int64)] = []

    /// The size the run already took at `price` of `side`.
    func alreadyTaken(_ side: OrderSide, _ price: Int64) -> Int64 {
        taken.reduce(0) { $0 + ($1.side == side && $1.price == price ? $1.size : 0) }
    }

    mutating func record(trade: Trade, at time: Int64, keeping window: Int64) {
        lastTrade = trade.price.units
        guard window > 0 else { return }
        trades.append((time, trade.size.units))
        while let first = trades.first, first.time <= time - window { trades.removeFirst() }
    }

    /// The volume traded after `start`, up to `end` (exclusive).
    func volume(from start: Int64, to end: Int64) -> Int64 {
        var total: Int64 = 0
        for trade in trades.reversed() {
            if trade.time < start { break }
            if trade.time < end { total += trade.size }
        }
        return total
    }
}
