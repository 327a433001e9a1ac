import Testing
import Foundation
import TapeCore
import Events
import Journal
import TestSupport

/// A journal with `count` random events of `types` in blocks of `blockEvents`, for tests.
func makeJournal(
    _ directory: TemporaryDirectory, count: Int, blockEvents: Int = 97, types: [EventType] = EventType.allCases,
    salt: String = #function
) throws -> (Journal, [Event]) {
    let (generator, _) = testGenerator(salt)
    var random = RandomEvents(generator: generator)
    let events = random.sequence(count: count, types: types, instruments: 3)
    let journal = try Journal(path: directory.appending("j"), readOnly: false, create: true, options: .init(blockEvents: blockEvents))
    try journal.write { appender in
        for symbol in ["AAA", "BBB", "CCC"] {
            _ = try appender.add(Instrument(
                symbol: symbol, venue: "TEST", venueSymbol: symbol, kind: .spot, baseCurrency: symbol, quoteCurrency: "USD",
                settlementCurrency: "USD", priceScale: 2, sizeScale: 3, priceIncrement: Price(units: 1), sizeIncrement: Quantity(units: 1),
                multiplier: ScaledDecimal(units: 1, scale: 0)))
        }
        for event in events { try appender.append(event) }
    }
    return (journal, events)
}

func readAll(_ journal: Journal, filter: EventFilter = .all) throws -> [(UInt64, Event)] {
    try journal.read { snapshot in
        var all: [(UInt64, Event)] = []
        try snapshot.forEachEvent(filter: filter) { sequence, event in
            all.append((sequence, event))
            return true
        }
        return all
    }
}

@Suite("Journal")
struct JournalTests {
    @Test("events read back exactly, with dense sequences from 1, across many blocks")
    func roundTrip() throws {
        let directory = TemporaryDirectory()
        let (journal, events) = try makeJournal(directory, count: 3_000)
        let read = try readAll(journal)
        #expect(read.map(\.0) == Array(1...UInt64(events.count)))
        #expect(read.map(\.1) == events)
        let head = try journal.head()
        #expect(head.eventCount == 3_000)
        #expect(head.blockCount == UInt64((3_000 + 96) / 97))
        for type in EventType.allCases {
            #expect(head.count(of: type) == UInt64(events.filter { $0.type == type }.count))
        }
        #expect(try journal.verify().isClean)
    }

    @Test("a read from any sequence range returns exactly that range")
    func ranges() throws {
        let directory = TemporaryDirectory()
        let (journal, events) = try makeJournal(directory, count: 1_000)
        var generator = testGenerator().generator
        for _ in 0..<50 {
            let first = UInt64.random(in: 1...1_000, using: &generator)
            let last = UInt64.random(in: first...1_050, using: &generator)
            let read = try journal.read { snapshot in
                var sequences: [UInt64] = []
                try snapshot.forEachEvent(from: first, through: last) { sequence, event in
                    #expect(event == events[Int(sequence) - 1])
                    sequences.append(sequence)
                    return true
                }
                return sequences
            }
            #expect(read == Array(first...min(last, 1_000)))
        }
    }

    @Test("a scan read ahead on its own thread gives the same blocks as a scan, and stops where the caller stops or throws")
    func readAhead() throws {
        struct Stop: Error {}
        let directory = TemporaryDirectory()
        let (journal, events) = try makeJournal(directory, count: 2_000, blockEvents: 50)
        var generator = testGenerator().generator
        func firstSequences(from first: UInt64, through last: UInt64, ahead: Bool, filter: EventFilter = .all, until stop: Int = .max) throws -> [[Event]] {
            try journal.read { snapshot in
                var blocks: [[Event]] = []
                let body = { (block: DecodedBlock) -> Bool in
                    blocks.append(block.indices(from: first, through: last).map { block.isIncluded($0) ? block.event(at: $0) : events[Int(block.sequence(at: $0)) - 1] })
                    return blocks.count < stop
                }
                if ahead {
                    try snapshot.scanAhead(from: first, through: last, filter: filter, body)
                } else {
                    var reader = BlockReader()
                    try snapshot.scan(from: first, through: last, filter: filter, using: &reader, body)
                }
                return blocks
            }
        }
        for _ in 0..<20 {
            let first = UInt64.random(in: 1...2_000, using: &generator)
            let last = UInt64.random(in: first...2_100, using: &generator)
            let ahead = try firstSequences(from: first, through: last, ahead: true)
            #expect(ahead == (try firstSequences(from: first, through: last, ahead: false)))
            #expect(ahead.joined().elementsEqual(events[Int(first - 1)..<Int(min(last, 2_000))]))
            let filter = EventFilter(types: [.trade, .quote], instruments: nil)
            #expect(try firstSequences(from: first, through: last, ahead: true, filter: filter) == (try firstSequences(from: first, through: last, ahead: false, filter: filter)))
        }
        // Stopped after 3 blocks of 40, the reader ahead of it is stopped too.
        #expect(try firstSequences(from: 1, through: 2_000, ahead: true, until: 3).count == 3)
        var delivered = 0
        #expect(throws: Stop.self) {
            try journal.read { snapshot in
                try snapshot.scanAhead { _ in
                    delivered += 1
                    if delivered == 5 { throw Stop() }
                    return true
                }
            }
        }
        #expect(delivered == 5)
        // The journal is left readable (the reading thread's transaction ended with the read).
        #expect(try readAll(journal).count == 2_000)
    }

    @Test("later writes continue the sequence; reopening read-only sees everything")
    func appendAndReopen() throws {
        let directory = TemporaryDirectory()
        let (journal, events) = try makeJournal(directory, count: 500)
        var random = RandomEvents(generator: testGenerator().generator)
        var more = random.sequence(count: 300, instruments: 3)
        let end = events.last!.receiveTime.nanosSinceEpoch
        for index in more.indices { more[index].receiveTime = Timestamp(nanosSinceEpoch: end + Int64(index)) }
        try journal.write { appender in
            #expect(appender.nextSequence == 501)
            for event in more { try appender.append(event) }
        }
        let reopened = try Journal(path: directory.appending("j"))
        #expect(try readAll(reopened).map(\.1) == events + more)
        #expect(try reopened.instruments().count == 3)
        #expect(reopened.id == journal.id)
    }

    @Test("an out-of-order receive time is refused and nothing of that write is kept")
    func outOfOrder() throws {
        let directory = TemporaryDirectory()
        let (journal, events) = try makeJournal(directory, count: 200)
        let before = try journal.head()
        var early = events[0]
        early.receiveTime = Timestamp(nanosSinceEpoch: events.last!.receiveTime.nanosSinceEpoch - 1)
        #expect(throws: JournalError.self) {
            try journal.write { appender in
                for event in events.suffix(150) {
                    var later = event
                    later.receiveTime = events.last!.receiveTime
                    try appender.append(later)
                }
                try appender.append(early)
            }
        }
        #expect(try journal.head() == before)
        #expect(try readAll(journal).map(\.1) == events)
    }

    @Test("an error thrown inside a write rolls every block of it back")
    func rollback() throws {
        struct Stop: Error {}
        let directory = TemporaryDirectory()
        let (journal, events) = try makeJournal(directory, count: 100)
        #expect(throws: Stop.self) {
            try journal.write { appender in
                for _ in 0..<1_000 {
                    var event = events.last!
                    event.body = .annotation(AnnotationAdded(text: "never"))
                    try appender.append(event)
                }
                throw Stop()
            }
        }
        #expect(try journal.head().eventCount == 100)
        #expect(try journal.verify().isClean)
    }

    @Test("seeking by time finds the first event at or after any time", arguments: [1, 13, 200])
    func seek(blockEvents: Int) throws {
        let directory = TemporaryDirectory()
        let (journal, events) = try makeJournal(directory, count: 2_000, blockEvents: blockEvents, salt: "seek-\(blockEvents)")
        var generator = testGenerator("seek-times").generator
        let first = events.first!.receiveTime.nanosSinceEpoch
        let last = events.last!.receiveTime.nanosSinceEpoch
        var probes = events.map(\.receiveTime.nanosSinceEpoch)
        probes += (0..<300).map { _ in Int64.random(in: (first - 10)...(last + 10), using: &generator) }
        try journal.read { (snapshot: JournalSnapshot) throws in
            var reader = BlockReader()
            for probe in probes {
                let expected = events.firstIndex { $0.receiveTime.nanosSinceEpoch >= probe }.map { UInt64($0 + 1) }
                #expect(try snapshot.sequence(atOrAfter: Timestamp(nanosSinceEpoch: probe), using: &reader) == expected)
            }
        }
    }

    @Test("a flipped byte in a block makes verify name its range and reads of it throw")
    func bitFlip() throws {
        let directory = TemporaryDirectory()
        let path: String
        let events: [Event]
        do {
            let (journal, written) = try makeJournal(directory, count: 1_000, blockEvents: 100)
            path = journal.path
            events = written
        }
        let data = path + "/data.mdb"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: data)))
        // Find the fifth block's frame by its magic and header, and damage its payload.
        let magic: [UInt8] = [0x54, 0x50, 0x4A, 0x42, 1]
        var found: [Int] = []
        for offset in 0..<(bytes.count - 20) where bytes[offset] == 0x54 && Array(bytes[offset..<offset + 5]) == magic {
            found.append(offset)
        }
        #expect(found.count == 10)
        let frame = found.first { offset in
            bytes[(offset + 8)..<(offset + 16)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } == 401
        }!
        bytes[frame + 200] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: data))
        let journal = try Journal(path: path)
        let report = try journal.verify()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.firstSequence == 401)
        #expect(report.problems.first?.lastSequence == 500)
        let failure = #expect(throws: JournalError.self) {
            try journal.read { snapshot in try snapshot.forEachEvent(from: 450, through: 460) { _, _ in true } }
        }
        guard case .corrupt(path, 401, 500, let reason)? = failure else {
            Issue.record("expected corruption of 401…500, got \(String(describing: failure))")
            return
        }
        #expect(reason.hasPrefix("checksum mismatch"))
        // Read ahead, the blocks before the damaged one arrive, then the same error.
        var delivered: UInt64 = 0
        let ahead = #expect(throws: JournalError.self) {
            try journal.read { snapshot in
                try snapshot.scanAhead { block in
                    delivered += UInt64(block.count)
                    return true
                }
            }
        }
        #expect(delivered == 400)
        guard case .corrupt(path, 401, 500, _)? = ahead else {
            Issue.record("expected corruption of 401…500 read ahead, got \(String(describing: ahead))")
            return
        }
        let before = try journal.read { snapshot in
            var count = 0
            try snapshot.forEachEvent(from: 1, through: 400) { _, _ in count += 1; return true }
            return count
        }
        #expect(before == 400)
        _ = events
    }

    @Test("a full journal (tiny map size) fails with a clear error and stays intact")
    func full() throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("small")
        let options = Journal.Options(mapSizeBytes: 256 * 1024, blockEvents: 64)
        let journal = try Journal(path: path, readOnly: false, create: true, options: options)
        var random = RandomEvents(generator: testGenerator().generator)
        let first = random.sequence(count: 50, types: [.annotation], instruments: 0)
        try journal.write { appender in for event in first { try appender.append(event) } }
        let head = try journal.head()
        var hugeTime = first.last!.receiveTime.nanosSinceEpoch
        var failure: (any Error)?
        do {
            try journal.write { appender in
                for index in 0..<100_000 {
                    hugeTime += 1
                    let text = String(repeating: "x", count: 500) + "\(index)"
                    try appender.append(Event(eventTime: .epoch, receiveTime: Timestamp(nanosSinceEpoch: hugeTime), instrument: .none, body: .annotation(AnnotationAdded(text: text))))
                }
            }
        } catch {
            failure = error
        }
        guard case .full? = failure as? JournalError else {
            Issue.record("expected a full journal, got \(String(describing: failure))")
            return
        }
        #expect("\(failure!)".contains("journal is full"))
        let reopened = try Journal(path: path, options: options)
        #expect(try reopened.head() == head)
        #expect(try reopened.verify().isClean)
        #expect(try readAll(reopened).map(\.1) == first)
    }

    @Test("bulk writes commit without syncing each and read back in full after a sync")
    func bulk() throws {
        let directory = TemporaryDirectory()
        let (journal, events) = try makeJournal(directory, count: 10)
        var random = RandomEvents(generator: testGenerator().generator)
        var more: [Event] = []
        var time = events.last!.receiveTime.nanosSinceEpoch
        for round in 0..<20 {
            let chunk = random.sequence(count: 50, instruments: 3).map { event -> Event in
                var moved = event
                time += 1
                moved.receiveTime = Timestamp(nanosSinceEpoch: time)
                return moved
            }
            try journal.write(durability: .bulk) { appender in
                #expect(appender.nextSequence == UInt64(11 + round * 50))
                for event in chunk { try appender.append(event) }
            }
            more += chunk
        }
        try journal.sync()
        let reopened = try Journal(path: journal.path)
        #expect(try readAll(reopened).map(\.1) == events + more)
        #expect(try reopened.head().blockCount == 1 + 20)
        #expect(try reopened.verify().isClean)
    }

    @Test("a directory without a journal is reported, not created")
    func missing() throws {
        let directory = TemporaryDirectory()
        #expect(throws: JournalError.notFound(path: directory.appending("none"))) { try Journal(path: directory.appending("none")) }
    }
}
