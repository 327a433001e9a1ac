@testable import Engine
import Events
import Journal
import TapeCore
import Testing
import TestSupport

@Suite("Run writer")
struct RunWriterTests {
    /// A new journal with three instruments, and random events for it in receive order.
    static func journal(_ directory: TemporaryDirectory, _ name: String, count: Int) throws -> (Journal, [Event]) {
        var random = RandomEvents(generator: testGenerator(name).generator)
        let events = random.sequence(count: count, instruments: 3)
        return (try Journal(path: directory.appending(name), readOnly: false, create: true, options: .init(blockEvents: 64)), events)
    }

    static let instruments = ["AAA", "BBB", "CCC"].map { symbol in
        Instrument(
            symbol: symbol, venue: "TEST", venueSymbol: symbol, kind: .spot, baseCurrency: symbol, quoteCurrency: "USD",
            settlementCurrency: "USD", priceScale: 2, sizeScale: 3, priceIncrement: Price(units: 1), sizeIncrement: Quantity(units: 1),
            multiplier: ScaledDecimal(units: 1, scale: 0))
    }

    static func prepare(_ appender: inout JournalAppender) throws {
        for instrument in instruments { _ = try appender.add(instrument) }
        try appender.attach(Array("text".utf8), name: "note")
    }

    @Test("events handed over in batches are written in order, with the journal's hash, and committed at the finish; each hand-over leaves an empty batch")
    func writes() throws {
        let directory = TemporaryDirectory("writer")
        let (journal, events) = try Self.journal(directory, "j", count: 1_000)
        let writer = RunWriter(journal: journal) { try Self.prepare(&$0) }
        var start = 0
        var sizes = testGenerator().generator
        // One batch filled again after each hand-over, about fifty times: more than the
        // writer's slots, so that batches it is done with come back.
        var batch: [Event] = []
        while start < events.count {
            let end = min(events.count, start + Int.random(in: 0...40, using: &sizes))
            batch.append(contentsOf: events[start..<end])
            try writer.send(&batch)
            #expect(batch.isEmpty)
            start = end
        }
        let hash = try writer.finish()
        #expect(hash == (try RunSummary.contentHash(of: journal)))
        let read = try journal.read { snapshot in
            var read: [Event] = []
            try snapshot.forEachEvent { _, event in read.append(event); return true }
            #expect(try snapshot.attachment("note") == Array("text".utf8))
            #expect(snapshot.instruments.count == 3)
            return read
        }
        #expect(read == events)
    }

    /// (Its time limit makes a hang fail; it is generous, for the run under ThreadSanitizer
    /// beside the walk-forward's and the engine's heavy tests, where a minute was once exceeded.)
    @Test("a run abandoned, or an event the journal refuses, leaves nothing written; the refusal reaches the caller", .timeLimit(.minutes(5)))
    func failures() throws {
        let directory = TemporaryDirectory("writer")
        let (abandoned, events) = try Self.journal(directory, "abandoned", count: 300)
        let writer = RunWriter(journal: abandoned) { try Self.prepare(&$0) }
        var batch = Array(events[0..<200])
        try writer.send(&batch)
        writer.abort()
        #expect(try abandoned.head().eventCount == 0)
        #expect(try abandoned.instruments().count == 0)

        // An event received before the one written last is refused by the appender.
        let (refused, _) = try Self.journal(directory, "refused", count: 0)
        let late = Array(events[0..<100])
        let early = [events[0]].map { event -> Event in
            var event = event
            event.receiveTime = Timestamp(nanosSinceEpoch: late.last!.receiveTime.nanosSinceEpoch - 1)
            return event
        }
        let failing = RunWriter(journal: refused) { try Self.prepare(&$0) }
        batch = late
        try failing.send(&batch)
        // The failure is the writer's: the hand-over that caused it returns, a later one or the finish throws it.
        batch = early
        try? failing.send(&batch)
        let failure = #expect(throws: JournalError.self) {
            for _ in 0..<1_000 {
                batch = late
                try failing.send(&batch)
            }
            _ = try failing.finish()
        }
        guard case .outOfOrder? = failure else {
            Issue.record("expected the appender's out-of-order refusal, got \(String(describing: failure))")
            return
        }
        // Told to end after failing mid-batch, the writer still takes the message meant (the
        // failed batch's slot freed): the finish throws its failure rather than waiting on it.
        #expect(throws: JournalError.self) { _ = try failing.finish() }
        #expect(try refused.head().eventCount == 0)
    }
}
