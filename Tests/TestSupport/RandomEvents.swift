public import TapeCore
public import Events

/// Random events of every type, with values drawn to hit the extremes (0, ±1, Int64.min/max,
/// empty and long strings) as often as ordinary ones.
public struct RandomEvents {
    public var generator: SeededGenerator

    public init(generator: SeededGenerator) { self.generator = generator }

    public mutating func int64() -> Int64 {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0: return 0
        case 1: return [Int64.min, Int64.max, -1, 1][Int.random(in: 0..<4, using: &generator)]
        case 2, 3: return Int64.random(in: Int64.min...Int64.max, using: &generator)
        default: return Int64.random(in: -100_000...100_000, using: &generator)
        }
    }

    public mutating func uint64() -> UInt64 { UInt64(bitPattern: int64()) }
    public mutating func uint32() -> UInt32 { UInt32(truncatingIfNeeded: uint64()) }
    public mutating func uint16() -> UInt16 { UInt16(truncatingIfNeeded: uint64()) }
    public mutating func bool() -> Bool { Bool.random(using: &generator) }
    public mutating func price() -> Price { Price(units: int64()) }
    public mutating func quantity() -> Quantity { Quantity(units: int64()) }
    public mutating func time() -> Timestamp { Timestamp(nanosSinceEpoch: int64()) }
    public mutating func money() -> Money {
        Money(units: Int128(int64()) << Int128(Int.random(in: 0..<64, using: &generator)) | Int128(uint64() >> 1))
    }
    public mutating func hash() -> Hash256 { Hash256(words: (uint64(), uint64(), uint64(), uint64())) }

    /// A double that equals itself (no NaN), extremes included.
    public mutating func double() -> Double {
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: return [0, -0.0, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude][Int.random(in: 0..<6, using: &generator)]
        default: return Double.random(in: -1e6...1e6, using: &generator)
        }
    }

    /// 0 to 40 levels, sometimes as a slice that does not start at index 0.
    public mutating func levels() -> ArraySlice<BookLevel> {
        let all = (0..<Int.random(in: 0...40, using: &generator)).map { _ in BookLevel(price: price(), size: quantity()) }
        let skip = all.isEmpty ? 0 : Int.random(in: 0...min(3, all.count), using: &generator)
        return all[skip...]
    }

    public mutating func code<Code: EventCode>(_ type: Code.Type) -> Code {
        Code.allCases.randomElement(using: &generator)!
    }

    public mutating func text() -> String {
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: return ""
        case 1: return String(repeating: "ä→𝄞", count: Int.random(in: 1...300, using: &generator))
        default: return "note \(uint32())"
        }
    }

    /// A payload of `type`.
    public mutating func body(_ type: EventType) -> Event.Body {
        switch type {
        case .trade: .trade(Trade(price: price(), size: quantity(), aggressor: code(AggressorSide.self), tradeID: uint64()))
        case .quote: .quote(Quote(bidPrice: price(), bidSize: quantity(), askPrice: price(), askSize: quantity(), updateID: uint64()))
        case .bookDelta: .bookDelta(BookDelta(bids: levels(), asks: levels(), firstUpdateID: uint64(), lastUpdateID: uint64(), previousUpdateID: uint64()))
        case .bookSnapshot: .bookSnapshot(BookSnapshot(bids: levels(), asks: levels(), lastUpdateID: uint64()))
        case .bar: .bar(Bar(intervalNanos: int64(), open: price(), high: price(), low: price(), close: price(), volume: quantity(), quoteVolume: money(), tradeCount: uint64(), takerBuyVolume: quantity(), takerBuyQuoteVolume: money()))
        case .fundingRate: .fundingRate(FundingRate(rate: Rate(units: int64()), fundingTime: time(), intervalNanos: int64()))
        case .markPrice: .markPrice(MarkPrice(mark: price(), index: bool() ? price() : nil, estimatedSettle: bool() ? price() : nil))
        case .openInterest: .openInterest(OpenInterest(openInterest: quantity(), value: bool() ? money() : nil))
        case .liquidationPrint: .liquidationPrint(LiquidationPrint(side: code(OrderSide.self), price: price(), size: quantity(), averagePrice: bool() ? price() : nil))
        case .sentiment: .sentiment(SentimentReading(value: int64()))
        case .onChainTransfer: .onChainTransfer(OnChainTransfer(transactionID: hash(), amount: quantity(), fee: quantity(), flow: code(ExchangeFlow.self), inputCount: uint32(), outputCount: uint32()))
        case .onChainMetric: .onChainMetric(OnChainMetric(metric: code(OnChainMetricKind.self), value: int64()))
        case .signal:
            .signal(SignalEmitted(strategy: uint32(), causation: uint64(), kind: code(SignalKind.self), quantity: quantity(), price: price(), strength: double(),
                                  features: (0..<Int.random(in: 0...5, using: &generator)).map { _ in .init(feature: uint32(), value: double()) },
                                  orderType: code(OrderType.self), timeInForce: code(TimeInForce.self), triggerPrice: price(), postOnly: bool(),
                                  displayQuantity: quantity()))
        case .riskDecision:
            .riskDecision(RiskDecided(causation: uint64(), orderID: uint64(), verdict: code(RiskVerdict.self), requestedQuantity: quantity(), approvedQuantity: quantity(),
                                      rules: (0..<Int.random(in: 0...12, using: &generator)).map { _ in .init(rule: uint16(), passed: bool(), measured: double(), limit: double()) },
                                      sizing: (0..<Int.random(in: 0...4, using: &generator)).map { _ in .init(input: uint16(), value: double()) },
                                      stateHash: hash()))
        case .orderSubmitted:
            .orderSubmitted(OrderSubmitted(orderID: uint64(), causation: uint64(), parentOrderID: uint64(), side: code(OrderSide.self), orderType: code(OrderType.self), timeInForce: code(TimeInForce.self), reduceOnly: bool(), postOnly: bool(), quantity: quantity(), price: price(), triggerPrice: price(), displayQuantity: quantity(), expireTime: time(), algorithm: code(ExecutionAlgorithm.self)))
        case .orderAccepted: .orderAccepted(OrderAccepted(orderID: uint64(), venueOrderID: uint64(), causation: uint64()))
        case .orderAmended: .orderAmended(OrderAmended(orderID: uint64(), quantity: quantity(), price: price(), triggerPrice: price(), causation: uint64()))
        case .orderCanceled: .orderCanceled(OrderCanceled(orderID: uint64(), reason: uint16(), causation: uint64()))
        case .orderRejected: .orderRejected(OrderRejected(orderID: uint64(), reason: uint16(), causation: uint64()))
        case .orderExpired: .orderExpired(OrderExpired(orderID: uint64(), causation: uint64()))
        case .fill: .fill(FillRecorded(orderID: uint64(), fillID: uint64(), causation: uint64(), side: code(OrderSide.self), price: price(), quantity: quantity(), fee: money(), liquidity: code(Liquidity.self)))
        case .fundingPayment: .fundingPayment(FundingPaid(causation: uint64(), position: quantity(), markPrice: price(), rate: Rate(units: int64()), amount: money()))
        case .liquidation: .liquidation(PositionLiquidated(causation: uint64(), side: code(OrderSide.self), quantity: quantity(), price: price(), loss: money()))
        case .killSwitch: .killSwitch(KillSwitchTripped(causation: uint64(), action: code(KillSwitchAction.self), reason: uint16(), until: time()))
        case .runStarted: .runStarted(RunStarted(sourceJournal: JournalID(high: uint64(), low: uint64()), sourceFirstSequence: uint64(), sourceLastSequence: uint64(), configurationHash: hash(), codeVersion: text(), seed: uint64(), kind: code(RunKind.self)))
        case .runEnded: .runEnded(RunEnded(status: code(RunStatus.self), lastSourceSequence: uint64(), eventCount: uint64()))
        case .foldBoundary: .foldBoundary(FoldBoundary(fold: uint32(), phase: code(FoldPhase.self), start: time(), end: time(), firstSequence: uint64(), lastSequence: uint64()))
        case .checkpoint: .checkpoint(CheckpointSaved(step: uint64(), contentHash: hash(), path: text()))
        case .annotation: .annotation(AnnotationAdded(text: text()))
        }
    }

    /// An event of a random type (or of `type`) at an arbitrary time.
    public mutating func event(type: EventType? = nil, instruments: UInt32 = 4) -> Event {
        let type = type ?? EventType.allCases.randomElement(using: &generator)!
        return Event(eventTime: time(), receiveTime: time(), instrument: InstrumentID(rawValue: UInt32.random(in: 0...instruments, using: &generator)), body: body(type))
    }

    /// `count` events whose receive times never decrease, as a journal requires.
    public mutating func sequence(count: Int, types: [EventType] = EventType.allCases, instruments: UInt32 = 4) -> [Event] {
        var receive = Int64.random(in: 0...(1 << 60), using: &generator)
        return (0..<count).map { _ in
            var event = self.event(type: types.randomElement(using: &generator)!, instruments: instruments)
            receive += Int64.random(in: 0...5_000_000, using: &generator) * (Bool.random(using: &generator) ? 0 : 1)
            event.receiveTime = Timestamp(nanosSinceEpoch: receive)
            return event
        }
    }
}
