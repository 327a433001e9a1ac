public import TapeCore

/// An order left the strategy for execution (simulated or real). In live mode this event is
/// durable in the journal before the order is sent.
public struct OrderSubmitted: EventPayload, Hashable {
    public static let eventType = EventType.orderSubmitted
    public static let fieldKinds: [FieldKind] = Array(repeating: .int, count: 14)

    /// The run's own id for the order, unique within the run.
    public var orderID: UInt64
    /// The sequence number of the source event that led to the order.
    public var causation: UInt64
    /// The parent order of a child order (algorithms, icebergs), 0 for none.
    public var parentOrderID: UInt64
    public var side: OrderSide
    public var orderType: OrderType
    public var timeInForce: TimeInForce
    public var reduceOnly: Bool
    public var postOnly: Bool
    public var quantity: Quantity
    /// The limit price; zero for market and stop orders.
    public var price: Price
    /// The trigger price of stop and stop-limit orders; zero for none.
    public var triggerPrice: Price
    /// The visible size of an iceberg order; zero shows it all.
    public var displayQuantity: Quantity
    /// When a good-till-time order expires; `.epoch` for none.
    public var expireTime: Timestamp
    public var algorithm: ExecutionAlgorithm

    public init(
        orderID: UInt64, causation: UInt64, parentOrderID: UInt64 = 0, side: OrderSide, orderType: OrderType,
        timeInForce: TimeInForce, reduceOnly: Bool = false, postOnly: Bool = false, quantity: Quantity,
        price: Price = .zero, triggerPrice: Price = .zero, displayQuantity: Quantity = .zero,
        expireTime: Timestamp = .epoch, algorithm: ExecutionAlgorithm = .none
    ) {
        self.orderID = orderID
        self.causation = causation
        self.parentOrderID = parentOrderID
        self.side = side
        self.orderType = orderType
        self.timeInForce = timeInForce
        self.reduceOnly = reduceOnly
        self.postOnly = postOnly
        self.quantity = quantity
        self.price = price
        self.triggerPrice = triggerPrice
        self.displayQuantity = displayQuantity
        self.expireTime = expireTime
        self.algorithm = algorithm
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(orderID)
        writer.writeUInt(causation)
        writer.writeUInt(parentOrderID)
        writer.writeCode(side)
        writer.writeCode(orderType)
        writer.writeCode(timeInForce)
        writer.writeBool(reduceOnly)
        writer.writeBool(postOnly)
        writer.writeInt(quantity.units)
        writer.writeInt(price.units)
        writer.writeInt(triggerPrice.units)
        writer.writeInt(displayQuantity.units)
        writer.writeTime(expireTime)
        writer.writeCode(algorithm)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> OrderSubmitted {
        try check(version: version)
        return OrderSubmitted(
            orderID: try reader.readUInt(),
            causation: try reader.readUInt(),
            parentOrderID: try reader.readUInt(),
            side: try reader.readCode(OrderSide.self, field: "side"),
            orderType: try reader.readCode(OrderType.self, field: "order type"),
            timeInForce: try reader.readCode(TimeInForce.self, field: "time in force"),
            reduceOnly: try reader.readBool(field: "reduce only"),
            postOnly: try reader.readBool(field: "post only"),
            quantity: Quantity(units: try reader.readInt()),
            price: Price(units: try reader.readInt()),
            triggerPrice: Price(units: try reader.readInt()),
            displayQuantity: Quantity(units: try reader.readInt()),
            expireTime: try reader.readTime(),
            algorithm: try reader.readCode(ExecutionAlgorithm.self, field: "algorithm")
        )
    }
}
