import Events
import Projections

/// An order inside the simulator, from submission to its end.
@usableFromInline struct WorkingOrder: Sendable {
    let id: UInt64
    /// The parent order running an algorithm, 0 for none.
    let parent: UInt64
    let request: OrderRequest
    /// When it reaches the venue.
    let activeAt: Int64
    var accepted = false
    /// Stop orders: whether the trigger was reached (other orders start triggered).
    var triggered = false
    /// Size filled so far (for a parent: by its children).
    var filled: Int64 = 0
    /// Iceberg: what is left of the slice on show.
    var visibleLeft: Int64
    /// Queue model: the size ahead of the order at its price; `hasQueue` when it is known.
    var queueAhead: Int64 = 0
    var hasQueue = false
    /// When a cancel request reaches the venue (`Int64.max`: none).
    var cancelAt = Int64.max
    /// When it expires (`Int64.max`: never).
    var expiresAt = Int64.max
    /// A parent: its schedule, and the size handed to children so far.
    var schedule: AlgorithmSchedule?
    var released: Int64 = 0
    /// Finished; removed at the end of the step.
    var isDone = false

    init(id: UInt64, parent: UInt64, request: OrderRequest, activeAt: Int64) {
        self.id = id
        self.parent = parent
        self.request = request
        self.activeAt = activeAt
        let display = request.displayQuantity.units
        visibleLeft = display > 0 ? min(display, request.quantity.units) : request.quantity.units
    }

    var remaining: Int64 { request.quantity.units - filled }

    var isBuy: Bool { request.side == .buy }

    /// Whether a trade at `price` reaches a stop order's trigger (buy stops at or above it,
    /// sell stops at or below).
    func isTriggered(by price: Int64) -> Bool {
        isBuy ? price >= request.triggerPrice.units : price <= request.triggerPrice.units
    }

    /// The size a trade at `price` of `size` fills of this resting limit order: all of what is
    /// on show when it trades through the price (up to the trade's size); at the price, with a
    /// known queue, what is left of the trade once the size ahead has traded.
    mutating func matched(byTradeAt price: Int64, size: Int64) -> Int64 {
        let limit = request.price.units
        if isBuy ? price < limit : price > limit { return min(visibleLeft, size) }
        guard price == limit, hasQueue else { return 0 }
        queueAhead -= size
        guard queueAhead < 0 else { return 0 }
        let reached = -queueAhead
        queueAhead = 0
        return min(visibleLeft, reached)
    }

    /// Joins the back of the queue at its price: all the size resting there now is ahead.
    private mutating func joinQueue(_ book: OrderBook?, queueModel: Bool) {
        guard queueModel, let size = book?.size(at: request.price.units, of: request.side) else { return }
        queueAhead = size
        hasQueue = true
    }

    /// Shows the next slice (an iceberg's display size, else all that remains) at the back
    /// of the queue: on resting, and when an iceberg's slice on show has filled.
    mutating func showSlice(_ book: OrderBook?, queueModel: Bool) {
        let display = request.displayQuantity.units
        visibleLeft = display > 0 ? min(display, remaining) : remaining
        joinQueue(book, queueModel: queueModel)
    }
}
