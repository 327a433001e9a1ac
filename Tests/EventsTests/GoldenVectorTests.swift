import Foundation
import Testing
import TapeCore
import Events
import TestSupport

/// Golden vectors pin the encodings: a change that alters a byte fails here, so old journals
/// stay readable unless the format version changes on purpose (TAPE_WRITE_GOLDEN=1 rewrites
/// the files for such a change).
@Suite("Golden vectors")
struct GoldenVectorTests {
    static let rowPath = GoldenEvents.directory + "/events.txt"
    static let blockPath = GoldenEvents.directory + "/block.txt"

    @Test("the golden events cover every event type")
    func coverage() {
        #expect(Set(GoldenEvents.events.map(\.type)) == Set(EventType.allCases))
    }

    @Test("every event's row frame matches its golden bytes, and the golden bytes decode to it")
    func rowFrames() throws {
        let json = EventJSON(instruments: GoldenEvents.table)
        let events = GoldenEvents.events
        var text = "# Golden vectors of the event row codec (specs/events.md, \"Row codec\"). Each vector is the\n"
        text += "# event's JSON (its sequence is its position), then its frame in hexadecimal.\n"
        for (index, event) in events.enumerated() {
            text += "# " + json.string(event, sequence: UInt64(index + 1)) + "\n" + Hex.encode(EventCodec.frame(event)) + "\n"
        }
        if GoldenEvents.rewriting { try text.write(toFile: Self.rowPath, atomically: true, encoding: .utf8) }
        let golden = try String(contentsOfFile: Self.rowPath, encoding: .utf8)
        #expect(golden == text)
        let frames = golden.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { Hex.decode(String($0))! }
        #expect(frames.count == events.count)
        for (frame, event) in zip(frames, events) {
            #expect(try EventCodec.decodeFrame(frame) == event)
        }
    }

    /// The events of a golden block file (its timeline and payload lines).
    static func decodeBlock(_ text: String) throws -> [Event] {
        let sections = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { Hex.decode(String($0.split(separator: " ")[1]))! }
        var decoder = BlockDecoder()
        var block = DecodedBlock()
        try sections[0].withUnsafeBytes { timeline in
            try sections[1].withUnsafeBytes { payload in
                try decoder.decode(timeline: timeline, payload: payload, into: &block)
            }
        }
        return (0..<block.count).map { block.event(at: $0) }
    }

    @Test("the block encoding of the golden events matches its golden bytes, and decodes back")
    func block() throws {
        var builder = BlockBuilder()
        for event in GoldenEvents.events { builder.append(event) }
        var timeline = ByteWriter()
        var payload = ByteWriter()
        builder.encode(timeline: &timeline, payload: &payload)
        let text = "# Golden block (specs/journal-format.md, \"Block encoding\"): the golden events of events.txt\n"
            + "# in one block, before compression: the timeline section, then the payload section.\n"
            + "timeline " + Hex.encode(timeline.bytes) + "\npayload " + Hex.encode(payload.bytes) + "\n"
        if GoldenEvents.rewriting { try text.write(toFile: Self.blockPath, atomically: true, encoding: .utf8) }
        let golden = try String(contentsOfFile: Self.blockPath, encoding: .utf8)
        #expect(golden == text)
        #expect(try Self.decodeBlock(golden) == GoldenEvents.events)
    }

    @Test("blocks of block encoding version 2 still read: the version-2 golden block decodes to the golden events")
    func blockVersionTwo() throws {
        let golden = try String(contentsOfFile: GoldenEvents.directory + "/v2/block.txt", encoding: .utf8)
        #expect(golden.contains("\ntimeline 02"))
        #expect(try Self.decodeBlock(golden) == GoldenEvents.events)
    }

    /// The golden events as codec version 1 wrote them: order lifecycle events without a
    /// causation, signals without their order's terms.
    static var versionOneEvents: [Event] {
        GoldenEvents.events.map { event in
            var old = event
            switch event.body {
            case .orderAccepted(var value): value.causation = 0; old.body = .orderAccepted(value)
            case .orderAmended(var value): value.causation = 0; old.body = .orderAmended(value)
            case .orderCanceled(var value): value.causation = 0; old.body = .orderCanceled(value)
            case .orderRejected(var value): value.causation = 0; old.body = .orderRejected(value)
            case .orderExpired(var value): value.causation = 0; old.body = .orderExpired(value)
            case .signal(let value):
                old.body = .signal(SignalEmitted(strategy: value.strategy, causation: value.causation, kind: value.kind, quantity: value.quantity,
                                                 price: value.price, strength: value.strength, features: value.features))
            default: break
            }
            return old
        }
    }

    @Test("journals from before order events named their causation and signals their order's terms still read: the version-1 vectors decode, causation 0, default terms")
    func versionOne() throws {
        let rows = try String(contentsOfFile: GoldenEvents.directory + "/v1/events.txt", encoding: .utf8)
        let frames = rows.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { Hex.decode(String($0))! }
        #expect(try frames.map { try EventCodec.decodeFrame($0) } == Self.versionOneEvents)
        let block = try String(contentsOfFile: GoldenEvents.directory + "/v1/block.txt", encoding: .utf8)
        #expect(try Self.decodeBlock(block) == Self.versionOneEvents)
        #expect(Self.versionOneEvents != GoldenEvents.events)
    }
}
