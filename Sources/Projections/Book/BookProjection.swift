public import Events
public import TapeCore

/// The level-2 books of every instrument that has book events (`OrderBook` says how each is
/// kept in sequence).
public struct BookProjection: Projection, Sendable {
    public static let name = "book"

    public let options: BookOptions
    /// Each instrument's tick, by instrument id (0: none).
    private let ticks: [Int64]
    /// The books, by instrument id; nil for instruments without book events so far.
    public private(set) var books: [OrderBook?]

    public init(options: BookOptions, instruments: InstrumentTable) {
        self.options = options
        ticks = [0] + instruments.instruments.map { $0.priceIncrement.units }
        books = [OrderBook?](repeating: nil, count: ticks.count)
    }

    /// The book of `instrument`, nil when it has had no book event.
    public func book(_ instrument: InstrumentID) -> OrderBook? {
        let index = Int(instrument.rawValue)
        return index < books.count ? books[index] : nil
    }

    /// The index of `instrument`'s book, made when it has none yet; nil for an id outside the
    /// table (the table holds every instrument of the journal).
    @inline(__always)
    private mutating func bookIndex(_ instrument: InstrumentID) -> Int? {
        let index = Int(instrument.rawValue)
        guard index > 0 && index < books.count else { return nil }
        if books[index] == nil { books[index] = OrderBook(tick: ticks[index], window: options.windowTicks) }
        return index
    }

    /// Applies a book delta or snapshot at `index` of `block`; other events do not concern it.
    @inline(__always)
    public mutating func apply(_ block: DecodedBlock, at index: Int) {
        switch block.types[index] {
        case .bookDelta:
            guard let book = bookIndex(block.instruments[index]) else { return }
            let sequence = block.sequence(at: index)
            let time = block.receiveTimes[index]
            block.withBookDelta(at: index) { books[book]!.apply($0, sequence: sequence, receiveTime: time) }
        case .bookSnapshot:
            guard let book = bookIndex(block.instruments[index]) else { return }
            books[book]!.apply(block.bookSnapshot(at: index), receiveTime: block.receiveTimes[index])
        default:
            break
        }
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        var present = books.indices.filter { books[$0] != nil }.map(Int64.init)
        var count = present.count
        try coder.code(&count)
        if !coder.isEncoding {
            guard count >= 0 && count < books.count else { throw .invalidValue(field: "book count", offset: 0) }
            present = [Int64](repeating: 0, count: count)
            books = [OrderBook?](repeating: nil, count: books.count)
        }
        for position in present.indices {
            try coder.code(&present[position])
            let index = Int(present[position])
            guard index > 0 && index < books.count else { throw .invalidValue(field: "book instrument", offset: 0) }
            if !coder.isEncoding { books[index] = OrderBook(tick: ticks[index], window: options.windowTicks) }
            try coder.code(&books[index]!)
        }
    }

    public func summary(_ context: ProjectionContext) -> JSONValue {
        .object(books.indices.compactMap { index -> (String, JSONValue)? in
            guard let book = books[index] else { return nil }
            let id = InstrumentID(rawValue: UInt32(index))
            var fields: [(String, JSONValue)] = [
                ("status", .string(book.status.label)),
                ("last_update_id", .unsigned(book.lastUpdateID)),
                ("levels", .object([("bids", .unsigned(UInt64(book.levelCounts.bids))), ("asks", .unsigned(UInt64(book.levelCounts.asks)))])),
                ("applied", .unsigned(book.applied)),
                ("dropped", .unsigned(book.dropped)),
                ("faults", .unsigned(book.faults)),
            ]
            if book.faults > 0 {
                fields.append(("last_fault", .object([("seq", .unsigned(book.lastFaultSequence)), ("reason", .string(book.lastFaultReason))])))
            }
            if let bid = book.bestBid, let ask = book.bestAsk {
                fields.append(("bid", .array([context.price(bid.price, id), context.size(bid.size, id)])))
                fields.append(("ask", .array([context.price(ask.price, id), context.size(ask.size, id)])))
                fields.append(("spread", context.price(ask.price - bid.price, id)))
                let scale = context.instruments.instrument(id).map { Double(FixedPoint.powersOfTen[$0.priceScale]) } ?? 1
                fields.append(("mid", .double((book.mid ?? .nan) / scale)))
                fields.append(("microprice", .double((book.microprice ?? .nan) / scale)))
                fields.append(("imbalance", .double(book.topImbalance ?? .nan)))
                fields.append(("depth", .object(options.depthBasisPoints.compactMap { bps in
                    book.depth(withinBasisPoints: bps).map { depth in
                        ("\(bps)bps", .object([("bids", context.size(depth.bids, id)), ("asks", context.size(depth.asks, id))]))
                    }
                })))
            }
            return (context.name(id), .object(fields))
        })
    }
}
