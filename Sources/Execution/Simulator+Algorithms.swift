import Events
import TapeCore

/// A parent order's plan: when its children go out and how large.
struct AlgorithmSchedule: Sendable {
    /// TWAP and VWAP: release times and the cumulative size due by each.
    var releases: [(time: Int64, cumulative: Int64)] = []
    var next = 0
    /// POV: participation owed but not yet released, in size units.
    var owed = 0.0
}

/// Execution algorithms: a parent order hands its size to market-order children over time
/// (TWAP, VWAP) or in step with the market's volume (POV). Children skip the risk engine (the
/// parent was approved) but not the venue: they have latency and fill like any order.
extension Simulator {
    /// Plans a parent's children when it reaches the venue.
    mutating func startAlgorithm(_ order: inout WorkingOrder, step: RunStep) {
        let total = order.request.quantity.units
        let lot = table.instruments[Int(order.request.instrument.rawValue) - 1].sizeIncrement.units
        var schedule = AlgorithmSchedule()
        switch order.request.algorithm {
        case .twap:
            let count = options.twapSlices
            schedule.releases = Self.releases(total: total, lot: lot, start: step.time, duration: options.twapDuration,
                                              weights: Array(repeating: 1, count: count))
        case .vwap:
            // The volume profile of the window just before the order, bucket by bucket.
            let count = options.vwapBuckets
            let width = options.vwapDuration / Int64(count)
            let market = markets[Int(order.request.instrument.rawValue)]
            let start = step.time - options.vwapDuration
            var weights = (0..<count).map { Double(market.volume(from: start + Int64($0) * width, to: start + Int64($0 + 1) * width)) }
            if weights.allSatisfy({ $0 == 0 }) { weights = Array(repeating: 1, count: count) }
            schedule.releases = Self.releases(total: total, lot: lot, start: step.time, duration: options.vwapDuration, weights: weights)
        case .pov, .none:
            break
        }
        order.schedule = schedule
    }

    /// Evenly spaced release times over `duration` from `start`, with cumulative sizes in
    /// proportion to `weights`, in whole lots, the last one the whole.
    static func releases(total: Int64, lot: Int64, start: Int64, duration: Int64, weights: [Double]) -> [(time: Int64, cumulative: Int64)] {
        let sum = weights.reduce(0, +)
        var running = 0.0
        return weights.indices.map { index in
            running += weights[index]
            let due = index == weights.count - 1 ? total : Int64((Double(total) * running / sum / Double(lot)).rounded(.down)) * lot
            return (start + duration * Int64(index) / Int64(weights.count), due)
        }
    }

    /// A parent's turn: children due now go out. A TWAP or VWAP release sends what is due by
    /// then, including what earlier children gave back unfilled; POV sends its share of each
    /// trade. False once the parent is finished: filled, or (TWAP, VWAP) its last release
    /// passed with no child working, the unfilled rest then canceled.
    mutating func runAlgorithm(_ order: inout WorkingOrder, step: RunStep, market: MarketChange, into events: inout [RunEvent]) -> Bool {
        guard var schedule = order.schedule else { return true }
        let total = order.request.quantity.units
        var due = order.released
        switch order.request.algorithm {
        case .twap, .vwap:
            let before = schedule.next
            while schedule.next < schedule.releases.count && schedule.releases[schedule.next].time <= step.time { schedule.next += 1 }
            if schedule.next > before { due = schedule.releases[schedule.next - 1].cumulative }
        case .pov:
            if Int(order.request.instrument.rawValue) == market.raw, let trade = market.trade {
                schedule.owed += options.povParticipation * Double(trade.size)
            }
            let lot = table.instruments[Int(order.request.instrument.rawValue) - 1].sizeIncrement.units
            let size = min(Int64((schedule.owed / Double(lot)).rounded(.down)) * lot, total - order.released)
            schedule.owed -= Double(size)
            due = order.released + size
        case .none:
            break
        }
        order.schedule = schedule
        if due > order.released { release(&order, size: due - order.released, step: step, into: &events) }
        if order.filled >= total { return false }
        guard order.request.algorithm != .pov, schedule.next >= schedule.releases.count,
              !orders.contains(where: { $0.parent == order.id && !$0.isDone }) else { return true }
        events.append(RunEvent(instrument: order.request.instrument,
                               body: .orderCanceled(OrderCanceled(orderID: order.id, reason: OrderReason.scheduleEnded.rawValue, causation: step.sequence))))
        return false
    }

    /// Sends a market child of `size` for the parent.
    private mutating func release(_ parent: inout WorkingOrder, size: Int64, step: RunStep, into events: inout [RunEvent]) {
        guard size > 0 else { return }
        let request = OrderRequest(instrument: parent.request.instrument, side: parent.request.side, type: .market, timeInForce: .immediateOrCancel,
                                   quantity: Quantity(units: size), reduceOnly: parent.request.reduceOnly)
        enqueue(request, id: newOrderID(), parent: parent.id, step: step, into: &events)
        parent.released += size
    }
}
