import TapeCore
import Events

/// `binance-stream`: lines of `<local receive time> <combined-stream JSON>` as recorded from
/// Binance websockets (spot, USD-M and COIN-M): `trade`, `aggTrade`, `bookTicker`,
/// `depth` (any speed), `markPrice` (any speed), `forceOrder`, and the REST depth snapshot
/// line (no `stream` key). The local time is the receive time (ns, µs or ms, by magnitude);
/// the exchange's transaction time (`T`, else `E`) is the event time, or the receive time
/// when the message has neither (spot `bookTicker`).
///
/// Each line is scanned once: the stream name comes first in Binance's messages, so the
/// instrument (and its scales) is known before the payload, and depth levels are parsed as
/// they are met. A message whose `data` comes before `stream` is handled on a second pass.
struct BinanceStreamParser: LineParser {
    private var resolver: InstrumentResolver
    /// The instrument of the file's stream messages, for snapshot lines that name none.
    private var fileInstrument: InstrumentResolver.Entry?
    /// A snapshot line seen before any message named the file's symbol, kept until one does.
    private var pendingSnapshot: (receiveTime: Timestamp, json: [UInt8])?
    /// The levels of the message being read (a fresh pair per message: events keep them).
    private var bids: [BookLevel] = []
    private var asks: [BookLevel] = []

    init(resolver: InstrumentResolver) {
        self.resolver = resolver
        fileInstrument = resolver.single
    }

    mutating func parse(_ line: UnsafeRawBufferPointer, into events: inout [Event]) throws(RowProblem) {
        guard let space = line.firstIndex(of: 0x20) else { throw RowProblem("expected '<receive time> <json>'") }
        guard let stamp = JSONScanner.integer(UnsafeRawBufferPointer(rebasing: line[..<space])), stamp > 0,
              let receiveTime = Timestamp(epoch: stamp, unit: EpochUnit.guess(stamp)) else {
            throw RowProblem("the receive time '\(UnsafeRawBufferPointer(rebasing: line[..<space]).text)' is not a positive epoch count")
        }
        let json = UnsafeRawBufferPointer(rebasing: line[(space + 1)...])
        var scanner = JSONScanner(json)
        var stream: UnsafeRawBufferPointer?
        var laterData: Int?
        var snapshot = Snapshot()
        bids = []
        asks = []
        try scanner.readObject { (key, scanner) throws(RowProblem) in
            if key.matches("stream") {
                stream = try scanner.readRawString().0
            } else if key.matches("data") {
                if let stream {
                    try parseStream(stream, data: &scanner, receiveTime: receiveTime, into: &events)
                } else {
                    _ = scanner.peek()
                    laterData = scanner.offset
                    try scanner.skipValue()
                }
            } else {
                try readSnapshotMember(key, &scanner, into: &snapshot)
            }
        }
        guard scanner.isAtEnd() else { throw scanner.problem("unexpected text after the message") }
        if let stream {
            if let laterData {
                var data = JSONScanner(json)
                data.skip(to: laterData)
                try parseStream(stream, data: &data, receiveTime: receiveTime, into: &events)
            }
        } else {
            try emitSnapshot(snapshot, json: json, receiveTime: receiveTime, into: &events)
        }
    }

    // MARK: Stream messages

    private mutating func parseStream(_ stream: UnsafeRawBufferPointer, data: inout JSONScanner, receiveTime: Timestamp, into events: inout [Event]) throws(RowProblem) {
        guard let at = stream.firstIndex(of: 0x40) else { throw RowProblem("stream name '\(stream.text)' has no '@'") }
        let symbol = UnsafeRawBufferPointer(rebasing: stream[..<at])
        let kind = UnsafeRawBufferPointer(rebasing: stream[(at + 1)...])
        guard let instrument = resolver.lookup(symbol) else {
            throw RowProblem("symbol \(symbol.text.uppercased()) is not among the import's instruments (\(resolver.knownSymbols)); add --instrument")
        }
        if fileInstrument == nil {
            fileInstrument = instrument
            try flushPendingSnapshot(into: &events)
        }
        var fields = Fields()
        bids = []
        asks = []
        try data.readObject { (key, scanner) throws(RowProblem) in
            if key.count == 1 && (key[0] == 0x62 || key[0] == 0x61) && scanner.peek() == 0x5B {
                if key[0] == 0x62 {
                    try Self.readLevels(&scanner, side: .bid, instrument: instrument, into: &bids)
                } else {
                    try Self.readLevels(&scanner, side: .ask, instrument: instrument, into: &asks)
                }
            } else {
                try fields.read(key, &scanner)
            }
        }
        let eventTime = fields.transactionTime ?? fields.eventTime ?? receiveTime
        func emit(_ body: Event.Body, at time: Timestamp) {
            events.append(Event(eventTime: time, receiveTime: receiveTime, instrument: instrument.id, body: body))
        }
        if kind.matches("trade") || kind.matches("aggTrade") {
            guard let maker = fields.buyerIsMaker else { throw RowProblem("missing m (buyer is maker)") }
            let id = kind.matches("trade") ? fields.tradeID : fields.aggregateID
            emit(.trade(Trade(
                price: try Self.price(fields.price, "price p", instrument), size: try Self.size(fields.quantity, "quantity q", instrument),
                aggressor: maker ? .sell : .buy, tradeID: UInt64(bitPattern: id ?? 0))), at: eventTime)
        } else if kind.matches("bookTicker") {
            emit(.quote(Quote(
                bidPrice: try Self.price(fields.bid, "bid b", instrument), bidSize: try Self.size(fields.bidSize, "bid size B", instrument),
                askPrice: try Self.price(fields.ask, "ask a", instrument), askSize: try Self.size(fields.askSize, "ask size A", instrument),
                updateID: UInt64(bitPattern: fields.updateID ?? 0))), at: eventTime)
        } else if kind.starts(with: "depth") {
            try emitDepth(fields, at: eventTime, emit: emit)
        } else if kind.starts(with: "markPrice") {
            // In markPrice messages `T` is the next funding time, and `E` the event time.
            let time = fields.eventTime ?? receiveTime
            let index = try fields.index.map { (text) throws(RowProblem) in try Self.price(text, "index price i", instrument) }
            let settle = try fields.settle.map { (text) throws(RowProblem) in try Self.price(text, "settle price P", instrument) }
            emit(.markPrice(MarkPrice(mark: try Self.price(fields.price, "mark price p", instrument), index: index, estimatedSettle: settle)), at: time)
            if let rateText = fields.rate, !rateText.isEmpty {
                let rate: Rate
                do { rate = try Rate(parsing: rateText) } catch { throw RowProblem("funding rate r '\(rateText.text)': \(error)") }
                emit(.fundingRate(FundingRate(rate: rate, fundingTime: fields.transactionTime ?? time, intervalNanos: 0)), at: time)
            }
        } else if kind.matches("forceOrder") {
            guard let order = fields.order else { throw RowProblem("forceOrder without o") }
            let average = try order.averagePrice.map { (text) throws(RowProblem) in try Self.price(text, "average price ap", instrument) }
            emit(.liquidationPrint(LiquidationPrint(
                side: order.side, price: try Self.price(order.price, "price p", instrument),
                size: try Self.size(order.quantity, "quantity q", instrument), averagePrice: average)), at: order.tradeTime ?? eventTime)
        } else {
            throw RowProblem("unsupported stream '\(stream.text)' (supported: trade, aggTrade, bookTicker, depth, markPrice, forceOrder)")
        }
    }

    private func emitDepth(_ fields: Fields, at time: Timestamp, emit: (Event.Body, Timestamp) -> Void) throws(RowProblem) {
        guard let first = fields.firstUpdateID, let last = fields.updateID else { throw RowProblem("depth update without U and u") }
        emit(.bookDelta(BookDelta(
            bids: bids[...], asks: asks[...], firstUpdateID: UInt64(bitPattern: first), lastUpdateID: UInt64(bitPattern: last),
            previousUpdateID: UInt64(bitPattern: fields.previousUpdateID ?? 0))), time)
    }

    static func readLevels(_ scanner: inout JSONScanner, side: BookSide, instrument: InstrumentResolver.Entry, into levels: inout [BookLevel]) throws(RowProblem) {
        try scanner.readArray { (scanner) throws(RowProblem) in
            try scanner.expect(0x5B)
            let priceText = try scanner.readDecimalText()
            try scanner.expect(0x2C)
            let sizeText = try scanner.readDecimalText()
            try scanner.expect(0x5D)
            levels.append(BookLevel(price: try price(priceText, "\(side.label) level price", instrument), size: try size(sizeText, "\(side.label) level size", instrument)))
        }
    }

    static func price(_ text: UnsafeRawBufferPointer?, _ name: @autoclosure () -> String, _ instrument: InstrumentResolver.Entry) throws(RowProblem) -> Price {
        guard let text else { throw RowProblem("missing \(name())") }
        do { return try Price(parsing: text, scale: instrument.priceScale) } catch { throw RowProblem("\(name()) '\(text.text)': \(error)") }
    }

    static func size(_ text: UnsafeRawBufferPointer?, _ name: @autoclosure () -> String, _ instrument: InstrumentResolver.Entry) throws(RowProblem) -> Quantity {
        guard let text else { throw RowProblem("missing \(name())") }
        do { return try Quantity(parsingSize: text, scale: instrument.sizeScale) } catch { throw RowProblem("\(name()) '\(text.text)': \(error)") }
    }

    // MARK: Snapshots

    /// Reads a top-level member of a snapshot line; levels are parsed at once when the file's
    /// instrument is known, and otherwise when a later message names it.
    private mutating func readSnapshotMember(_ key: UnsafeRawBufferPointer, _ scanner: inout JSONScanner, into snapshot: inout Snapshot) throws(RowProblem) {
        if key.matches("bids") || key.matches("asks") {
            if let instrument = fileInstrument {
                if key.matches("bids") {
                    try Self.readLevels(&scanner, side: .bid, instrument: instrument, into: &bids)
                } else {
                    try Self.readLevels(&scanner, side: .ask, instrument: instrument, into: &asks)
                }
            } else {
                try scanner.skipValue()
            }
        } else {
            try snapshot.read(key, &scanner)
        }
    }

    private mutating func emitSnapshot(_ snapshot: Snapshot, json: UnsafeRawBufferPointer, receiveTime: Timestamp, into events: inout [Event]) throws(RowProblem) {
        guard snapshot.lastUpdateID != nil else {
            throw RowProblem("neither a stream message nor a depth snapshot (no 'stream' or 'lastUpdateId')")
        }
        guard let instrument = fileInstrument else {
            // The snapshot names no symbol and no message has named the file's yet.
            guard pendingSnapshot == nil else { throw RowProblem("a second depth snapshot before any message named the file's symbol") }
            pendingSnapshot = (receiveTime, Array(json))
            return
        }
        try appendSnapshot(snapshot, instrument: instrument, receiveTime: receiveTime, into: &events)
    }

    private mutating func flushPendingSnapshot(into events: inout [Event]) throws(RowProblem) {
        guard let (receiveTime, json) = pendingSnapshot, let instrument = fileInstrument else { return }
        pendingSnapshot = nil
        let saved = (bids, asks)
        defer { (bids, asks) = saved }
        bids = []
        asks = []
        try json.withBytes { (raw: UnsafeRawBufferPointer) throws(RowProblem) in
            var scanner = JSONScanner(raw)
            var snapshot = Snapshot()
            try scanner.readObject { (key, scanner) throws(RowProblem) in try readSnapshotMember(key, &scanner, into: &snapshot) }
            try appendSnapshot(snapshot, instrument: instrument, receiveTime: receiveTime, into: &events)
        }
    }

    private func appendSnapshot(_ snapshot: Snapshot, instrument: InstrumentResolver.Entry, receiveTime: Timestamp, into events: inout [Event]) throws(RowProblem) {
        guard !bids.isEmpty || !asks.isEmpty else { throw RowProblem("depth snapshot without levels") }
        let eventTime = snapshot.transactionTime ?? snapshot.eventTime ?? receiveTime
        events.append(Event(eventTime: eventTime, receiveTime: receiveTime, instrument: instrument.id, body: .bookSnapshot(BookSnapshot(
            bids: bids[...], asks: asks[...], lastUpdateID: UInt64(bitPattern: snapshot.lastUpdateID ?? 0)))))
    }
}

/// The scalar fields of a depth snapshot line.
private struct Snapshot {
    var lastUpdateID: Int64?
    var eventTime: Timestamp?
    var transactionTime: Timestamp?

    mutating func read(_ key: UnsafeRawBufferPointer, _ scanner: inout JSONScanner) throws(RowProblem) {
        if key.matches("lastUpdateId") {
            lastUpdateID = try scanner.readInt64()
        } else if key.isKey(0x45) {
            eventTime = try Fields.time(&scanner)
        } else if key.isKey(0x54) {
            transactionTime = try Fields.time(&scanner)
        } else {
            try scanner.skipValue()
        }
    }
}

/// The scalar fields of a stream message's `data` object that any supported stream uses.
private struct Fields {
    var eventTime: Timestamp?
    /// `T`: the transaction time, or the next funding time in markPrice messages.
    var transactionTime: Timestamp?
    var price: UnsafeRawBufferPointer?
    var quantity: UnsafeRawBufferPointer?
    var tradeID: Int64?
    var aggregateID: Int64?
    var buyerIsMaker: Bool?
    var bid: UnsafeRawBufferPointer?
    var bidSize: UnsafeRawBufferPointer?
    var ask: UnsafeRawBufferPointer?
    var askSize: UnsafeRawBufferPointer?
    var updateID: Int64?
    var firstUpdateID: Int64?
    var previousUpdateID: Int64?
    var index: UnsafeRawBufferPointer?
    var settle: UnsafeRawBufferPointer?
    var rate: UnsafeRawBufferPointer?
    var order: ForceOrder?

    struct ForceOrder {
        var side: OrderSide = .sell
        var price: UnsafeRawBufferPointer?
        var quantity: UnsafeRawBufferPointer?
        var averagePrice: UnsafeRawBufferPointer?
        var tradeTime: Timestamp?
    }

    static func time(_ scanner: inout JSONScanner) throws(RowProblem) -> Timestamp {
        let value = try scanner.readInt64()
        guard let time = Timestamp(epoch: value, unit: EpochUnit.guess(value)) else { throw scanner.problem("time out of range") }
        return time
    }

    /// Reads one member. Keys mean different things in different streams (`a` is the ask in
    /// `bookTicker` and the aggregate id in `aggTrade`), told apart by the value's shape.
    mutating func read(_ key: UnsafeRawBufferPointer, _ scanner: inout JSONScanner) throws(RowProblem) {
        guard key.count == 1 else {
            if key.matches("pu") { previousUpdateID = try scanner.readInt64() } else { try scanner.skipValue() }
            return
        }
        switch key[0] {
        case 0x45: eventTime = try Self.time(&scanner)              // E
        case 0x54: transactionTime = try Self.time(&scanner)        // T
        case 0x70: price = try scanner.readDecimalText()            // p
        case 0x71: quantity = try scanner.readDecimalText()         // q
        case 0x74: tradeID = try scanner.readInt64()                // t
        case 0x61:                                                  // a: ask price, or aggregate id
            if scanner.peek() == 0x22 { ask = try scanner.readDecimalText() } else { aggregateID = try scanner.readInt64() }
        case 0x62: bid = try scanner.readDecimalText()              // b
        case 0x41: askSize = try scanner.readDecimalText()          // A
        case 0x42: bidSize = try scanner.readDecimalText()          // B
        case 0x6D: buyerIsMaker = try scanner.readBool()            // m
        case 0x75: updateID = try scanner.readInt64()               // u
        case 0x55: firstUpdateID = try scanner.readInt64()          // U
        case 0x69: index = try scanner.readDecimalText()            // i
        case 0x50: settle = try scanner.readDecimalText()           // P
        case 0x72: rate = try scanner.readDecimalText()             // r
        case 0x6F: order = try Self.forceOrder(&scanner)            // o
        default: try scanner.skipValue()
        }
    }

    static func forceOrder(_ scanner: inout JSONScanner) throws(RowProblem) -> ForceOrder {
        var order = ForceOrder()
        try scanner.readObject { (key, scanner) throws(RowProblem) in
            if key.isKey(0x53) {
                order.side = try scanner.readRawString().0.matches("BUY") ? .buy : .sell
            } else if key.isKey(0x70) {
                order.price = try scanner.readDecimalText()
            } else if key.isKey(0x71) {
                order.quantity = try scanner.readDecimalText()
            } else if key.matches("ap") {
                let text = try scanner.readDecimalText()
                order.averagePrice = text.isEmpty ? nil : text
            } else if key.isKey(0x54) {
                order.tradeTime = try time(&scanner)
            } else {
                try scanner.skipValue()
            }
        }
        return order
    }
}

extension UnsafeRawBufferPointer {
    /// Whether these bytes start with `prefix`.
    func starts(with prefix: StaticString) -> Bool {
        count >= prefix.utf8CodeUnitCount && UnsafeRawBufferPointer(rebasing: self[0..<prefix.utf8CodeUnitCount]).matches(prefix)
    }
}
