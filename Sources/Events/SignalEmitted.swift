public import TapeCore

/// A strategy's signal: what it wants, how strongly, and the feature values that drove it.
public struct SignalEmitted: EventPayload, Hashable {
    public static let eventType = EventType.signal
    /// Version 2 added how the order is placed: order type, time in force, trigger price,
    /// post-only, displayed size.
    public static let codecVersion: UInt8 = 2
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int, .int, .int, .bytes, .int, .int, .int, .int, .int]

    public static func fieldKinds(version: UInt8) -> [FieldKind] {
        version >= 2 ? fieldKinds : Array(fieldKinds.prefix(7))
    }

    /// A feature value that drove the signal.
    public struct FeatureValue: Hashable, Sendable {
        /// The feature's index in the run's feature configuration.
        public var feature: UInt32
        public var value: Double
        /// The most bytes one takes encoded: its code's varint and a double.
        public static let maximumBytes = 5 + 8

        public init(feature: UInt32, value: Double) {
            self.feature = feature
            self.value = value
        }
    }

    /// The strategy's index in the run's configuration.
    public var strategy: UInt32
    /// The sequence number of the source event the strategy reacted to.
    public var causation: UInt64
    public var kind: SignalKind
    /// The signed target position (target_position), or the signed order size (order_intent).
    public var quantity: Quantity
    /// The limit price of an order intent, zero for none.
    public var price: Price
    /// The strength of the signal, in the strategy's own scale.
    public var strength: Double
    public var features: [FeatureValue]
    /// How the order the signal leads to is placed: its type (by default a limit order at
    /// `price` when that is set, else a market order), time in force, trigger price (stop and
    /// stop-limit orders; zero for none), post-only, and displayed size (an iceberg; zero
    /// shows all). Signals of codec version 1 read as the defaults.
    public var orderType: OrderType
    public var timeInForce: TimeInForce
    public var triggerPrice: Price
    public var postOnly: Bool
    public var displayQuantity: Quantity

    public init(
        strategy: UInt32, causation: UInt64, kind: SignalKind, quantity: Quantity, price: Price, strength: Double, features: [FeatureValue],
        orderType: OrderType? = nil, timeInForce: TimeInForce = .goodTillCanceled, triggerPrice: Price = .zero, postOnly: Bool = false,
        displayQuantity: Quantity = .zero
    ) {
        self.strategy = strategy
        self.causation = causation
        self.kind = kind
        self.quantity = quantity
        self.price = price
        self.strength = strength
        self.features = features
        self.orderType = orderType ?? (price.units > 0 ? .limit : .market)
        self.timeInForce = timeInForce
        self.triggerPrice = triggerPrice
        self.postOnly = postOnly
        self.displayQuantity = displayQuantity
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeInt(Int64(strategy))
        writer.writeUInt(causation)
        writer.writeCode(kind)
        writer.writeInt(quantity.units)
        writer.writeInt(price.units)
        writer.writeDouble(strength)
        writer.writeList(features, entryBytes: FeatureValue.maximumBytes, Self.write)
        writer.writeCode(orderType)
        writer.writeCode(timeInForce)
        writer.writeInt(triggerPrice.units)
        writer.writeBool(postOnly)
        writer.writeInt(displayQuantity.units)
    }

    /// Writes `features` at `position` of `output` (at most `FeatureValue.maximumBytes` each):
    /// per feature its code and its value's bits; returns the position after them.
    @inlinable
    public static func write(_ features: [FeatureValue], into output: RawOutput, at position: Int) -> Int {
        output.writeCodedValues(features, at: position) { (UInt64($0.feature), $0.value) }
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> SignalEmitted {
        try check(version: version)
        let strategy = try reader.readUInt32(field: "strategy")
        let causation = try reader.readUInt()
        let kind = try reader.readCode(SignalKind.self, field: "signal kind")
        let quantity = Quantity(units: try reader.readInt())
        let price = Price(units: try reader.readInt())
        let strength = try reader.readDouble()
        var list = ByteReader(try reader.readBytes())
        let count = try list.readCount(limit: maximumFieldBytes / 9, field: "feature count")
        var features: [FeatureValue] = []
        features.reserveCapacity(count)
        for _ in 0..<count {
            let feature = try list.readCount(limit: Int(UInt32.max), field: "feature")
            let value = Double(bitPattern: try list.readLittleEndianUInt64())
            features.append(FeatureValue(feature: UInt32(feature), value: value))
        }
        try list.expectEnd()
        guard version >= 2 else {
            return SignalEmitted(strategy: strategy, causation: causation, kind: kind, quantity: quantity, price: price, strength: strength, features: features)
        }
        return SignalEmitted(
            strategy: strategy, causation: causation, kind: kind, quantity: quantity, price: price, strength: strength, features: features,
            orderType: try reader.readCode(OrderType.self, field: "order type"), timeInForce: try reader.readCode(TimeInForce.self, field: "time in force"),
            triggerPrice: Price(units: try reader.readInt()), postOnly: try reader.readBool(field: "post only"), displayQuantity: Quantity(units: try reader.readInt()))
    }
}
