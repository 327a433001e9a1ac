import Engine
import Events
import Foundation
import Journal
import Projections
import Strategies
import Synchronization
import TapeCore
import Testing
import TestSupport

/// The look-ahead guard: a strategy that reads one source event ahead — inside its block, or
/// just past the end of its slice — stops the run with an error naming the read, and leaves no
/// run journal behind; reading the events before the current one is allowed.
@Suite("Look-ahead")
struct LookAheadTests {
    /// Reads the source event `offset` after the current one at every event, or only at
    /// sequence `at` when given.
    struct Peek: Strategy {
        let offset: Int64
        var at: UInt64? = nil
        /// How many reads returned an event.
        let seen: Counter

        var readTypes: Set<EventType> { [.trade] }

        func react(to view: borrowing MarketView, projections: ProjectionSet, strategy: UInt32, into signals: inout [StrategySignal]) throws(LookAheadError) {
            if let at, view.sequence != at { return }
            let target = UInt64(Int64(view.sequence) + offset)
            if try view.event(sequence: target) != nil { seen.count.add(1, ordering: .relaxed) }
        }
    }

    final class Counter: Sendable {
        let count = Atomic<Int>(0)
    }

    /// A slice of the bundled sample inside one block, so that the event after its end is
    /// decoded in the same block as its last.
    static let slice: ClosedRange<UInt64> = 101...400

    static func backtest(_ directory: TemporaryDirectory, _ strategy: Peek?, output: String) throws -> RunSummary {
        let path = directory.appending("sample")
        let source = FileManager.default.fileExists(atPath: path) ? try Journal(path: path) : try sampleJournal(directory)
        let configuration = try RunConfiguration(path: Paths.repository.appendingPathComponent("projections/ema-cross.yaml").path)
        return try Engine(configuration: configuration, codeVersion: "test", strategies: strategy.map { [$0] } ?? []).backtest(
            source: source, sourcePath: directory.appending("sample"), range: Self.slice, output: directory.appending(output))
    }

    @Test("a strategy that peeks one event ahead is stopped at its first read, naming the strategy and the events; nothing is journaled")
    func peekAhead() throws {
        let directory = TemporaryDirectory("lookahead")
        let counter = Counter()
        do {
            _ = try Self.backtest(directory, Peek(offset: 1, seen: counter), output: "run")
            Issue.record("the peek was not caught")
        } catch let error as LookAheadError {
            // At the slice's first event; the configured EMA cross is strategy 0.
            #expect(error.strategy == 1 && error.now == Self.slice.lowerBound && error.read == Self.slice.lowerBound + 1, "\(error)")
            #expect(error.description == "look-ahead: strategy 1, reacting to source event 101, read source event 102, which comes after it")
        }
        #expect(counter.count.load(ordering: .relaxed) == 0, "no read past the current event returned anything")
        #expect(try Journal(path: directory.appending("run")).head().eventCount == 0, "the failed run left nothing half-written")
    }

    @Test("a read of the event just past the slice's last is caught too, though that event is decoded in the same block")
    func pastTheSlice() throws {
        let directory = TemporaryDirectory("lookahead-slice")
        let source = try sampleJournal(directory)
        // The slice's end and the event after it are in one block.
        let sameBlock = try source.read { snapshot in
            var reader = BlockReader()
            _ = try snapshot.loadBlock(containing: Self.slice.upperBound, using: &reader)
            return reader.block.firstSequence + UInt64(reader.block.count) > Self.slice.upperBound + 1
        }
        #expect(sameBlock)
        let last = try source.read { snapshot in
            // The slice's last trade: where the strategy peeks.
            var reader = BlockReader()
            var last: UInt64 = 0
            try snapshot.scan(from: Self.slice.lowerBound, through: Self.slice.upperBound, filter: EventFilter(types: [.trade], instruments: nil), using: &reader) { block in
                for index in block.indices(from: Self.slice.lowerBound, through: Self.slice.upperBound) where block.types[index] == .trade { last = block.sequence(at: index) }
                return true
            }
            return last
        }
        let counter = Counter()
        let error = #expect(throws: LookAheadError.self) {
            try Self.backtest(directory, Peek(offset: Int64(Self.slice.upperBound - last) + 1, at: last, seen: counter), output: "run")
        }
        #expect(error?.now == last && error?.read == Self.slice.upperBound + 1)
        #expect(counter.count.load(ordering: .relaxed) == 0)
    }

    @Test("reading the events before the current one is allowed, and changes nothing in the run but its id, which counts the added strategy")
    func lookBack() throws {
        let directory = TemporaryDirectory("lookahead-back")
        let counter = Counter()
        let looking = try Self.backtest(directory, Peek(offset: -1, seen: counter), output: "looking")
        #expect(counter.count.load(ordering: .relaxed) > 100, "the previous events were read")
        let plain = try Self.backtest(directory, nil, output: "plain")
        #expect(looking.runHash == plain.runHash && looking.runEvents == plain.runEvents)
        // The added strategy is part of the run's id (and recorded with it); the same one again
        // makes the same id.
        #expect(looking.runID != plain.runID)
        #expect(try Self.backtest(directory, Peek(offset: -1, seen: counter), output: "again").runID == looking.runID)
        let recorded = try Journal(path: directory.appending("looking")).read { try $0.attachment(Engine.Attachment.strategies) }
        #expect(recorded.map { String(decoding: $0, as: UTF8.self) } == Peek(offset: -1, seen: counter).identity)
    }
}
