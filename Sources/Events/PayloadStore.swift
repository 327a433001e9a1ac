import TapeCore

// The typed payload storage of a decoded block: one array per event type, so that reading a
// payload is an array load and decoding never boxes. The per-type switches below are the only
// place that lists every type; EventType.payloadType and Event.Body follow the same order.

/// The payloads of a decoded block, one array per type, each in sequence order.
public struct PayloadStore: Sendable {
    public internal(set) var trades: [Trade] = []
    public internal(set) var quotes: [Quote] = []
    /// The book deltas, their level lists held apart in `levels` (lent by
    /// `DecodedBlock.withBookDelta(at:_:)` without a copy or a reference count).
    @usableFromInline internal var bookDeltaEntries: [BookDeltaEntry] = []
    /// The book deltas' levels, one list after another, written once when decoded.
    @usableFromInline internal private(set) var levels = Self.newLevels()
    public internal(set) var bookSnapshots: [BookSnapshot] = []
    public internal(set) var bars: [Bar] = []
    public internal(set) var fundingRates: [FundingRate] = []
    public internal(set) var markPrices: [MarkPrice] = []
    public internal(set) var openInterests: [OpenInterest] = []
    public internal(set) var liquidationPrints: [LiquidationPrint] = []
    public internal(set) var sentimentReadings: [SentimentReading] = []
    public internal(set) var onChainTransfers: [OnChainTransfer] = []
    public internal(set) var onChainMetrics: [OnChainMetric] = []
    public internal(set) var signals: [SignalEmitted] = []
    public internal(set) var riskDecisions: [RiskDecided] = []
    public internal(set) var ordersSubmitted: [OrderSubmitted] = []
    public internal(set) var ordersAccepted: [OrderAccepted] = []
    public internal(set) var ordersAmended: [OrderAmended] = []
    public internal(set) var ordersCanceled: [OrderCanceled] = []
    public internal(set) var ordersRejected: [OrderRejected] = []
    public internal(set) var ordersExpired: [OrderExpired] = []
    public internal(set) var fills: [FillRecorded] = []
    public internal(set) var fundingPayments: [FundingPaid] = []
    public internal(set) var liquidations: [PositionLiquidated] = []
    public internal(set) var killSwitches: [KillSwitchTripped] = []
    public internal(set) var runsStarted: [RunStarted] = []
    public internal(set) var runsEnded: [RunEnded] = []
    public internal(set) var foldBoundaries: [FoldBoundary] = []
    public internal(set) var checkpoints: [CheckpointSaved] = []
    public internal(set) var annotations: [AnnotationAdded] = []

    /// Empties every array, keeping its capacity. (An array that is already empty is left
    /// alone: emptying one still checks its buffer, and a block holds only a few types.)
    mutating func removeAll() {
        Self.empty(&trades)
        Self.empty(&quotes)
        Self.empty(&bookDeltaEntries)
        if isKnownUniquelyReferenced(&levels) { levels.removeAll() } else { levels = Self.newLevels() }
        Self.empty(&bookSnapshots)
        Self.empty(&bars)
        Self.empty(&fundingRates)
        Self.empty(&markPrices)
        Self.empty(&openInterests)
        Self.empty(&liquidationPrints)
        Self.empty(&sentimentReadings)
        Self.empty(&onChainTransfers)
        Self.empty(&onChainMetrics)
        Self.empty(&signals)
        Self.empty(&riskDecisions)
        Self.empty(&ordersSubmitted)
        Self.empty(&ordersAccepted)
        Self.empty(&ordersAmended)
        Self.empty(&ordersCanceled)
        Self.empty(&ordersRejected)
        Self.empty(&ordersExpired)
        Self.empty(&fills)
        Self.empty(&fundingPayments)
        Self.empty(&liquidations)
        Self.empty(&killSwitches)
        Self.empty(&runsStarted)
        Self.empty(&runsEnded)
        Self.empty(&foldBoundaries)
        Self.empty(&checkpoints)
        Self.empty(&annotations)
    }

    @inline(__always) private static func empty<Payload>(_ payloads: inout [Payload]) {
        if !payloads.isEmpty { payloads.removeAll(keepingCapacity: true) }
    }

    /// The number of payloads held for `type`.
    func count(of type: EventType) -> Int {
        switch type {
        case .trade: trades.count
        case .quote: quotes.count
        case .bookDelta: bookDeltaEntries.count
        case .bookSnapshot: bookSnapshots.count
        case .bar: bars.count
        case .fundingRate: fundingRates.count
        case .markPrice: markPrices.count
        case .openInterest: openInterests.count
        case .liquidationPrint: liquidationPrints.count
        case .sentiment: sentimentReadings.count
        case .onChainTransfer: onChainTransfers.count
        case .onChainMetric: onChainMetrics.count
        case .signal: signals.count
        case .riskDecision: riskDecisions.count
        case .orderSubmitted: ordersSubmitted.count
        case .orderAccepted: ordersAccepted.count
        case .orderAmended: ordersAmended.count
        case .orderCanceled: ordersCanceled.count
        case .orderRejected: ordersRejected.count
        case .orderExpired: ordersExpired.count
        case .fill: fills.count
        case .fundingPayment: fundingPayments.count
        case .liquidation: liquidations.count
        case .killSwitch: killSwitches.count
        case .runStarted: runsStarted.count
        case .runEnded: runsEnded.count
        case .foldBoundary: foldBoundaries.count
        case .checkpoint: checkpoints.count
        case .annotation: annotations.count
        }
    }

    /// Reads `count` payloads of `type` from `columns` and appends them to their array.
    mutating func append(_ type: EventType, version: UInt8, count: Int, columns: inout ColumnReader) throws(CodecError) {
        switch type {
        case .trade: try Self.read(into: &trades, version: version, count: count, columns: &columns)
        case .quote: try Self.read(into: &quotes, version: version, count: count, columns: &columns)
        case .bookDelta: try readBookDeltas(version: version, count: count, columns: &columns)
        case .bookSnapshot: try Self.read(into: &bookSnapshots, version: version, count: count, columns: &columns)
        case .bar: try Self.read(into: &bars, version: version, count: count, columns: &columns)
        case .fundingRate: try Self.read(into: &fundingRates, version: version, count: count, columns: &columns)
        case .markPrice: try Self.read(into: &markPrices, version: version, count: count, columns: &columns)
        case .openInterest: try Self.read(into: &openInterests, version: version, count: count, columns: &columns)
        case .liquidationPrint: try Self.read(into: &liquidationPrints, version: version, count: count, columns: &columns)
        case .sentiment: try Self.read(into: &sentimentReadings, version: version, count: count, columns: &columns)
        case .onChainTransfer: try Self.read(into: &onChainTransfers, version: version, count: count, columns: &columns)
        case .onChainMetric: try Self.read(into: &onChainMetrics, version: version, count: count, columns: &columns)
        case .signal: try Self.read(into: &signals, version: version, count: count, columns: &columns)
        case .riskDecision: try Self.read(into: &riskDecisions, version: version, count: count, columns: &columns)
        case .orderSubmitted: try Self.read(into: &ordersSubmitted, version: version, count: count, columns: &columns)
        case .orderAccepted: try Self.read(into: &ordersAccepted, version: version, count: count, columns: &columns)
        case .orderAmended: try Self.read(into: &ordersAmended, version: version, count: count, columns: &columns)
        case .orderCanceled: try Self.read(into: &ordersCanceled, version: version, count: count, columns: &columns)
        case .orderRejected: try Self.read(into: &ordersRejected, version: version, count: count, columns: &columns)
        case .orderExpired: try Self.read(into: &ordersExpired, version: version, count: count, columns: &columns)
        case .fill: try Self.read(into: &fills, version: version, count: count, columns: &columns)
        case .fundingPayment: try Self.read(into: &fundingPayments, version: version, count: count, columns: &columns)
        case .liquidation: try Self.read(into: &liquidations, version: version, count: count, columns: &columns)
        case .killSwitch: try Self.read(into: &killSwitches, version: version, count: count, columns: &columns)
        case .runStarted: try Self.read(into: &runsStarted, version: version, count: count, columns: &columns)
        case .runEnded: try Self.read(into: &runsEnded, version: version, count: count, columns: &columns)
        case .foldBoundary: try Self.read(into: &foldBoundaries, version: version, count: count, columns: &columns)
        case .checkpoint: try Self.read(into: &checkpoints, version: version, count: count, columns: &columns)
        case .annotation: try Self.read(into: &annotations, version: version, count: count, columns: &columns)
        }
    }

    /// Reads `count` payloads and appends them to `array`, each written once into the array's
    /// new room (no copy from elsewhere, no per-value capacity or uniqueness checks), and moved
    /// there: a payload holding references (level lists, strings) is not retained again.
    @inline(__always)
    private static func read<Payload: EventPayload>(
        into array: inout [Payload], version: UInt8, count: Int, columns: inout ColumnReader
    ) throws(CodecError) {
        try array.append(addingCapacity: count) { (room: inout OutputSpan<Payload>) throws(CodecError) in
            for index in 0..<count {
                columns.select(row: index)
                room.append(try Payload.read(from: &columns, version: version))
            }
        }
    }

    /// Appends `count` trades that `decode` writes in place, handed their room as 64-bit
    /// words, `words` to a trade; they are kept only when it returns.
    mutating func appendTrades(count: Int, words: Int, _ decode: (UnsafeMutablePointer<Int64>) throws(CodecError) -> Void) throws(CodecError) {
        try trades.append(count: count) { (room) throws(CodecError) in
            try UnsafeMutableRawPointer(room).withMemoryRebound(to: Int64.self, capacity: count * words) { (words) throws(CodecError) in try decode(words) }
        }
    }

    /// The body of the payload of `type` at `slot` in its array.
    func body(_ type: EventType, at slot: Int) -> Event.Body {
        switch type {
        case .trade: .trade(trades[slot])
        case .quote: .quote(quotes[slot])
        case .bookDelta: .bookDelta(bookDelta(at: slot))
        case .bookSnapshot: .bookSnapshot(bookSnapshots[slot])
        case .bar: .bar(bars[slot])
        case .fundingRate: .fundingRate(fundingRates[slot])
        case .markPrice: .markPrice(markPrices[slot])
        case .openInterest: .openInterest(openInterests[slot])
        case .liquidationPrint: .liquidationPrint(liquidationPrints[slot])
        case .sentiment: .sentiment(sentimentReadings[slot])
        case .onChainTransfer: .onChainTransfer(onChainTransfers[slot])
        case .onChainMetric: .onChainMetric(onChainMetrics[slot])
        case .signal: .signal(signals[slot])
        case .riskDecision: .riskDecision(riskDecisions[slot])
        case .orderSubmitted: .orderSubmitted(ordersSubmitted[slot])
        case .orderAccepted: .orderAccepted(ordersAccepted[slot])
        case .orderAmended: .orderAmended(ordersAmended[slot])
        case .orderCanceled: .orderCanceled(ordersCanceled[slot])
        case .orderRejected: .orderRejected(ordersRejected[slot])
        case .orderExpired: .orderExpired(ordersExpired[slot])
        case .fill: .fill(fills[slot])
        case .fundingPayment: .fundingPayment(fundingPayments[slot])
        case .liquidation: .liquidation(liquidations[slot])
        case .killSwitch: .killSwitch(killSwitches[slot])
        case .runStarted: .runStarted(runsStarted[slot])
        case .runEnded: .runEnded(runsEnded[slot])
        case .foldBoundary: .foldBoundary(foldBoundaries[slot])
        case .checkpoint: .checkpoint(checkpoints[slot])
        case .annotation: .annotation(annotations[slot])
        }
    }

    /// Appends an event's payload to its type's array and returns its slot there.
    mutating func append(_ body: Event.Body) -> Int {
        switch body {
        case .trade(let value): trades.append(value); return trades.count - 1
        case .quote(let value): quotes.append(value); return quotes.count - 1
        case .bookDelta(let value): append(value); return bookDeltaEntries.count - 1
        case .bookSnapshot(let value): bookSnapshots.append(value); return bookSnapshots.count - 1
        case .bar(let value): bars.append(value); return bars.count - 1
        case .fundingRate(let value): fundingRates.append(value); return fundingRates.count - 1
        case .markPrice(let value): markPrices.append(value); return markPrices.count - 1
        case .openInterest(let value): openInterests.append(value); return openInterests.count - 1
        case .liquidationPrint(let value): liquidationPrints.append(value); return liquidationPrints.count - 1
        case .sentiment(let value): sentimentReadings.append(value); return sentimentReadings.count - 1
        case .onChainTransfer(let value): onChainTransfers.append(value); return onChainTransfers.count - 1
        case .onChainMetric(let value): onChainMetrics.append(value); return onChainMetrics.count - 1
        case .signal(let value): signals.append(value); return signals.count - 1
        case .riskDecision(let value): riskDecisions.append(value); return riskDecisions.count - 1
        case .orderSubmitted(let value): ordersSubmitted.append(value); return ordersSubmitted.count - 1
        case .orderAccepted(let value): ordersAccepted.append(value); return ordersAccepted.count - 1
        case .orderAmended(let value): ordersAmended.append(value); return ordersAmended.count - 1
        case .orderCanceled(let value): ordersCanceled.append(value); return ordersCanceled.count - 1
        case .orderRejected(let value): ordersRejected.append(value); return ordersRejected.count - 1
        case .orderExpired(let value): ordersExpired.append(value); return ordersExpired.count - 1
        case .fill(let value): fills.append(value); return fills.count - 1
        case .fundingPayment(let value): fundingPayments.append(value); return fundingPayments.count - 1
        case .liquidation(let value): liquidations.append(value); return liquidations.count - 1
        case .killSwitch(let value): killSwitches.append(value); return killSwitches.count - 1
        case .runStarted(let value): runsStarted.append(value); return runsStarted.count - 1
        case .runEnded(let value): runsEnded.append(value); return runsEnded.count - 1
        case .foldBoundary(let value): foldBoundaries.append(value); return foldBoundaries.count - 1
        case .checkpoint(let value): checkpoints.append(value); return checkpoints.count - 1
        case .annotation(let value): annotations.append(value); return annotations.count - 1
        }
    }

    /// Reads `count` book deltas, their levels already in `levels` (the decoder put them
    /// there): the fields of `BookDelta.read(from:version:)`, in its order.
    private mutating func readBookDeltas(version: UInt8, count: Int, columns: inout ColumnReader) throws(CodecError) {
        try BookDelta.check(version: version)
        bookDeltaEntries.reserveCapacity(bookDeltaEntries.count + count)
        for row in 0..<count {
            columns.select(row: row)
            let bids = columns.levelRange()
            let asks = columns.levelRange()
            bookDeltaEntries.append(BookDeltaEntry(
                bids: bids, asks: asks,
                firstUpdateID: try columns.readUInt(), lastUpdateID: try columns.readUInt(), previousUpdateID: try columns.readUInt()))
        }
    }

    /// The levels at `range` of `levels`, as their own array.
    private func copiedLevels(_ range: Range<Int32>) -> ArraySlice<BookLevel> {
        ArraySlice(UnsafeBufferPointer(start: levels.base + Int(range.lowerBound), count: range.count))
    }

    /// The book delta at `slot`, its levels copied out.
    func bookDelta(at slot: Int) -> BookDelta {
        let entry = bookDeltaEntries[slot]
        return BookDelta(
            bids: copiedLevels(entry.bids), asks: copiedLevels(entry.asks),
            firstUpdateID: entry.firstUpdateID, lastUpdateID: entry.lastUpdateID, previousUpdateID: entry.previousUpdateID)
    }

    /// Appends a book delta, its levels to `levels`.
    private mutating func append(_ delta: BookDelta) {
        let bids = uniqueLevels().append(contentsOf: delta.bids)
        let asks = levels.append(contentsOf: delta.asks)
        bookDeltaEntries.append(BookDeltaEntry(
            bids: Int32(bids.lowerBound)..<Int32(bids.upperBound), asks: Int32(asks.lowerBound)..<Int32(asks.upperBound),
            firstUpdateID: delta.firstUpdateID, lastUpdateID: delta.lastUpdateID, previousUpdateID: delta.previousUpdateID))
    }

    /// Room for `count` levels at the end of `levels`, and its offset there (for the decoder).
    mutating func extendLevels(by count: Int) -> (offset: Int, room: UnsafeMutablePointer<BookLevel>) {
        let levels = uniqueLevels()
        return (levels.count, levels.extend(by: count))
    }

    /// `levels`, first copied when a copy of this store shares it (copy on write).
    private mutating func uniqueLevels() -> RawBuffer<BookLevel> {
        if !isKnownUniquelyReferenced(&levels) { levels = levels.copy() }
        return levels
    }

    private static func newLevels() -> RawBuffer<BookLevel> { RawBuffer(capacity: 1 << 12) }

    /// Calls `body` with the book delta at `slot` lent as a view.
    @inlinable @inline(__always)
    func withBookDelta<Result>(at slot: Int, _ body: (BookDeltaView) -> Result) -> Result {
        let entry = bookDeltaEntries[slot]
        let base = UnsafePointer(levels.base)
        return body(BookDeltaView(
            bids: UnsafeBufferPointer(start: base + Int(entry.bids.lowerBound), count: entry.bids.count),
            asks: UnsafeBufferPointer(start: base + Int(entry.asks.lowerBound), count: entry.asks.count),
            firstUpdateID: entry.firstUpdateID, lastUpdateID: entry.lastUpdateID, previousUpdateID: entry.previousUpdateID))
    }
}

/// A book delta held by a decoded block: where its level lists are in the block's levels.
@usableFromInline struct BookDeltaEntry: Sendable {
    @usableFromInline var bids: Range<Int32>
    @usableFromInline var asks: Range<Int32>
    @usableFromInline var firstUpdateID: UInt64
    @usableFromInline var lastUpdateID: UInt64
    @usableFromInline var previousUpdateID: UInt64
}
