import Events
import Projections
import TapeCore

/// What the risk engine remembers between events: the day and its starting equity, halts,
/// the orders it placed that are still working, and when each position opened and its best
/// price since. Built only from events (source and run), in sequence order, so a replay of a
/// run rebuilds it exactly.
public struct RiskState: Sendable {
    /// A working order the engine placed (not a child): its instrument and the signed size
    /// still to fill.
    struct OpenOrder: Sendable {
        var id: UInt64
        var raw: Int
        var remaining: Int64
        /// Placed by the engine itself (an exit, a reduction, a flattening).
        var isProtective: Bool
    }

    /// The UTC day of the last event, and the account's equity at its first event.
    private(set) var day = Int64.min
    private(set) var dayStartEquity = Double.nan
    /// The receive times of `day`: `dayBegins..<dayEnds` (asked at every event, where a
    /// division would find the day).
    private var dayBegins = Int64.max
    private var dayEnds = Int64.min
    /// Trading that adds exposure is halted until then (daily loss).
    private(set) var haltedUntil = Int64.min
    /// The kill switch flattened the account and halts it until an operator resumes.
    private(set) var killed = false
    /// Receive times of the orders placed in the rate window.
    private(set) var orderTimes = TrailingQueue<Int64>()
    private(set) var openOrders: [OpenOrder] = []
    /// Children of parent orders: child id → parent id.
    private var parents: [(child: UInt64, parent: UInt64)] = []
    /// Orders decided with verdict `liquidate` and not yet submitted.
    private var protectiveDecisions: [UInt64] = []
    /// Per instrument id: when the current position opened (`Int64.min` when flat), its side
    /// and the best price since (highest for a long, lowest for a short).
    private(set) var openedAt: [Int64]
    public private(set) var side: [Int64]
    private(set) var best: [Int64]
    /// Positions held now.
    public private(set) var held = 0

    init(instruments: Int) {
        openedAt = Array(repeating: .min, count: instruments + 1)
        side = Array(repeating: 0, count: instruments + 1)
        best = Array(repeating: 0, count: instruments + 1)
    }

    /// The signed size still to fill of the engine's working orders in instrument `raw`.
    func pending(_ raw: Int) -> Int64 {
        openOrders.reduce(0) { $0 + ($1.raw == raw ? $1.remaining : 0) }
    }

    /// Whether a protective order (exit, reduction, flattening) is working in `raw`.
    func protecting(_ raw: Int) -> Bool {
        openOrders.contains { $0.raw == raw && $0.isProtective }
    }

    /// Whether trading that adds exposure is halted at `time`.
    func isHalted(at time: Int64) -> Bool { killed || time < haltedUntil }

    /// Whether `time` falls on a later UTC day than the last event's (the day's starting
    /// equity is then read).
    @inline(__always)
    public func startsDay(at time: Int64) -> Bool { time < dayBegins || time >= dayEnds }

    /// Folds in the event at `index` of `block`, after the projections have applied it:
    /// `size` gives the account's position in the event's instrument (read at fills and
    /// liquidations, the only events that change it), `equity` its equity (read only when the
    /// event starts a day); `orderWindow` is the order-rate window (nil: none kept).
    mutating func observe(_ block: DecodedBlock, at index: Int, size: () -> Int64, equity: Double, orderWindow: Int64?) {
        let time = block.receiveTimes[index]
        let raw = Int(block.instruments[index].rawValue)
        begin(at: time, equity: equity)
        switch block.types[index] {
        case .trade: track(raw, price: block.trade(at: index).price.units)
        case .markPrice: track(raw, price: block.payloads.markPrices[Int(block.slots[index])].mark.units)
        case .riskDecision:
            let decision = block.payloads.riskDecisions[Int(block.slots[index])]
            if decision.verdict == .liquidate && decision.orderID != 0 { protectiveDecisions.append(decision.orderID) }
        case .orderSubmitted:
            let order = block.payloads.ordersSubmitted[Int(block.slots[index])]
            if order.parentOrderID != 0 {
                parents.append((order.orderID, order.parentOrderID))
            } else {
                let size = order.side == .buy ? order.quantity.units : -order.quantity.units
                let protective = protectiveDecisions.contains(order.orderID)
                protectiveDecisions.removeAll { $0 == order.orderID }
                openOrders.append(OpenOrder(id: order.orderID, raw: raw, remaining: size, isProtective: protective))
                orderTimes.append(time)
            }
        case .fill:
            let fill = block.payloads.fills[Int(block.slots[index])]
            filled(owner(of: fill.orderID), size: fill.quantity.units)
            track(raw, price: fill.price.units, time: time, size: size())
        case .orderCanceled: ended(block.payloads.ordersCanceled[Int(block.slots[index])].orderID)
        case .orderRejected: ended(block.payloads.ordersRejected[Int(block.slots[index])].orderID)
        case .orderExpired: ended(block.payloads.ordersExpired[Int(block.slots[index])].orderID)
        case .liquidation: track(raw, price: block.payloads.liquidations[Int(block.slots[index])].price.units, time: time, size: size())
        case .killSwitch:
            let kill = block.payloads.killSwitches[Int(block.slots[index])]
            switch kill.action {
            case .halt: haltedUntil = max(haltedUntil, kill.until.nanosSinceEpoch)
            case .flattenAndHalt: killed = true
            case .resume:
                killed = false
                haltedUntil = .min
            }
        default: break
        }
        end(at: time, orderWindow: orderWindow)
    }

    /// `observe` of a trade at `price` of instrument `raw` received at `time`, for a caller
    /// that has read it.
    @inline(__always)
    mutating func observe(tradeOf raw: Int, price: Int64, at time: Int64, equity: Double, orderWindow: Int64?) {
        begin(at: time, equity: equity)
        track(raw, price: price)
        end(at: time, orderWindow: orderWindow)
    }

    /// What every event does first: a new UTC day begins with the account's `equity`.
    @inline(__always)
    private mutating func begin(at time: Int64, equity: Double) {
        guard startsDay(at: time) else { return }
        day = TimeGrid.days.index(of: time)
        dayStartEquity = equity
        dayBegins = TimeGrid.days.start(of: day)
        dayEnds = TimeGrid.days.start(of: day + 1)
    }

    /// What every event does last: orders placed before the rate window leave it.
    @inline(__always)
    private mutating func end(at time: Int64, orderWindow: Int64?) {
        guard let orderWindow else { return }
        while let first = orderTimes.first, first <= time - orderWindow { orderTimes.removeFirst() }
    }

    /// Keeps the position's open time and best price in step with the ledger's `size`.
    private mutating func track(_ raw: Int, price: Int64, time: Int64, size: Int64) {
        guard raw > 0 && raw < openedAt.count else { return }
        let sign: Int64 = size > 0 ? 1 : size < 0 ? -1 : 0
        if sign != side[raw] {
            if side[raw] == 0 { held += 1 }
            if sign == 0 { held -= 1 }
            side[raw] = sign
            openedAt[raw] = sign == 0 ? .min : time
            best[raw] = price
            return
        }
        track(raw, price: price)
    }

    /// Keeps the best price of the position held (its side unchanged). (Written only when it
    /// improves: a write to the array checks its storage is unique, at every price.)
    private mutating func track(_ raw: Int, price: Int64) {
        guard raw > 0 && raw < side.count else { return }
        let side = side[raw]
        if side > 0 ? price > best[raw] : side < 0 && price < best[raw] { best[raw] = price }
    }

    /// The order a fill counts against: the parent for a child.
    private func owner(of id: UInt64) -> UInt64 {
        parents.first { $0.child == id }?.parent ?? id
    }

    private mutating func filled(_ id: UInt64, size: Int64) {
        guard let index = openOrders.firstIndex(where: { $0.id == id }) else { return }
        let remaining = openOrders[index].remaining
        openOrders[index].remaining = remaining > 0 ? remaining - size : remaining + size
        if openOrders[index].remaining == 0 { ended(id) }
    }

    /// An order of the engine's (or a child) ended: what it had not filled is no longer pending.
    private mutating func ended(_ id: UInt64) {
        if parents.contains(where: { $0.child == id }) {
            parents.removeAll { $0.child == id }
            return
        }
        openOrders.removeAll { $0.id == id }
        parents.removeAll { $0.parent == id }
    }

    /// The most bytes `write(into:at:raw:)` writes: six varints of at most 10 bytes, a double
    /// and a byte.
    static let maximumBytes = 6 * 10 + 8 + 1

    /// Writes the canonical bytes of the state a decision reads, for its hash, at `position`
    /// of `output`; returns the position after them.
    func write(into output: RawOutput, at position: Int, raw: Int) -> Int {
        var position = output.writeVarint(ZigZag.encode(day), at: position)
        output.storeLittleEndian(dayStartEquity.bitPattern, at: position)
        position = output.writeVarint(ZigZag.encode(haltedUntil), at: position + 8)
        output.bytes(from: position, count: 1).pointee = killed ? 1 : 0
        position = output.writeVarint(UInt64(orderTimes.count), at: position + 1)
        position = output.writeVarint(ZigZag.encode(pending(raw)), at: position)
        position = output.writeVarint(ZigZag.encode(openedAt[raw]), at: position)
        return output.writeVarint(ZigZag.encode(best[raw]), at: position)
    }
}
