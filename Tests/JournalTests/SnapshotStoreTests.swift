import Testing
import Foundation
import TapeCore
import Events
import Journal
import TestSupport

@Suite("Snapshot store")
struct SnapshotStoreTests {
    static let first = Hash256(words: (1, 2, 3, 4))
    static let second = Hash256(words: (5, 6, 7, 8))

    /// A payload that compresses (runs) or not (random bytes), tagged with its sequence.
    static func payload(_ sequence: UInt64, random: Bool) -> [UInt8] {
        var generator = SeededGenerator(seed: sequence)
        let body: [UInt8] = random ? (0..<3_000).map { _ in UInt8.random(in: 0...255, using: &generator) } : [UInt8](repeating: 7, count: 3_000)
        return Array(String(sequence).utf8) + body
    }

    @Test("the latest snapshot at or before a sequence is found per namespace, payload intact")
    func latest() throws {
        let directory = TemporaryDirectory()
        let (journal, events) = try makeJournal(directory, count: 1_000, blockEvents: 100)
        let stored: [UInt64] = [100, 250, 999]
        try journal.storeSnapshots(stored.map { sequence in
            (Self.first, sequence, events[Int(sequence) - 1].receiveTime, Self.payload(sequence, random: sequence == 250))
        })
        try journal.storeSnapshots([(Self.second, 500, events[499].receiveTime, Self.payload(500, random: false))])
        try journal.read { snapshot in
            for probe: UInt64 in [1, 99, 100, 101, 249, 250, 251, 998, 999, 1_000, 5_000] {
                let expected = stored.last { $0 <= probe }
                let found = try snapshot.latestSnapshot(in: Self.first, atOrBefore: probe)
                #expect(found?.entry.sequence == expected, "probe \(probe)")
                if let found, let expected {
                    #expect(found.payload == Self.payload(expected, random: expected == 250))
                    #expect(found.entry.receiveTime == events[Int(expected) - 1].receiveTime)
                }
            }
            #expect(try snapshot.latestSnapshot(in: Self.second, atOrBefore: 499) == nil)
            #expect(try snapshot.latestSnapshot(in: Self.second, atOrBefore: 1_000)?.entry.sequence == 500)
            #expect(try snapshot.latestSnapshot(in: Hash256(words: (9, 9, 9, 9)), atOrBefore: 1_000) == nil)
            let entries = try snapshot.snapshotEntries()
            #expect(entries.map(\.sequence) == [100, 250, 999, 500])
            #expect(entries.map(\.namespace) == [Self.first, Self.first, Self.first, Self.second])
            // Runs compress; random bytes are stored raw.
            #expect(entries[0].storedBytes < 200)
            #expect(entries[1].storedBytes > 3_000)
        }
        let report = try journal.verify()
        #expect(report.isClean)
        #expect(report.snapshotsChecked == 4)
    }

    @Test("a snapshot past the journal's end is refused and nothing of that write is kept")
    func beyondEnd() throws {
        let directory = TemporaryDirectory()
        let (journal, events) = try makeJournal(directory, count: 300, blockEvents: 100)
        #expect(throws: JournalError.snapshotBeyondEnd(path: journal.path, sequence: 301, lastSequence: 300)) {
            try journal.storeSnapshots([
                (Self.first, 200, events[199].receiveTime, [1, 2, 3]),
                (Self.first, 301, events[299].receiveTime, [4, 5, 6]),
            ])
        }
        #expect(try journal.read { try $0.snapshotEntries() }.isEmpty)
    }

    @Test("a damaged snapshot is reported by verify with its sequence and never loaded")
    func damaged() throws {
        let directory = TemporaryDirectory()
        let path: String
        do {
            let (journal, events) = try makeJournal(directory, count: 300, blockEvents: 100)
            path = journal.path
            try journal.storeSnapshots([(Self.first, 200, events[199].receiveTime, Self.payload(200, random: true))])
        }
        let data = path + "/data.mdb"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: data)))
        let magic: [UInt8] = [0x54, 0x50, 0x53, 0x53, 1]
        let offsets = (0..<(bytes.count - 5)).filter { bytes[$0] == 0x54 && Array(bytes[$0..<$0 + 5]) == magic }
        #expect(offsets.count == 1)
        bytes[offsets[0] + 1_000] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: data))
        let journal = try Journal(path: path)
        let report = try journal.verify()
        #expect(report.problems.map { [$0.firstSequence, $0.lastSequence] } == [[200, 200]])
        #expect(report.problems.map(\.reason) == ["snapshot: checksum mismatch"])
        #expect(throws: JournalError.corruptSnapshot(path: path, sequence: 200, reason: "checksum mismatch")) {
            try journal.read { try $0.latestSnapshot(in: Self.first, atOrBefore: 300) }
        }
    }
}
