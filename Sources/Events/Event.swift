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
        public var type: EventType {
            switch self {
            case .trade: .trade
            case .quote: .quote
            case .bookDelta: .bookDelta
            case .bookSnapshot: .bookSnapshot
            case .bar: .bar
            case .fundingRate: .fundingRate
            case .markPrice: .markPrice
            case .openInterest: .openInterest
            case .liquidationPrint: .liquidationPrint
            case .sentiment: .sentiment
            case .onChainTransfer: .onChainTransfer
            case .onChainMetric: .onChainMetric
            case .signal: .signal
            case .riskDecision: .riskDecision
            case .orderSubmitted: .orderSubmitted
            case .orderAccepted: .orderAccepted
            case .orderAmended: .orderAmended
            case .orderCanceled: .orderCanceled
            case .orderRejected: .orderRejected
            case .orderExpired: .orderExpired
            case .fill: .fill
            case .fundingPayment: .fundingPayment
            case .liquidation: .liquidation
            case .killSwitch: .killSwitch
            case .runStarted: .runStarted
            case .runEnded: .runEnded
            case .foldBoundary: .foldBoundary
            case .checkpoint: .checkpoint
            case .annotation: .annotation
            }
        }

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

        /// Writes the payload's fields (a direct switch: going through `payload` would box).
        public func write<Writer: FieldWriter>(to writer: inout Writer) {
            switch self {
            case .trade(let value): value.write(to: &writer)
            case .quote(let value): value.write(to: &writer)
            case .bookDelta(let value): value.write(to: &writer)
            case .bookSnapshot(let value): value.write(to: &writer)
            case .bar(let value): value.write(to: &writer)
            case .fundingRate(let value): value.write(to: &writer)
            case .markPrice(let value): value.write(to: &writer)
            case .openInterest(let value): value.write(to: &writer)
            case .liquidationPrint(let value): value.write(to: &writer)
            case .sentiment(let value): value.write(to: &writer)
            case .onChainTransfer(let value): value.write(to: &writer)
            case .onChainMetric(let value): value.write(to: &writer)
            case .signal(let value): value.write(to: &writer)
            case .riskDecision(let value): value.write(to: &writer)
            case .orderSubmitted(let value): value.write(to: &writer)
            case .orderAccepted(let value): value.write(to: &writer)
            case .orderAmended(let value): value.write(to: &writer)
            case .orderCanceled(let value): value.write(to: &writer)
            case .orderRejected(let value): value.write(to: &writer)
            case .orderExpired(let value): value.write(to: &writer)
            case .fill(let value): value.write(to: &writer)
            case .fundingPayment(let value): value.write(to: &writer)
            case .liquidation(let value): value.write(to: &writer)
            case .killSwitch(let value): value.write(to: &writer)
            case .runStarted(let value): value.write(to: &writer)
            case .runEnded(let value): value.write(to: &writer)
            case .foldBoundary(let value): value.write(to: &writer)
            case .checkpoint(let value): value.write(to: &writer)
            case .annotation(let value): value.write(to: &writer)
            }
        }

        /// Reads a payload of `type` written by codec `version`.
        public static func read<Reader: FieldReader>(_ type: EventType, version: UInt8, from reader: inout Reader) throws(CodecError) -> Body {
            Body(try type.payloadType.read(from: &reader, version: version))
        }
    }
}
