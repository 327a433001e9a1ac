import Foundation
import Testing
import TapeCore
import Events
import Journal
import Ingest
@testable import Projections
import TestSupport

@Suite("Order book")
struct BookTests {
    @Test(
        "a book side agrees with a plain sorted map under random updates (single and batched), far levels, off-grid prices and drift, with a ladder that widens and one that cannot",
        arguments: [64, Projections.BookSide.defaultMaximumWindow]
    )
    func sideMatchesReference(maximumWindow: Int) {
        var (random, note) = testGenerator()
        for isBid in [true, false] {
            let tick: Int64 = 10
            var side = BookSide(isBid: isBid, tick: tick, window: 64, maximumWindow: maximumWindow)
            var reference: [Int64: Int64] = [:]
            var centre: Int64 = 100_000
            side.reset(around: centre)
            // A copy taken halfway keeps its levels while the side changes (the ladder's slots
            // are shared until a write).
            var frozen: (side: Projections.BookSide, levels: [Int64: Int64])?
            for step in 0..<8_000 {
                if step == 4_000 { frozen = (side, reference) }
                centre += tick * Int64.random(in: -3...3, using: &random)  // the market drifts past the window
                // A venue message: one to five levels, sometimes the same price twice (the later wins).
                var batch: [BookLevel] = []
                for _ in 0..<Int.random(in: 1...5, using: &random) {
                    let spread: Int64 = Int.random(in: 0...100, using: &random) < 95 ? 40 : 2_000
                    var price = centre + tick * Int64.random(in: -spread...spread, using: &random)
                    if Int64.random(in: 0..<200, using: &random) == 0 { price += 3 }  // off the tick grid
                    if let previous = batch.last, Int.random(in: 0..<10, using: &random) == 0 { price = previous.price.units }
                    let size = Int64.random(in: 0..<3, using: &random) == 0 ? 0 : Int64.random(in: 1...1_000, using: &random)
                    batch.append(BookLevel(price: Price(units: price), size: Quantity(units: size)))
                    reference[price] = size == 0 ? nil : size
                }
                if step % 2 == 0 {
                    batch.withUnsafeBufferPointer { side.apply($0) }
                } else {
                    for level in batch { side.set(price: level.price.units, size: level.size.units) }
                }
                if step % 7 == 0, let top = side.best?.price { side.recentreIfNeeded(reference: top) }
                let best = isBid ? reference.max { $0.key < $1.key } : reference.min { $0.key < $1.key }
                #expect(side.count == reference.count, "step \(step) — \(note)")
                #expect(side.best.map { [$0.price, $0.size] } == best.map { [$0.key, $0.value] }, "step \(step) — \(note)")
                if step % 97 == 0 {
                    let ordered = reference.sorted { isBid ? $0.key > $1.key : $0.key < $1.key }
                    #expect(side.allLevels().map { [$0.0, $0.1] } == ordered.map { [$0.key, $0.value] }, "step \(step) — \(note)")
                    let limit = centre + (isBid ? -1 : 1) * tick * 25
                    let within = ordered.filter { isBid ? $0.key >= limit : $0.key <= limit }.reduce(0) { $0 + $1.value }
                    #expect(side.size(within: limit) == within, "step \(step) — \(note)")
                    for price in reference.keys.sorted().prefix(20) + [centre, centre + 3, centre - tick * 500] {
                        #expect(side.size(at: price) == reference[price] ?? 0, "step \(step), price \(price) — \(note)")
                    }
                }
            }
            // Far levels widened the ladder unless it may not widen.
            #expect(maximumWindow == 64 ? side.window == 64 : side.window > 64, "\(note)")
            if let frozen {
                let ordered = frozen.levels.sorted { isBid ? $0.key > $1.key : $0.key < $1.key }
                #expect(frozen.side.allLevels().map { [$0.0, $0.1] } == ordered.map { [$0.key, $0.value] }, "\(note)")
            }
        }
    }

    @Test("tick grid slots: on-grid prices inside the window map, others do not", arguments: [1, 7, 10, 64, 2_500_000])
    func grid(tick: Int64) {
        let grid = TickGrid(tick: tick, window: 100)
        let base = grid.base(centredOn: 1_000_003 * tick + tick / 2)
        #expect(base % tick == 0)
        for slot in -5..<105 {
            let price = base + Int64(slot) * tick
            #expect(grid.index(of: price, base: base) == ((0..<100).contains(slot) ? slot : nil))
            if tick > 1 { #expect(grid.index(of: price + 1, base: base) == nil) }
        }
    }

    static func delta(_ first: UInt64, _ last: UInt64, previous: UInt64 = 0, bids: [(Int64, Int64)] = [], asks: [(Int64, Int64)] = []) -> BookDelta {
        BookDelta(
            bids: ArraySlice(bids.map { BookLevel(price: Price(units: $0.0), size: Quantity(units: $0.1)) }),
            asks: ArraySlice(asks.map { BookLevel(price: Price(units: $0.0), size: Quantity(units: $0.1)) }),
            firstUpdateID: first, lastUpdateID: last, previousUpdateID: previous)
    }

    static func snapshot(_ last: UInt64) -> BookSnapshot {
        BookSnapshot(
            bids: [BookLevel(price: Price(units: 100), size: Quantity(units: 5))],
            asks: [BookLevel(price: Price(units: 101), size: Quantity(units: 7))],
            lastUpdateID: last)
    }

    @Test("Binance futures sequencing: stale diffs dropped, the first must span the snapshot, then pu continuity")
    func futuresSequencing() {
        var book = OrderBook(tick: 1)
        book.apply(Self.delta(1, 5, previous: 0), sequence: 1, receiveTime: 0)
        #expect(book.status == .empty && book.dropped == 1)
        book.apply(Self.snapshot(100), receiveTime: 0)
        #expect(book.status == .syncing && book.bestBid == nil)
        book.apply(Self.delta(90, 99, previous: 89, bids: [(100, 1)]), sequence: 3, receiveTime: 0)
        #expect(book.status == .syncing && book.dropped == 2)
        book.apply(Self.delta(98, 104, previous: 97, bids: [(100, 9)]), sequence: 4, receiveTime: 0)
        #expect(book.status == .valid && book.bestBid! == (100, 9) && book.lastUpdateID == 104)
        book.apply(Self.delta(105, 110, previous: 104, asks: [(101, 0), (102, 3)]), sequence: 5, receiveTime: 0)
        #expect(book.bestAsk! == (102, 3) && book.faults == 0)
        book.apply(Self.delta(112, 120, previous: 111, asks: [(102, 0)]), sequence: 6, receiveTime: 0)
        #expect(book.status == .invalid && book.faults == 1 && book.lastFaultSequence == 6)
        #expect(book.lastFaultReason == "diff continues 111, the book is at 110")
        #expect(book.bestAsk == nil && book.mid == nil && book.depth(withinBasisPoints: 10) == nil)
        book.apply(Self.delta(121, 130, previous: 120), sequence: 7, receiveTime: 0)
        #expect(book.status == .invalid && book.applied == 2)
        book.apply(Self.snapshot(200), receiveTime: 0)
        book.apply(Self.delta(201, 210, previous: 199), sequence: 9, receiveTime: 0)
        #expect(book.status == .invalid && book.faults == 2)
        #expect(book.lastFaultReason == "the first diff after the snapshot starts at 201, after the snapshot's 200")
    }

    @Test("spot sequencing (no previous id): the first diff holds lastUpdateId + 1, then U follows u")
    func spotSequencing() {
        var book = OrderBook(tick: 1)
        book.apply(Self.snapshot(100), receiveTime: 0)
        book.apply(Self.delta(95, 100), sequence: 2, receiveTime: 0)
        #expect(book.status == .syncing && book.dropped == 1)
        book.apply(Self.delta(101, 103, bids: [(100, 2)]), sequence: 3, receiveTime: 0)
        #expect(book.status == .valid && book.bestBid! == (100, 2))
        book.apply(Self.delta(104, 104), sequence: 4, receiveTime: 0)
        book.apply(Self.delta(106, 107), sequence: 5, receiveTime: 0)
        #expect(book.status == .invalid && book.lastFaultReason == "diff starts at 106, the book is at 104")
    }

    @Test("the book rebuilt from the real capture equals the venue's own top of book whenever their update ids coincide")
    func agreesWithBookTicker() throws {
        let directory = TemporaryDirectory("book")
        let journal = try sampleJournal(directory)
        let configuration = try configuration("book: {}\n")
        var lastQuote: (update: UInt64, quote: Quote)?
        var compared = 0
        var mismatches: [String] = []
        func compare(_ quote: Quote, _ book: OrderBook, _ sequence: UInt64) {
            guard let bid = book.bestBid, let ask = book.bestAsk else { return }
            compared += 1
            let venue = [quote.bidPrice.units, quote.bidSize.units, quote.askPrice.units, quote.askSize.units]
            if [bid.price, bid.size, ask.price, ask.size] != venue { mismatches.append("seq \(sequence): book \(bid) \(ask), venue \(venue)") }
        }
        let outcome = try Replayer.run(journal: journal, configuration: configuration, range: 1...(try journal.head().lastSequence), decodeAll: true) { projections, block, index in
            let instrument = block.instruments[index]
            guard let book = projections.book?.book(instrument), book.isValid else { return }
            switch block.types[index] {
            case .quote:
                let quote = block.quote(at: index)
                lastQuote = (quote.updateID, quote)
                if quote.updateID == book.lastUpdateID { compare(quote, book, block.sequence(at: index)) }
            case .bookDelta:
                if let (update, quote) = lastQuote, update == book.lastUpdateID { compare(quote, book, block.sequence(at: index)) }
            default: break
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        #expect(compared >= 100, "only \(compared) coincidences: the check would prove little")
        let book = try #require(outcome.projections.book?.book(InstrumentID(rawValue: 1)))
        #expect(book.isValid && book.faults == 0 && book.applied == 7_613)
    }

    @Test("a capture with one diff removed shows the gap: the book turns invalid at the next diff, with the fault's sequence")
    func doctoredCapture() throws {
        let directory = TemporaryDirectory("book")
        let text = String(decoding: try fileBytes(Paths.secondDay), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let depthLines = lines.indices.filter { lines[$0].contains("@depth") }
        #expect(depthLines.count > 100)
        let removed = lines.remove(at: depthLines[depthLines.count / 2])
        let doctored = directory.appending("doctored.dat")
        try lines.joined(separator: "\n").write(toFile: doctored, atomically: true, encoding: .utf8)
        let journal = try sampleJournal(directory, files: [Paths.firstDay, doctored])
        let end = try journal.head().lastSequence
        let configuration = try configuration("book: {}\n")
        var firstInvalid: UInt64?
        var validDiffsAfterGap = 0
        let outcome = try Replayer.run(journal: journal, configuration: configuration, range: 1...end) { projections, block, index in
            guard let book = projections.book?.book(block.instruments[index]) else { return }
            if book.status == .invalid && firstInvalid == nil { firstInvalid = block.sequence(at: index) }
            if firstInvalid != nil && book.isValid { validDiffsAfterGap += 1 }
        }
        let book = try #require(outcome.projections.book?.book(InstrumentID(rawValue: 1)))
        #expect(book.faults == 1)
        #expect(book.status == .invalid, "no snapshot follows the gap in the capture, so the book stays invalid")
        #expect(book.lastFaultSequence == firstInvalid)
        #expect(book.lastFaultReason.hasPrefix("diff continues "))
        #expect(validDiffsAfterGap == 0)
        // The fault is at the diff right after the removed one.
        let faulted = try journal.read { snapshot in
            var found: Event?
            try snapshot.forEachEvent(from: book.lastFaultSequence, through: book.lastFaultSequence) { _, event in found = event; return false }
            return found
        }
        guard case .bookDelta(let delta)? = faulted?.body else {
            Issue.record("the fault is not at a book delta: \(String(describing: faulted))")
            return
        }
        #expect(removed.contains("\"u\":\(delta.previousUpdateID),"), "the diff after the gap continues the removed one")
    }
}
