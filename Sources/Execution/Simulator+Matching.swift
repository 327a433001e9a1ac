import Events
import Projections
import TapeCore

/// Taking liquidity and recording fills.
extension Simulator {
    /// What the order may still fill: its remaining size, clipped for a reduce-only order to
    /// the position it reduces.
    func allowed(_ order: WorkingOrder) -> Int64 {
        order.request.reduceOnly ? min(order.remaining, reducible(order)) : order.remaining
    }

    /// For a reduce-only order, the position it can reduce: 0 when flat or on its side.
    func reducible(_ order: WorkingOrder) -> Int64 {
        let position = markets[Int(order.request.instrument.rawValue)].position
        return order.isBuy ? max(0, -position) : max(0, position)
    }

    /// Whether a limit order would take liquidity now: its price reaches the other side's best
    /// price (book, else quote, else last trade).
    func wouldTake(_ order: WorkingOrder, books: BookProjection?) -> Bool {
        guard let best = bestOpposite(order, books: books) else { return false }
        return order.isBuy ? order.request.price.units >= best : order.request.price.units <= best
    }

    private func bestOpposite(_ order: WorkingOrder, books: BookProjection?) -> Int64? {
        if let book = books?.book(order.request.instrument), book.isValid, let best = order.isBuy ? book.bestAsk : book.bestBid {
            return best.price
        }
        let market = markets[Int(order.request.instrument.rawValue)]
        let quoted = order.isBuy ? market.quote.ask : market.quote.bid
        if quoted > 0 { return quoted }
        return market.lastTrade > 0 ? market.lastTrade : nil
    }

    /// How much of the order could fill now at prices no worse than `limit` (nil: any).
    func fillable(_ order: WorkingOrder, limit: Int64?, books: BookProjection?, time: Int64) -> Int64 {
        plan(order, quantity: allowed(order), limit: limit, books: books, time: time).reduce(0) { $0 + $1.quantity }
    }

    /// Takes liquidity for what the order may fill, at prices no worse than `limit`; what it
    /// takes from the book or quote is not there for the next order until they change.
    mutating func take(_ order: inout WorkingOrder, limit: Int64?, step: RunStep, books: BookProjection?, into events: inout [RunEvent]) {
        let raw = Int(order.request.instrument.rawValue)
        for part in plan(order, quantity: allowed(order), limit: limit, books: books, time: step.time) {
            fill(&order, price: part.price, quantity: part.quantity, liquidity: .taker, step: step, into: &events)
            if part.shown { markets[raw].taken.append((order.isBuy ? .sell : .buy, part.price, part.quantity)) }
        }
    }

    /// The fills a taker of `quantity` would get now: the book's levels, best first; else the
    /// quote's size at its price (less what the run took of them); the rest (beyond the book
    /// or quote, or at the last trade without either) at the slippage model's price. Nothing
    /// beyond `limit`. `shown`: the part came from the book or quote.
    private func plan(_ order: WorkingOrder, quantity: Int64, limit: Int64?, books: BookProjection?, time: Int64) -> [(price: Int64, quantity: Int64, shown: Bool)] {
        guard quantity > 0 else { return [] }
        let raw = Int(order.request.instrument.rawValue)
        let buy = order.isBuy
        let market = markets[raw]
        let opposite: OrderSide = buy ? .sell : .buy
        func within(_ price: Int64) -> Bool { limit.map { buy ? price <= $0 : price >= $0 } ?? true }
        var parts: [(price: Int64, quantity: Int64, shown: Bool)] = []
        var left = quantity
        var reference: Int64
        if let book = books?.book(order.request.instrument), book.isValid, let best = buy ? book.bestAsk : book.bestBid {
            book.forEachLevel(of: opposite) { price, size in
                guard within(price) else { return false }
                let taken = min(size - market.alreadyTaken(opposite, price), left)
                if taken > 0 {
                    parts.append((price, taken, true))
                    left -= taken
                }
                return left > 0
            }
            // A limit order rests beyond the book's prices; a market order's rest is priced
            // from the last level it reached.
            guard left > 0, limit == nil else { return parts }
            reference = parts.last?.price ?? best.price
        } else {
            let (quoted, quotedSize) = buy ? (market.quote.ask, market.quote.askSize) : (market.quote.bid, market.quote.bidSize)
            if quoted > 0 {
                let available = quotedSize - market.alreadyTaken(opposite, quoted)
                if within(quoted) && available > 0 {
                    let taken = min(available, left)
                    parts.append((quoted, taken, true))
                    left -= taken
                }
                reference = quoted
            } else if market.lastTrade > 0 {
                reference = market.lastTrade
            } else {
                return []
            }
        }
        guard left > 0 else { return parts }
        let price = slipped(reference, buy: buy, quantity: quantity, raw: raw, time: time)
        if within(price) { parts.append((price, left, false)) }
        return parts
    }

    /// `reference` moved against a taker of `quantity` by the slippage model, on the tick
    /// grid (rounded against the taker).
    func slipped(_ reference: Int64, buy: Bool, quantity: Int64, raw: Int, time: Int64) -> Int64 {
        let tick = table.instruments[raw - 1].priceIncrement.units
        let move: Double
        switch options.slippage {
        case .fixed(let basisPoints):
            move = Double(reference) * basisPoints / 10_000
        case .spread(let fraction):
            let quote = markets[raw].quote
            move = quote.ask > 0 && quote.bid > 0 ? fraction * Double(quote.ask - quote.bid) : 0
        case .squareRoot(let coefficient, let window):
            let volume = markets[raw].volume(from: time - window, to: .max)
            move = Double(reference) * coefficient * (volume > 0 ? (Double(quantity) / Double(volume)).squareRoot() : 1)
        }
        let target = buy ? Double(reference) + move : Double(reference) - move
        let ticks = buy ? (target / Double(tick)).rounded(.up) : (target / Double(tick)).rounded(.down)
        return max(tick, Int64(ticks) * tick)
    }

    /// Records a fill of `quantity` at `price`: the event (with its fee), the order's and the
    /// position's progress, and the parent's.
    mutating func fill(_ order: inout WorkingOrder, price: Int64, quantity: Int64, liquidity: Liquidity, step: RunStep, into events: inout [RunEvent]) {
        guard quantity > 0 else { return }
        let raw = Int(order.request.instrument.rawValue)
        let rate = liquidity == .maker ? options.makerFee : options.takerFee
        let fee = table.instruments[raw - 1].contract.fee(size: quantity, price: price, rate: rate)
        let fill = FillRecorded(orderID: order.id, fillID: nextFillID, causation: step.sequence, side: order.request.side,
                                price: Price(units: price), quantity: Quantity(units: quantity), fee: fee, liquidity: liquidity)
        events.append(RunEvent(instrument: order.request.instrument, body: .fill(fill)))
        nextFillID += 1
        order.filled += quantity
        order.visibleLeft = max(0, order.visibleLeft - quantity)
        markets[raw].position += order.isBuy ? quantity : -quantity
        if order.parent != 0, let parent = index(of: order.parent) { orders[parent].filled += quantity }
    }
}
