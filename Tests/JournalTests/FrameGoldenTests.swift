import Foundation
import Testing
import TapeCore
import Events
@testable import Journal
import TestSupport

/// The stored block frame is pinned by a golden vector that must keep decoding (zstd may
/// compress differently in other versions, so only the reading side is compared byte for byte).
@Suite("Journal frame golden vector")
struct FrameGoldenTests {
    static let path = GoldenEvents.directory + "/frame.txt"

    static func encode() throws -> [UInt8] {
        var builder = BlockBuilder()
        for event in GoldenEvents.events { builder.append(event) }
        var timeline = ByteWriter()
        var payload = ByteWriter()
        builder.encode(timeline: &timeline, payload: &payload)
        var frame: [UInt8] = []
        try BlockFrame.write(
            firstSequence: 1, count: builder.count, firstReceiveTime: builder.firstReceiveTime!.nanosSinceEpoch,
            lastReceiveTime: builder.lastReceiveTime!.nanosSinceEpoch, timeline: timeline, payload: payload,
            compressor: ZstdCompressor(level: 3), into: &frame)
        return frame
    }

    @Test("the golden stored frame (header, zstd sections, checksums) decodes to the golden events")
    func decodes() throws {
        if GoldenEvents.rewriting {
            let text = "# Golden stored block (specs/journal-format.md, \"Block frame\"): the golden events of events.txt as\n"
                + "# the journal stores them under key 1, compressed by zstd \(ZstdInfo.version).\n" + Hex.encode(try Self.encode()) + "\n"
            try text.write(toFile: Self.path, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: Self.path, encoding: .utf8)
        let frame = Hex.decode(String(golden.split(separator: "\n").first { !$0.hasPrefix("#") }!))!
        var reader = BlockReader()
        try frame.withUnsafeBytes { try reader.load(frame: $0, key: 1, filter: .all, journalPath: "golden") }
        #expect((0..<reader.block.count).map { reader.block.event(at: $0) } == GoldenEvents.events)
    }

    @Test("every single flipped byte of the golden frame is caught, never decoded")
    func flips() throws {
        let golden = try String(contentsOfFile: Self.path, encoding: .utf8)
        let frame = Hex.decode(String(golden.split(separator: "\n").first { !$0.hasPrefix("#") }!))!
        var reader = BlockReader()
        for index in frame.indices {
            var damaged = frame
            damaged[index] ^= 0x01
            #expect(throws: JournalError.self, "byte \(index)") {
                try damaged.withUnsafeBytes { try reader.load(frame: $0, key: 1, filter: .all, journalPath: "golden") }
            }
        }
    }
}
