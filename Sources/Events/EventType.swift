/// The kind of an event. The raw value is the stable one-byte code in every encoding; the
/// label is the lower-case snake-case name in JSON and on the command line.
public enum EventType: UInt8, CaseIterable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The type's position among the cases, `0..<allCases.count` (its in-memory tag): an
    /// index for per-type tables read at every event, one load nearer than the raw value.
    @inlinable public var ordinal: Int { Int(unsafeBitCast(self, to: UInt8.self)) }

    // Market data.
    case trade = 1
    case quote = 2
    case bookDelta = 3
    case bookSnapshot = 4
    case bar = 5
    case fundingRate = 6
    case markPrice = 7
    case openInterest = 8
    case liquidationPrint = 9
    // Alternative data.
    case sentiment = 32
    case onChainTransfer = 33
    case onChainMetric = 34
    // Decisions.
    case signal = 64
    case riskDecision = 65
    case orderSubmitted = 66
    case orderAccepted = 67
    case orderAmended = 68
    case orderCanceled = 69
    case orderRejected = 70
    case orderExpired = 71
    case fill = 72
    case fundingPayment = 73
    case liquidation = 74
    case killSwitch = 75
    // Runs.
    case runStarted = 96
    case runEnded = 97
    case foldBoundary = 98
    case checkpoint = 99
    case annotation = 100

    /// The lower-case snake-case name.
    public var label: String {
        switch self {
        case .trade: "trade"
        case .quote: "quote"
        case .bookDelta: "book_delta"
        case .bookSnapshot: "book_snapshot"
        case .bar: "bar"
        case .fundingRate: "funding_rate"
        case .markPrice: "mark_price"
        case .openInterest: "open_interest"
        case .liquidationPrint: "liquidation_print"
        case .sentiment: "sentiment"
        case .onChainTransfer: "onchain_transfer"
        case .onChainMetric: "onchain_metric"
        case .signal: "signal"
        case .riskDecision: "risk_decision"
        case .orderSubmitted: "order_submitted"
        case .orderAccepted: "order_accepted"
        case .orderAmended: "order_amended"
        case .orderCanceled: "order_canceled"
        case .orderRejected: "order_rejected"
        case .orderExpired: "order_expired"
        case .fill: "fill"
        case .fundingPayment: "funding_payment"
        case .liquidation: "liquidation"
        case .killSwitch: "kill_switch"
        case .runStarted: "run_started"
        case .runEnded: "run_ended"
        case .foldBoundary: "fold_boundary"
        case .checkpoint: "checkpoint"
        case .annotation: "annotation"
        }
    }

    /// The type with this label, if any.
    public init?(label: String) {
        guard let match = Self.allCases.first(where: { $0.label == label }) else { return nil }
        self = match
    }

    public var description: String { label }

    public static func < (lhs: EventType, rhs: EventType) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The payload type that carries this event's fields.
    public var payloadType: any EventPayload.Type {
        switch self {
        case .trade: Trade.self
        case .quote: Quote.self
        case .bookDelta: BookDelta.self
        case .bookSnapshot: BookSnapshot.self
        case .bar: Bar.self
        case .fundingRate: FundingRate.self
        case .markPrice: MarkPrice.self
        case .openInterest: OpenInterest.self
        case .liquidationPrint: LiquidationPrint.self
        case .sentiment: SentimentReading.self
        case .onChainTransfer: OnChainTransfer.self
        case .onChainMetric: OnChainMetric.self
        case .signal: SignalEmitted.self
        case .riskDecision: RiskDecided.self
        case .orderSubmitted: OrderSubmitted.self
        case .orderAccepted: OrderAccepted.self
        case .orderAmended: OrderAmended.self
        case .orderCanceled: OrderCanceled.self
        case .orderRejected: OrderRejected.self
        case .orderExpired: OrderExpired.self
        case .fill: FillRecorded.self
        case .fundingPayment: FundingPaid.self
        case .liquidation: PositionLiquidated.self
        case .killSwitch: KillSwitchTripped.self
        case .runStarted: RunStarted.self
        case .runEnded: RunEnded.self
        case .foldBoundary: FoldBoundary.self
        case .checkpoint: CheckpointSaved.self
        case .annotation: AnnotationAdded.self
        }
    }

    /// The encoded fields of this type's payload, as this build writes them.
    public var fieldKinds: [FieldKind] { payloadType.fieldKinds }

    /// The encoded fields of this type's payload as codec `version` wrote them.
    public func fieldKinds(version: UInt8) -> [FieldKind] { payloadType.fieldKinds(version: version) }

    /// The codec version this build writes for this type.
    public var codecVersion: UInt8 { payloadType.codecVersion }
}
