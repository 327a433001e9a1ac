public import TapeCore

/// One fact in a journal: when it happened at its source, when Tape learned of it, which
/// instrument it concerns, and what it says.
///
/// Sequence numbers are not part of the event: they are its position in the journal.
public struct Event: Sendable, Equatable {
    /// The time the source says the event happened (exchange time, bar close).
    public var eventTime: Timestamp
    /// The time Tape (or the recorder) received it; the journal's order follows this time.
    /// Historical data without a receive time uses its event time.
    public var receiveTime: Timestamp
    /// The instrument the event concerns, `.none` for run events.
    public var instrument: InstrumentID
    /// What the event says.
    public var body: Body

    public init(eventTime: Timestamp, receiveTime: Timestamp, instrument: InstrumentID, body: Body) {
        self.eventTime = eventTime
        self.receiveTime = receiveTime
        self.instrument = instrument
        self.body = body
    }

    /// The event's type.
    public var type: EventType { body.type }

    /// What an event says: one case per event type.
    public enum Body: Sendable, Equatable {
        case trade(Trade)
        case quote(Quote)
        case bookDelta(BookDelta)
        case bookSnapshot(BookSnapshot)
        case bar(Bar)
        case fundingRate(FundingRate)
        case markPrice(MarkPrice)
        case openInterest(OpenInterest)
        case liquidationPrint(LiquidationPrint)
        case sentiment(SentimentReading)
        case onChainTransfer(OnChainTransfer)
        case onChainMetric(OnChainMetric)
        case signal(SignalEmitted)
        case riskDecision(RiskDecided)
        case orderSubmitted(OrderSubmitted)
        case orderAccepted(OrderAccepted)
        case orderAmended(OrderAmended)
        case orderCanceled(OrderCanceled)
        case orderRejected(OrderRejected)
        case orderExpired(OrderExpired)
        case fill(FillRecorded)
        case fundingPayment(FundingPaid)
        case liquidation(PositionLiquidated)
        case killSwitch(KillSwitchTripped)
        case runStarted(RunStarted)
        case runEnded(RunEnded)
        case foldBoundary(FoldBoundary)
        case checkpoint(CheckpointSaved)
        case annotation(AnnotationAdded)

        /// The payload as its protocol, for code that handles every type alike.
        public var payload: any EventPayload {
            switch self {
            case .trade(let value): value
            case .quote(let value): value
            case .bookDelta(let value): value
            case .bookSnapshot(let value): value
            case .bar(let value): value
            case .fundingRate(let value): value
            case .markPrice(let value): value
            case .openInterest(let value): value
            case .liquidationPrint(let value): value
            case .sentiment(let value): value
            case .onChainTransfer(let value): value
            case .onChainMetric(let value): value
            case .signal(let value): value
            case .riskDecision(let value): value
            case .orderSubmitted(let value): value
            case .orderAccepted(let value): value
            case .orderAmended(let value): value
            case .orderCanceled(let value): value
            case .orderRejected(let value): value
            case .orderExpired(let value): value
            case .fill(let value): value
            case .fundingPayment(let value): value
            case .liquidation(let value): value
            case .killSwitch(let value): value
            case .runStarted(let value): value
            case .runEnded(let value): value
            case .foldBoundary(let value): value
            case .checkpoint(let value): value
            case .annotation(let value): value
            }
        }

        /// The event type of this body.
        public var type: EventType { Swift.type(of: payload).eventType }

        /// Wraps a payload of any type in its case.
        public init(_ payload: any EventPayload) {
            switch payload {
            case let value as Trade: self = .trade(value)
            case let value as Quote: self = .quote(value)
            case let value as BookDelta: self = .bookDelta(value)
            case let value as BookSnapshot: self = .bookSnapshot(value)
            case let value as Bar: self = .bar(value)
            case let value as FundingRate: self = .fundingRate(value)
            case let value as MarkPrice: self = .markPrice(value)
            case let value as OpenInterest: self = .openInterest(value)
            case let value as LiquidationPrint: self = .liquidationPrint(value)
            case let value as SentimentReading: self = .sentiment(value)
            case let value as OnChainTransfer: self = .onChainTransfer(value)
            case let value as OnChainMetric: self = .onChainMetric(value)
            case let value as SignalEmitted: self = .signal(value)
            case let value as RiskDecided: self = .riskDecision(value)
            case let value as OrderSubmitted: self = .orderSubmitted(value)
            case let value as OrderAccepted: self = .orderAccepted(value)
            case let value as OrderAmended: self = .orderAmended(value)
            case let value as OrderCanceled: self = .orderCanceled(value)
            case let value as OrderRejected: self = .orderRejected(value)
            case let value as OrderExpired: self = .orderExpired(value)
            case let value as FillRecorded: self = .fill(value)
            case let value as FundingPaid: self = .fundingPayment(value)
            case let value as PositionLiquidated: self = .liquidation(value)
            case let value as KillSwitchTripped: self = .killSwitch(value)
            case let value as RunStarted: self = .runStarted(value)
            case let value as RunEnded: self = .runEnded(value)
            case let value as FoldBoundary: self = .foldBoundary(value)
            case let value as CheckpointSaved: self = .checkpoint(value)
            case let value as AnnotationAdded: self = .annotation(value)
            default: preconditionFailure("\(Swift.type(of: payload)) is not an event payload of the catalogue")
            }
        }

        /// Writes the payload's fields.
        public func write<Writer: FieldWriter>(to writer: inout Writer) {
            payload.write(to: &writer)
        }

        /// Reads a payload of `type` written by codec `version`.
        public static func read<Reader: FieldReader>(_ type: EventType, version: UInt8, from reader: inout Reader) throws(CodecError) -> Body {
            Body(try type.payloadType.read(from: &reader, version: version))
        }
    }
}
