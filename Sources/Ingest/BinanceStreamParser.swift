import TapeCore
import Events

/// `binance-stream`: lines of `<local receive time> <combined-stream JSON>` as recorded from
/// Binance websockets (spot, USD-M and COIN-M): `trade`, `aggTrade`, `bookTicker`,
/// `depth` (any speed), `markPrice` (any speed), `forceOrder`, and the REST depth snapshot
/// line (no `stream` key). The local time is the receive time (ns, µs or ms, by magnitude);
/// the exchange's transaction time (`T`, else `E`) is the event time, or the receive time
/// when the message has neither (spot `bookTicker`).
struct BinanceStreamParser: LineParser {
    private var resolver: InstrumentResolver
    /// The instrument of the file's stream messages, for snapshot lines that name none.
    private var fileInstrument: InstrumentResolver.Entry?
    /// A snapshot line seen before any message named the file's symbol, kept until one does.
    private var pendingSnapshot: (receiveTime: Timestamp, json: [UInt8])?
    private var levels: [(BookSide, Price, Quantity)] = []

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
        var dataOffset: Int?
        var snapshot = Snapshot()
        try scanner.readObject { (key, scanner) throws(RowProblem) in
            if key.matches("stream") {
                stream = try scanner.readRawString().0
            } else if key.matches("data") {
                _ = scanner.peek()
                dataOffset = scanner.offset
                try scanner.skipValue()
            } else {
                try snapshot.read(key, &scanner)
            }
        }
        guard scanner.isAtEnd() else { throw scanner.problem("unexpected text after the message") }
        if let stream {
            guard let dataOffset else { throw RowProblem("stream message without data") }
            var data = JSONScanner(json)
            data.skip(to: dataOffset)
            try parseStream(stream, data: &data, receiveTime: receiveTime, into: &events)
        } else {
            try emitSnapshot(snapshot, json: json, receiveTime: receiveTime, into: &events)
        }
    }

    // MARK: Stream messages

    private mutating func parseStream(_ stream: UnsafeRawBufferPointer, data: inout JSONScanner, receiveTime: Timestamp, into events: inout [Event]) throws(RowProblem) {
        guard let at = stream.firstIndex(of: 0x40) else { throw RowProblem("stream name '\(stream.text)' has no '@'") }
        let streamSymbol = UnsafeRawBufferPointer(rebasing: stream[..<at])
        let kind = UnsafeRawBufferPointer(rebasing: stream[(at + 1)...])
        var fields = Fields()
        try data.readObject { (key, scanner) throws(RowProblem) in try fields.read(key, &scanner) }
        let symbol = fields.symbol ?? streamSymbol
        guard let instrument = resolver.lookup(symbol) else {
            throw RowProblem("symbol \(symbol.text) is not among the import's instruments (\(resolver.knownSymbols)); add --instrument")
        }
        if fileInstrument == nil {
            fileInstrument = instrument
            try flushPendingSnapshot(into: &events)
        }
        let eventTime = fields.transactionTime ?? fields.eventTime ?? receiveTime
        func decimalPrice(_ text: UnsafeRawBufferPointer?, _ name: String) throws(RowProblem) -> Price {
            guard let text else { throw RowProblem("missing \(name)") }
            do { return try Price(parsing: text, scale: instrument.priceScale) } catch { throw RowProblem("\(name) '\(text.text)': \(error)") }
        }
        func decimalSize(_ text: UnsafeRawBufferPointer?, _ name: String) throws(RowProblem) -> Quantity {
            guard let text else { throw RowProblem("missing \(name)") }
            do { return try Quantity(parsingSize: text, scale: instrument.sizeScale) } catch { throw RowProblem("\(name) '\(text.text)': \(error)") }
        }
        func emit(_ body: Event.Body, at time: Timestamp) {
            events.append(Event(eventTime: time, receiveTime: receiveTime, instrument: instrument.id, body: body))
        }
        if kind.matches("trade") || kind.matches("aggTrade") {
            let id = kind.matches("trade") ? fields.tradeID : fields.aggregateID
            guard let maker = fields.buyerIsMaker else { throw RowProblem("missing m (buyer is maker)") }
            emit(.trade(Trade(
                price: try decimalPrice(fields.price, "price p"), size: try decimalSize(fields.quantity, "quantity q"),
                aggressor: maker ? .sell : .buy, tradeID: UInt64(bitPattern: id ?? 0))), at: eventTime)
        } else if kind.matches("bookTicker") {
            emit(.quote(Quote(
                bidPrice: try decimalPrice(fields.bid, "bid b"), bidSize: try decimalSize(fields.bidSize, "bid size B"),
                askPrice: try decimalPrice(fields.ask, "ask a"), askSize: try decimalSize(fields.askSize, "ask size A"),
                updateID: UInt64(bitPattern: fields.updateID ?? 0))), at: eventTime)
        } else if kind.starts(with: "depth") {
            try emitDepth(fields, instrument: instrument, data: data, eventTime: eventTime, emit: emit)
        } else if kind.starts(with: "markPrice") {
            // In markPrice messages `T` is the next funding time, and `E` the event time.
            let mark = try decimalPrice(fields.price, "mark price p")
            let index = try fields.index.map { (text) throws(RowProblem) in try decimalPrice(text, "index price i") }
            let settle = try fields.settle.map { (text) throws(RowProblem) in try decimalPrice(text, "settle price P") }
            let time = fields.eventTime ?? receiveTime
            emit(.markPrice(MarkPrice(mark: mark, index: index, estimatedSettle: settle)), at: time)
            if let rateText = fields.rate, !rateText.isEmpty {
                let rate: Rate
                do { rate = try Rate(parsing: rateText) } catch { throw RowProblem("funding rate r '\(rateText.text)': \(error)") }
                emit(.fundingRate(FundingRate(rate: rate, fundingTime: fields.transactionTime ?? time, intervalNanos: 0)), at: time)
            }
        } else if kind.matches("forceOrder") {
            guard let order = fields.order else { throw RowProblem("forceOrder without o") }
            emit(.liquidationPrint(LiquidationPrint(
                side: order.side, price: try decimalPrice(order.price, "price p"), size: try decimalSize(order.quantity, "quantity q"),
                averagePrice: try order.averagePrice.map { (text) throws(RowProblem) in try decimalPrice(text, "average price ap") })),
                 at: order.tradeTime ?? eventTime)
        } else {
            throw RowProblem("unsupported stream '\(stream.text)' (supported: trade, aggTrade, bookTicker, depth, markPrice, forceOrder)")
        }
    }

    private mutating func emitDepth(
        _ fields: Fields, instrument: InstrumentResolver.Entry, data: JSONScanner, eventTime time: Timestamp, emit: (Event.Body, Timestamp) -> Void
    ) throws(RowProblem) {
        guard let first = fields.firstUpdateID, let last = fields.updateID else { throw RowProblem("depth update without U and u") }
        levels.removeAll(keepingCapacity: true)
        for (side, offset) in [(BookSide.bid, fields.bidsOffset), (.ask, fields.asksOffset)] {
            guard let offset else { continue }
            var scanner = data
            scanner.skip(to: offset)
            try Self.readLevels(&scanner, side: side, instrument: instrument, into: &levels)
        }
        let previous = UInt64(bitPattern: fields.previousUpdateID ?? 0)
        if levels.isEmpty {
            // An update without levels still carries update ids the book's continuity needs.
            emit(.bookDelta(BookDelta(side: .bid, price: .zero, size: .zero, isLastInMessage: true,
                                      firstUpdateID: UInt64(bitPattern: first), lastUpdateID: UInt64(bitPattern: last), previousUpdateID: previous)), time)
            return
        }
        for (index, level) in levels.enumerated() {
            emit(.bookDelta(BookDelta(side: level.0, price: level.1, size: level.2, isLastInMessage: index == levels.count - 1,
                                      firstUpdateID: UInt64(bitPattern: first), lastUpdateID: UInt64(bitPattern: last), previousUpdateID: previous)), time)
        }
    }

    static func readLevels(_ scanner: inout JSONScanner, side: BookSide, instrument: InstrumentResolver.Entry, into levels: inout [(BookSide, Price, Quantity)]) throws(RowProblem) {
        try scanner.readArray { (scanner) throws(RowProblem) in
            var price: Price?
            var size: Quantity?
            var position = 0
            try scanner.readArray { (scanner) throws(RowProblem) in
                let text = try scanner.readDecimalText()
                do {
                    if position == 0 { price = try Price(parsing: text, scale: instrument.priceScale) }
                    if position == 1 { size = try Quantity(parsingSize: text, scale: instrument.sizeScale) }
                } catch {
                    throw RowProblem("\(side.label) level \(position == 0 ? "price" : "size") '\(text.text)': \(error)")
                }
                position += 1
            }
            guard let price, let size, position == 2 else { throw RowProblem("a \(side.label) level must be [price, size]") }
            levels.append((side, price, size))
        }
    }

    // MARK: Snapshots

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
        try appendSnapshot(snapshot, json: json, instrument: instrument, receiveTime: receiveTime, into: &events)
    }

    private mutating func flushPendingSnapshot(into events: inout [Event]) throws(RowProblem) {
        guard let (receiveTime, json) = pendingSnapshot, let instrument = fileInstrument else { return }
        pendingSnapshot = nil
        try json.withBytes { (raw: UnsafeRawBufferPointer) throws(RowProblem) in
            var scanner = JSONScanner(raw)
            var snapshot = Snapshot()
            try scanner.readObject { (key, scanner) throws(RowProblem) in try snapshot.read(key, &scanner) }
            try appendSnapshot(snapshot, json: raw, instrument: instrument, receiveTime: receiveTime, into: &events)
        }
    }

    private mutating func appendSnapshot(
        _ snapshot: Snapshot, json: UnsafeRawBufferPointer, instrument: InstrumentResolver.Entry, receiveTime: Timestamp, into events: inout [Event]
    ) throws(RowProblem) {
        levels.removeAll(keepingCapacity: true)
        for (side, offset) in [(BookSide.bid, snapshot.bidsOffset), (.ask, snapshot.asksOffset)] {
            guard let offset else { continue }
            var scanner = JSONScanner(json)
            scanner.skip(to: offset)
            try Self.readLevels(&scanner, side: side, instrument: instrument, into: &levels)
        }
        guard !levels.isEmpty else { throw RowProblem("depth snapshot without levels") }
        let eventTime = snapshot.transactionTime ?? snapshot.eventTime ?? receiveTime
        let updateID = UInt64(bitPattern: snapshot.lastUpdateID ?? 0)
        for (index, level) in levels.enumerated() {
            events.append(Event(eventTime: eventTime, receiveTime: receiveTime, instrument: instrument.id, body: .bookSnapshot(BookSnapshot(
                side: level.0, price: level.1, size: level.2, isFirst: index == 0, isLast: index == levels.count - 1, lastUpdateID: updateID))))
        }
    }
}

/// The fields of a depth snapshot line, read while scanning the top-level object.
private struct Snapshot {
    var lastUpdateID: Int64?
    var eventTime: Timestamp?
    var transactionTime: Timestamp?
    var bidsOffset: Int?
    var asksOffset: Int?

    mutating func read(_ key: UnsafeRawBufferPointer, _ scanner: inout JSONScanner) throws(RowProblem) {
        if key.matches("lastUpdateId") {
            lastUpdateID = try scanner.readInt64()
        } else if key.isKey(0x45) {
            eventTime = try Fields.time(&scanner)
        } else if key.isKey(0x54) {
            transactionTime = try Fields.time(&scanner)
        } else if key.matches("bids") {
            _ = scanner.peek()
            bidsOffset = scanner.offset
            try scanner.skipValue()
        } else if key.matches("asks") {
            _ = scanner.peek()
            asksOffset = scanner.offset
            try scanner.skipValue()
        } else {
            try scanner.skipValue()
        }
    }
}

/// The fields of a stream message's `data` object that any supported stream uses.
private struct Fields {
    var symbol: UnsafeRawBufferPointer?
    var eventTime: Timestamp?
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
    var bidsOffset: Int?
    var asksOffset: Int?
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

    /// Reads one member. Which meaning a key has depends on the stream (`b` is the bid price in
    /// `bookTicker` and the bid levels in `depth`), so array values are kept as offsets.
    mutating func read(_ key: UnsafeRawBufferPointer, _ scanner: inout JSONScanner) throws(RowProblem) {
        guard key.count == 1 else {
            if key.matches("pu") { previousUpdateID = try scanner.readInt64() } else { try scanner.skipValue() }
            return
        }
        switch key[0] {
        case 0x73: symbol = try scanner.readRawString().0                        // s
        case 0x45: eventTime = try Self.time(&scanner)                           // E
        case 0x54: transactionTime = try Self.time(&scanner)                     // T (next funding time in markPrice)
        case 0x70: price = try scanner.readDecimalText()                         // p
        case 0x71: quantity = try scanner.readDecimalText()                      // q
        case 0x74: tradeID = try scanner.readInt64()                             // t
        case 0x61:                                                               // a: ask price, ask levels, or aggregate id
            switch scanner.peek() {
            case 0x5B:
                asksOffset = scanner.offset
                try scanner.skipValue()
            case 0x22: ask = try scanner.readDecimalText()
            default: aggregateID = try scanner.readInt64()
            }
        case 0x62:                                                               // b: bid price or bid levels
            if scanner.peek() == 0x5B {
                bidsOffset = scanner.offset
                try scanner.skipValue()
            } else {
                bid = try scanner.readDecimalText()
            }
        case 0x41: askSize = try scanner.readDecimalText()                       // A
        case 0x42: bidSize = try scanner.readDecimalText()                       // B
        case 0x6D: buyerIsMaker = try scanner.readBool()                         // m
        case 0x75: updateID = try scanner.readInt64()                            // u
        case 0x55: firstUpdateID = try scanner.readInt64()                       // U
        case 0x69: index = try scanner.readDecimalText()                         // i
        case 0x50: settle = try scanner.readDecimalText()                        // P
        case 0x72: rate = try scanner.readDecimalText()                          // r
        case 0x6F:                                                               // o (forceOrder)
            var order = ForceOrder()
            try scanner.readObject { (key, scanner) throws(RowProblem) in
                if key.isKey(0x53) {
                    let side = try scanner.readRawString().0
                    order.side = side.matches("BUY") ? .buy : .sell
                } else if key.isKey(0x70) {
                    order.price = try scanner.readDecimalText()
                } else if key.isKey(0x71) {
                    order.quantity = try scanner.readDecimalText()
                } else if key.matches("ap") {
                    order.averagePrice = try scanner.readDecimalText()
                } else if key.isKey(0x54) {
                    order.tradeTime = try Self.time(&scanner)
                } else {
                    try scanner.skipValue()
                }
            }
            order.averagePrice = order.averagePrice.flatMap { $0.isEmpty ? nil : $0 }
            self.order = order
        default: try scanner.skipValue()
        }
    }
}

extension UnsafeRawBufferPointer {
    /// Whether these bytes start with `prefix`.
    func starts(with prefix: StaticString) -> Bool {
        count >= prefix.utf8CodeUnitCount && UnsafeRawBufferPointer(rebasing: self[0..<prefix.utf8CodeUnitCount]).matches(prefix)
    }
}
