import TapeCore
import Events

/// What `Journal.verify` found.
public struct VerifyReport: Sendable, Equatable {
    /// One damaged range of sequences, or an inconsistency of the metadata.
    public struct Problem: Sendable, Equatable {
        public var firstSequence: UInt64
        public var lastSequence: UInt64
        public var reason: String
    }

    public var blocksChecked: UInt64 = 0
    public var eventsChecked: UInt64 = 0
    public var snapshotsChecked: UInt64 = 0
    public var problems: [Problem] = []

    /// Whether nothing is wrong.
    public var isClean: Bool { problems.isEmpty }
}

extension Journal {
    /// Reads and checks every block (checksum, decompression, decoding, sequence continuity,
    /// receive-time order, instruments), the time index and the head. Damage is reported with
    /// the sequence range it affects; verification goes on past it to find all of it.
    /// - Complexity: O(events); memory bounded by one block plus 16 bytes per block.
    public func verify(progress: (UInt64) -> Void = { _ in }) throws(JournalError) -> VerifyReport {
        try environment.read { (transaction: LMDBTransaction) throws(JournalError) -> VerifyReport in
            var check = Verification(journal: self, transaction: transaction)
            try check.run(progress: progress)
            return check.report
        }
    }
}

private struct Verification {
    let journal: Journal
    let transaction: LMDBTransaction
    var report = VerifyReport()
    var head = JournalHead()
    var instrumentCount = 0
    var counts = [UInt64](repeating: 0, count: 128)
    /// Time-index keys the good blocks need, in order.
    var expectedTimeKeys: [(Int64, UInt64)] = []
    var anyDamage = false

    init(journal: Journal, transaction: LMDBTransaction) {
        self.journal = journal
        self.transaction = transaction
    }

    mutating func problem(_ first: UInt64, _ last: UInt64, _ reason: String) {
        report.problems.append(.init(firstSequence: first, lastSequence: max(first, last), reason: reason))
        anyDamage = true
    }

    mutating func run(progress: (UInt64) -> Void) throws(JournalError) {
        head = try Journal.readHead(transaction, journal.meta, journal.path)
        instrumentCount = try Journal.readInstruments(transaction, journal.meta, journal.path).count
        try checkBlocks(progress: progress)
        try checkTimeIndex()
        checkHead()
        try checkSnapshots()
    }

    /// Every stored snapshot: key, frame, checksum, payload decompression, and a sequence the
    /// journal holds.
    mutating func checkSnapshots() throws(JournalError) {
        guard let database = journal.snapshotsDatabase else { return }
        let decompressor = ZstdDecompressor()
        var found: [(UInt64, String?)] = []
        try transaction.withCursor(database) { (cursor: inout LMDBCursor) throws(JournalError) in
            var entry = try cursor.first()
            while let current = entry {
                guard let (_, sequence) = SnapshotFrame.parseKey(current.key) else {
                    found.append((0, "a snapshot key of \(current.key.count) bytes"))
                    entry = try cursor.next()
                    continue
                }
                do throws(SnapshotFrame.Damage) {
                    let (stored, _, _) = try SnapshotFrame.read(current.value, decompressor: decompressor)
                    found.append((sequence, stored == sequence ? nil : "snapshot frame says sequence \(stored)"))
                } catch {
                    found.append((sequence, "snapshot: \(error.reason)"))
                }
                entry = try cursor.next()
            }
        }
        for (sequence, reason) in found {
            report.snapshotsChecked += 1
            if let reason {
                problem(sequence, sequence, reason)
            } else if sequence > head.lastSequence {
                problem(sequence, sequence, "snapshot past the journal's last event \(head.lastSequence)")
            }
        }
    }

    mutating func checkBlocks(progress: (UInt64) -> Void) throws(JournalError) {
        var reader = BlockReader()
        var expected: UInt64 = 1
        var previousTime = Int64.min
        var damagedStart: UInt64?
        let blocks = journal.blocks
        var this = self
        var resident = ResidentBudget()
        try transaction.withCursor(blocks) { (cursor: inout LMDBCursor) throws(JournalError) in
            var entry = try cursor.first()
            while let current = entry {
                resident.read(current.value)
                guard current.key.count == 8 else {
                    this.problem(expected, expected, "block key of \(current.key.count) bytes")
                    entry = try cursor.next()
                    continue
                }
                let key = Journal.readBigEndian(current.key)
                if let start = damagedStart {
                    this.problem(start, key > start ? key - 1 : start, this.pendingReason)
                    damagedStart = nil
                    expected = key
                }
                if key > expected { this.problem(expected, key - 1, "missing events: no block holds them") }
                if key < expected { this.problem(key, expected - 1, "block overlaps the previous one") }
                do throws(JournalError) {
                    try reader.load(frame: current.value, key: key, filter: .all, journalPath: this.journal.path)
                    this.account(reader.block, key: key, previousTime: &previousTime)
                    expected = key + UInt64(reader.block.count)
                } catch {
                    if case .corrupt(_, _, _, let reason) = error { this.pendingReason = reason } else { throw error }
                    damagedStart = key
                }
                this.report.blocksChecked += 1
                progress(this.report.eventsChecked)
                entry = try cursor.next()
            }
        }
        self = this
        if let start = damagedStart {
            problem(start, max(start, head.lastSequence), pendingReason)
            expected = max(start, head.lastSequence) + 1
        }
        if expected - 1 != head.lastSequence && !anyDamage {
            problem(min(expected, head.lastSequence + 1), max(expected - 1, head.lastSequence),
                    "the head says the journal ends at \(head.lastSequence) but its blocks end at \(expected - 1)")
        }
    }

    var pendingReason = ""

    mutating func account(_ block: DecodedBlock, key: UInt64, previousTime: inout Int64) {
        let last = key + UInt64(block.count) - 1
        if let first = block.receiveTimes.first, first < previousTime {
            problem(key, last, "receive time goes back across blocks (\(Timestamp(nanosSinceEpoch: first).iso8601))")
        }
        previousTime = block.receiveTimes.last ?? previousTime
        for index in 0..<block.count {
            counts[Int(block.types[index].rawValue)] += 1
            if Int(block.instruments[index].rawValue) > instrumentCount {
                problem(key + UInt64(index), key + UInt64(index), "instrument \(block.instruments[index]) is not in the table")
                break
            }
        }
        expectedTimeKeys.append((previousTime, key))
        report.eventsChecked += UInt64(block.count)
    }

    mutating func checkTimeIndex() throws(JournalError) {
        var found: [(Int64, UInt64)] = []
        try transaction.withCursor(journal.times) { (cursor: inout LMDBCursor) throws(JournalError) in
            var entry = try cursor.first()
            while let current = entry {
                if current.key.count == 16 {
                    let time = Int64(bitPattern: Journal.readBigEndian(current.key) ^ (1 << 63))
                    found.append((time, Journal.readBigEndian(current.key, at: 8)))
                }
                entry = try cursor.next()
            }
        }
        var index = 0
        for (time, sequence) in expectedTimeKeys {
            while index < found.count && found[index].1 < sequence { index += 1 }
            guard index < found.count, found[index] == (time, sequence) else {
                problem(sequence, sequence, "the time index has no entry for the block")
                continue
            }
            index += 1
        }
        if found.count != expectedTimeKeys.count && !anyDamage {
            problem(0, 0, "the time index has \(found.count) entries for \(expectedTimeKeys.count) blocks")
        }
    }

    mutating func checkHead() {
        guard !anyDamage else { return }
        if head.blockCount != report.blocksChecked {
            problem(0, 0, "the head counts \(head.blockCount) blocks, the journal holds \(report.blocksChecked)")
        }
        for type in EventType.allCases where counts[Int(type.rawValue)] != head.count(of: type) {
            problem(0, 0, "the head counts \(head.count(of: type)) \(type.label) events, the blocks hold \(counts[Int(type.rawValue)])")
        }
    }
}
