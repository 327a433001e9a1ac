public import TapeCore
public import Events
import Foundation

/// The fixed events of the golden vectors in specs/golden/: one of every type, with values that
/// exercise signs, extremes, empty and non-ASCII strings, and level lists.
public enum GoldenEvents {
    /// The instrument the golden events are scaled by (id 1).
    public static let instrument = Instrument(
        symbol: "BTCUSDT-PERP", venue: "BINANCE", venueSymbol: "BTCUSDT", kind: .linearPerpetual, baseCurrency: "BTC",
        quoteCurrency: "USDT", settlementCurrency: "USDT", priceScale: 8, sizeScale: 3,
        priceIncrement: Price(units: 10_000_000), sizeIncrement: Quantity(units: 1), multiplier: ScaledDecimal(units: 1, scale: 0))

    public static var table: InstrumentTable { try! InstrumentTable([instrument]) }

    /// The repository's specs/golden directory.
    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("specs/golden").path

    /// Whether tests should rewrite the golden files instead of checking them.
    public static var rewriting: Bool { ProcessInfo.processInfo.environment["TAPE_WRITE_GOLDEN"] == "1" }

    public static var events: [Event] {
        let one = InstrumentID(rawValue: 1)
        let t0: Int64 = 1_680_652_800_000_000_000
        let hash = Hash256(hex: "ead80b837c8e742f1b4878de9d1eb8f205e6df62e01ca9bd05e83486c595c0b2")!
        func price(_ text: String) -> Price { try! Price(parsing: text, scale: 8) }
        func size(_ text: String) -> Quantity { try! Quantity(parsingSize: text, scale: 3) }
        let bodies: [(InstrumentID, Event.Body)] = [
            (one, .trade(Trade(price: price("28155.1"), size: size("0.012"), aggressor: .buy, tradeID: 3_535_188_230))),
            (one, .quote(Quote(bidPrice: price("28155.1"), bidSize: size("3.868"), askPrice: price("28155.2"), askSize: size("6.887"), updateID: 2_710_249_412_206))),
            (one, .bookDelta(BookDelta(bids: [BookLevel(price: price("28150.1"), size: size("7.543")), BookLevel(price: price("27577.4"), size: .zero)][...],
                                       asks: [BookLevel(price: price("28155.2"), size: size("3.73"))][...],
                                       firstUpdateID: 2_710_249_412_206, lastUpdateID: 2_710_249_413_621, previousUpdateID: 2_710_249_412_032))),
            (one, .bookSnapshot(BookSnapshot(bids: [BookLevel(price: price("28145.1"), size: size("3.818"))][...], asks: [][...], lastUpdateID: 2_710_246_765_483))),
            (one, .bar(Bar(intervalNanos: 60_000_000_000, open: price("0.00002853"), high: price("0.00002854"), low: price("0.00002851"), close: price("0.00002854"),
                           volume: size("36304.2"), quoteVolume: Money(units: 103_547_608), tradeCount: 79, takerBuyVolume: size("19523"), takerBuyQuoteVolume: Money(units: -1)))),
            (one, .fundingRate(FundingRate(rate: try! Rate(parsing: "0.00002754"), fundingTime: Timestamp(nanosSinceEpoch: t0), intervalNanos: 28_800_000_000_000))),
            (one, .markPrice(MarkPrice(mark: price("28147.27373413"), index: price("28159.75642857"), estimatedSettle: nil))),
            (one, .openInterest(OpenInterest(openInterest: size("105550.985"), value: Money(units: Int128(Int64.max) * 4)))),
            (one, .liquidationPrint(LiquidationPrint(side: .sell, price: price("28000"), size: size("1.5"), averagePrice: price("27990.5")))),
            (one, .sentiment(SentimentReading(value: 26))),
            (one, .onChainTransfer(OnChainTransfer(transactionID: hash, amount: Quantity(units: 20_526_000_000), fee: Quantity(units: 13_500), flow: .inflow, inputCount: 4, outputCount: 2))),
            (one, .onChainMetric(OnChainMetric(metric: .exchangeNetflow, value: -123_456_789))),
            (one, .signal(SignalEmitted(strategy: 2, causation: 13_532, kind: .targetPosition, quantity: Quantity(units: -250), price: .zero, strength: 0.75,
                                        features: [.init(feature: 0, value: 28155.1), .init(feature: 7, value: -0.5)], orderType: .stop,
                                        timeInForce: .immediateOrCancel, triggerPrice: price("28100"), postOnly: false, displayQuantity: Quantity(units: 100)))),
            (one, .riskDecision(RiskDecided(causation: 13_532, orderID: 41, verdict: .resize, requestedQuantity: Quantity(units: 500), approvedQuantity: Quantity(units: 250),
                                            rules: [.init(rule: 1, passed: true, measured: 14_077.5, limit: 50_000), .init(rule: 7, passed: false, measured: 0.031, limit: 0.02)],
                                            sizing: [.init(input: 3, value: 0.5)], stateHash: hash))),
            (one, .orderSubmitted(OrderSubmitted(orderID: 41, causation: 13_532, side: .sell, orderType: .limit, timeInForce: .goodTillCanceled, postOnly: true,
                                                 quantity: Quantity(units: 250), price: price("28160"), displayQuantity: Quantity(units: 50)))),
            (one, .orderAccepted(OrderAccepted(orderID: 41, venueOrderID: 9_000_000_001, causation: 13_533))),
            (one, .orderAmended(OrderAmended(orderID: 41, quantity: Quantity(units: 200), price: price("28161"), triggerPrice: .zero, causation: 13_535))),
            (one, .orderCanceled(OrderCanceled(orderID: 41, reason: 3, causation: 13_541))),
            (one, .orderRejected(OrderRejected(orderID: 42, reason: 11, causation: 13_542))),
            (one, .orderExpired(OrderExpired(orderID: 43, causation: 13_543))),
            (one, .fill(FillRecorded(orderID: 41, fillID: 1, causation: 13_540, side: .sell, price: price("28160"), quantity: Quantity(units: 100), fee: Money(units: -56_320_000), liquidity: .maker))),
            (one, .fundingPayment(FundingPaid(causation: 13_182, position: Quantity(units: -100), markPrice: price("28157.1"), rate: try! Rate(parsing: "0.00002754"), amount: Money(units: 7_754_465)))),
            (one, .liquidation(PositionLiquidated(causation: 20_000, side: .buy, quantity: Quantity(units: 100), price: price("30000"), loss: Money(units: -1)))),
            (.none, .killSwitch(KillSwitchTripped(causation: 20_001, action: .flattenAndHalt, reason: 9, until: Timestamp(nanosSinceEpoch: t0 + 86_400_000_000_000)))),
            (.none, .runStarted(RunStarted(sourceJournal: JournalID(text: "641249ab-b632-4c8e-d6b1-f7eca957e34c")!, sourceFirstSequence: 1, sourceLastSequence: 32_507,
                                           configurationHash: hash, codeVersion: "0.1.0 (golden)", seed: 42, kind: .backtest))),
            (.none, .runEnded(RunEnded(status: .completed, lastSourceSequence: 32_507, eventCount: 27))),
            (.none, .foldBoundary(FoldBoundary(fold: 3, phase: .embargo, start: Timestamp(nanosSinceEpoch: t0), end: Timestamp(nanosSinceEpoch: t0 + 3_600_000_000_000), firstSequence: 100, lastSequence: 200))),
            (.none, .checkpoint(CheckpointSaved(step: 1_000, contentHash: .zero, path: "checkpoints/step-1000.bin"))),
            (.none, .annotation(AnnotationAdded(text: "funding at 00:00 — taux « positif » 📈"))),
        ]
        return bodies.enumerated().map { index, entry in
            Event(eventTime: Timestamp(nanosSinceEpoch: t0 + Int64(index) * 1_000_000), receiveTime: Timestamp(nanosSinceEpoch: t0 + Int64(index) * 1_000_000 + 523_417),
                  instrument: entry.0, body: entry.1)
        }
    }
}
