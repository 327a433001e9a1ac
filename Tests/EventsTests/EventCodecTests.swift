import Testing
import TapeCore
import Events
import TestSupport

@Suite("Event row codec")
struct EventCodecTests {
    @Test("every event type round-trips through a frame, extremes included")
    func roundTrip() throws {
        let (generator, note) = testGenerator()
        var random = RandomEvents(generator: generator)
        for type in EventType.allCases {
            for _ in 0..<200 {
                let event = random.event(type: type)
                let frame = EventCodec.frame(event)
                let decoded = try EventCodec.decodeFrame(frame)
                #expect(decoded == event, "\(type.label), \(note)")
            }
        }
    }

    @Test("a stream of frames fed one byte at a time decodes to the same events")
    func byteAtATime() throws {
        let (generator, note) = testGenerator()
        var random = RandomEvents(generator: generator)
        let events = (0..<300).map { _ in random.event() }
        var stream = ByteWriter()
        for event in events { EventCodec.appendFrame(event, to: &stream) }
        var decoder = EventStreamDecoder()
        var decoded: [Event] = []
        for byte in stream.bytes {
            decoder.append(CollectionOfOne(byte))
            while let event = try decoder.next() { decoded.append(event) }
        }
        #expect(decoded == events, "\(note)")
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test("each payload writes exactly the fields its codec declares")
    func fieldCounts() {
        struct Counter: FieldWriter {
            var kinds: [FieldKind] = []
            mutating func writeInt(_ value: Int64) { kinds.append(.int) }
            mutating func writeBytes(_ value: UnsafeRawBufferPointer) { kinds.append(.bytes) }
            mutating func writeLevels(_ levels: ArraySlice<BookLevel>) { kinds.append(.levels) }
        }
        var random = RandomEvents(generator: testGenerator().generator)
        for type in EventType.allCases {
            var counter = Counter()
            random.body(type).write(to: &counter)
            #expect(counter.kinds == type.fieldKinds, "\(type.label)")
        }
    }

    @Test("each event type's ordinal is its position among the cases")
    func ordinals() {
        #expect(EventType.allCases.enumerated().map(\.offset) == EventType.allCases.map(\.ordinal))
    }

    @Test("NaN and signed-zero doubles keep their exact bits")
    func doubleBits() throws {
        let nan = Double(bitPattern: 0x7FF8_0000_DEAD_BEEF)
        let signal = SignalEmitted(strategy: 1, causation: 2, kind: .exit, quantity: .zero, price: .zero, strength: nan,
                                   features: [.init(feature: 3, value: -0.0)])
        let event = Event(eventTime: .epoch, receiveTime: .epoch, instrument: .none, body: .signal(signal))
        guard case .signal(let decoded) = try EventCodec.decodeFrame(EventCodec.frame(event)).body else {
            Issue.record("wrong type")
            return
        }
        #expect(decoded.strength.bitPattern == nan.bitPattern)
        #expect(decoded.features[0].value.bitPattern == (-0.0 as Double).bitPattern)
    }

    @Test("every truncation of a frame is an error, never an event", arguments: [EventType.trade, .riskDecision, .runStarted, .annotation])
    func truncation(type: EventType) throws {
        let (generator, _) = testGenerator("truncation-\(type.label)")
        var random = RandomEvents(generator: generator)
        let frame = EventCodec.frame(random.event(type: type))
        for length in 0..<frame.count {
            var decoder = EventStreamDecoder()
            decoder.append(frame[0..<length])
            #expect(try decoder.next() == nil)
        }
        let body = Array(frame.dropFirst(frame[0] < 0x80 ? 1 : 2))
        for cut in 0..<body.count {
            // A body cut short: the fields it needs are missing.
            let short = Array(body.prefix(cut))
            #expect(throws: CodecError.self) { _ = try short.withUnsafeBytes { try EventCodec.decodeBody($0) } }
        }
    }

    @Test("an unknown event type or a future codec version is refused with its offset")
    func unknownVersions() throws {
        var frame = EventCodec.frame(Event(eventTime: .epoch, receiveTime: .epoch, instrument: .none, body: .orderExpired(OrderExpired(orderID: 7, causation: 3))))
        frame[1] = 200
        #expect(throws: CodecError.invalidValue(field: "event type", offset: 1)) { try EventCodec.decodeFrame(frame) }
        frame[1] = EventType.orderExpired.rawValue
        frame[2] = 9
        #expect(throws: CodecError.unsupportedVersion(what: "order_expired codec", version: 9)) { try EventCodec.decodeFrame(frame) }
    }
}
