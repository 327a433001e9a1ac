public import Events
public import TapeCore

/// An order to place, as the risk engine approved it: the fields of `OrderSubmitted` but the
/// ids and causation, which the simulator and the step give it.
public struct OrderRequest: Sendable, Equatable {
    public var instrument: InstrumentID
    public var side: OrderSide
    public var type: OrderType
    public var timeInForce: TimeInForce
    /// Always positive: the side says which way.
    public var quantity: Quantity
    /// The limit price of limit and stop-limit orders.
    public var price: Price
    /// The trigger of stop and stop-limit orders.
    public var triggerPrice: Price
    public var reduceOnly: Bool
    public var postOnly: Bool
    /// Iceberg: the size shown at a time (0: all).
    public var displayQuantity: Quantity
    /// Good-till-time orders expire then.
    public var expireTime: Timestamp
    /// A parent order run by an algorithm (its children are market orders).
    public var algorithm: ExecutionAlgorithm

    public init(
        instrument: InstrumentID, side: OrderSide, type: OrderType = .market, timeInForce: TimeInForce = .goodTillCanceled,
        quantity: Quantity, price: Price = .zero, triggerPrice: Price = .zero, reduceOnly: Bool = false, postOnly: Bool = false,
        displayQuantity: Quantity = .zero, expireTime: Timestamp = .epoch, algorithm: ExecutionAlgorithm = .none
    ) {
        precondition(quantity.units > 0, "an order's quantity is positive; the side gives its direction")
        self.instrument = instrument
        self.side = side
        self.type = type
        self.timeInForce = timeInForce
        self.quantity = quantity
        self.price = price
        self.triggerPrice = triggerPrice
        self.reduceOnly = reduceOnly
        self.postOnly = postOnly
        self.displayQuantity = displayQuantity
        self.expireTime = expireTime
        self.algorithm = algorithm
    }

    /// The `OrderSubmitted` payload of this request.
    func submitted(id: UInt64, parent: UInt64, causation: UInt64) -> OrderSubmitted {
        OrderSubmitted(
            orderID: id, causation: causation, parentOrderID: parent, side: side, orderType: type, timeInForce: timeInForce,
            reduceOnly: reduceOnly, postOnly: postOnly, quantity: quantity, price: price, triggerPrice: triggerPrice,
            displayQuantity: displayQuantity, expireTime: expireTime, algorithm: algorithm)
    }
}

/// Why the simulator rejected or canceled an order (the `reason` of `OrderRejected` and
/// `OrderCanceled`; specs/execution.md lists them).
public enum OrderReason: UInt16, Sendable, CaseIterable {
    /// Canceled at the request of the strategy or the risk engine.
    case requested = 1
    /// An immediate-or-cancel order's unfilled rest.
    case immediateRest = 2
    /// A fill-or-kill order that could not fill whole.
    case notFillable = 3
    /// A post-only order that would have taken liquidity.
    case wouldTake = 4
    /// A reduce-only order with no position to reduce (or its rest once the position is closed).
    case nothingToReduce = 5
    /// No price to execute against: no book, quote or trade of the instrument yet.
    case noMarket = 6
    /// The parent of a child order was canceled.
    case parentCanceled = 7
    /// A limit or trigger price that is not positive, or off the instrument's tick.
    case invalidPrice = 8
    /// A size that is not a whole number of lots.
    case invalidQuantity = 9
    /// A parent whose algorithm's schedule ended with part of it unfilled.
    case scheduleEnded = 10

    public var label: String {
        switch self {
        case .requested: "requested"
        case .immediateRest: "immediate_rest"
        case .notFillable: "not_fillable"
        case .wouldTake: "would_take"
        case .nothingToReduce: "nothing_to_reduce"
        case .noMarket: "no_market"
        case .parentCanceled: "parent_canceled"
        case .invalidPrice: "invalid_price"
        case .invalidQuantity: "invalid_quantity"
        case .scheduleEnded: "schedule_ended"
        }
    }
}
