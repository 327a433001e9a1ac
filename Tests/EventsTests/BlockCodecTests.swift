import Testing
import TapeCore
import Events
import TestSupport

@Suite("Block codec")
struct BlockCodecTests {
    static func encode(_ events: [Event]) -> ([UInt8], [UInt8]) {
        var builder = BlockBuilder()
        for event in events { builder.append(event) }
        var timeline = ByteWriter()
        var payload = ByteWriter()
        builder.encode(timeline: &timeline, payload: &payload)
        return (timeline.bytes, payload.bytes)
    }

    static func decode(_ sections: ([UInt8], [UInt8]), filter: EventFilter = .all) throws -> DecodedBlock {
        var decoder = BlockDecoder()
        var block = DecodedBlock()
        try sections.0.withUnsafeBytes { timeline in
            try sections.1.withUnsafeBytes { payload in
                try decoder.decode(timeline: timeline, payload: payload, into: &block, filter: filter)
            }
        }
        return block
    }

    @Test("random blocks of every type round-trip exactly", arguments: [1, 2, 7, 500, 5_000])
    func roundTrip(count: Int) throws {
        let (generator, note) = testGenerator("block-\(count)")
        var random = RandomEvents(generator: generator)
        let events = random.sequence(count: count)
        let block = try Self.decode(Self.encode(events))
        #expect(block.count == events.count, "\(note)")
        for index in events.indices {
            #expect(block.event(at: index) == events[index], "event \(index), \(note)")
        }
    }

    @Test("a book delta lent as a view has the event's levels and ids")
    func bookDeltaViews() throws {
        let (generator, note) = testGenerator()
        var random = RandomEvents(generator: generator)
        let events = random.sequence(count: 2_000)
        let block = try Self.decode(Self.encode(events))
        var checked = 0
        for index in events.indices {
            guard case .bookDelta(let delta) = events[index].body else { continue }
            let matches = block.withBookDelta(at: index) { view in
                Array(view.bids) == Array(delta.bids) && Array(view.asks) == Array(delta.asks)
                    && view.firstUpdateID == delta.firstUpdateID && view.lastUpdateID == delta.lastUpdateID && view.previousUpdateID == delta.previousUpdateID
            }
            #expect(matches, "event \(index), \(note)")
            checked += 1
        }
        #expect(checked > 0, "\(note)")
    }

    /// A trades dump gives one time, which is both the event's and its receive time: the
    /// decoder then shares the receive times rather than decode the same column again. Blocks
    /// with and without that, in turn through one decoder and one block, each keep their own.
    @Test("trade blocks whose event times are their receive times decode the same as others, in any order")
    func sharedEventTimes() throws {
        let (generator, note) = testGenerator()
        var random = RandomEvents(generator: generator)
        func trades(sameTimes: Bool) -> [Event] {
            var time = Int64(1_700_000_000_000_000_000) + Int64(random.uint16())
            return (0..<400).map { row in
                time += Int64(random.uint16() % 1_000)
                let trade = Trade(price: Price(units: 60_000 + Int64(random.uint16() % 100)), size: Quantity(units: 1 + Int64(random.uint16() % 50)),
                                  aggressor: row % 3 == 0 ? .sell : .buy, tradeID: UInt64(row))
                let eventTime = sameTimes ? time : time - 1 - Int64(random.uint16() % 5_000)
                return Event(eventTime: Timestamp(nanosSinceEpoch: eventTime), receiveTime: Timestamp(nanosSinceEpoch: time),
                             instrument: InstrumentID(rawValue: 1), body: .trade(trade))
            }
        }
        var decoder = BlockDecoder()
        var block = DecodedBlock()
        // A copy of the block before (as the engine's loop keeps one) keeps its events too.
        var kept: (block: DecodedBlock, events: [Event])?
        func check(_ block: DecodedBlock, _ events: [Event], _ what: String) {
            let wrong = events.indices.first { block.event(at: $0) != events[$0] }
            #expect(block.count == events.count && wrong == nil, "\(what); first wrong event: \(wrong.map(String.init) ?? "none"), \(note)")
        }
        for same in [true, false, true, true, false, false, true] {
            let events = trades(sameTimes: same)
            let (timeline, payload) = Self.encode(events)
            try timeline.withUnsafeBytes { timeline in
                try payload.withUnsafeBytes { payload in try decoder.decode(timeline: timeline, payload: payload, into: &block) }
            }
            check(block, events, "event times the receive times: \(same)")
            if let kept { check(kept.block, kept.events, "the copy of the block before") }
            kept = (block, events)
        }
    }

    @Test("a copy of a decoded block keeps its events when the original decodes or takes the next block")
    func copiesKeepTheirEvents() throws {
        let (generator, note) = testGenerator()
        var random = RandomEvents(generator: generator)
        let first = random.sequence(count: 300)
        let second = random.sequence(count: 300)
        var decoder = BlockDecoder()
        var block = DecodedBlock()
        func decode(_ events: [Event]) throws {
            let (timeline, payload) = Self.encode(events)
            try timeline.withUnsafeBytes { timeline in
                try payload.withUnsafeBytes { payload in try decoder.decode(timeline: timeline, payload: payload, into: &block) }
            }
        }
        try decode(first)
        let kept = block
        try decode(second)
        #expect((0..<300).map { kept.event(at: $0) } == first, "\(note)")
        #expect((0..<300).map { block.event(at: $0) } == second, "\(note)")
        var inMemory = kept
        inMemory.set(second[...], firstSequence: 1)
        #expect((0..<300).map { kept.event(at: $0) } == first && (0..<300).map { inMemory.event(at: $0) } == second, "\(note)")
    }

    @Test("a block made from events in memory reads like the decoded block of the same events")
    func inMemory() throws {
        let (generator, note) = testGenerator()
        var random = RandomEvents(generator: generator)
        var block = DecodedBlock()
        for count in [1, 3, 400] {
            let events = random.sequence(count: count)
            block.set(events[...], firstSequence: 41)
            let decoded = try Self.decode(Self.encode(events))
            #expect(block.count == count && block.firstSequence == 41, "\(note)")
            #expect(block.types == decoded.types && block.instruments == decoded.instruments && block.receiveTimes == decoded.receiveTimes, "\(note)")
            #expect((0..<count).map { block.event(at: $0) } == events, "\(note)")
            for index in events.indices where events[index].type == .trade {
                #expect(block.trade(at: index) == decoded.trade(at: index), "\(note)")
            }
        }
    }

    @Test("an order column naming a stream more often than its count, or no stream, is an error naming the column")
    func badOrder() throws {
        let (generator, note) = testGenerator()
        var random = RandomEvents(generator: generator)
        var trade = random.event(type: .trade)
        var quote = random.event(type: .quote)
        quote.receiveTime = trade.receiveTime
        trade.instrument = quote.instrument
        let (timeline, payload) = Self.encode([trade, quote])
        // Equal receive times (constant column), then the order 0, 1: linear from 0 by 1.
        #expect(Array(timeline.suffix(3)) == [1, 0, 2], "\(note)")
        let orderOffset = timeline.count - 3
        for order: [UInt8] in [[0, 0], [0, 4]] {  // stream 0 twice; stream 2 of two
            let doctored = Array(timeline.prefix(orderOffset)) + order
            #expect(throws: CodecError.invalidValue(field: "stream order", offset: orderOffset), "\(note)") { try Self.decode((doctored, payload)) }
        }
    }

    @Test("a trade's aggressor column holding a code that names no side is an error naming the field")
    func badAggressor() throws {
        let (generator, note) = testGenerator()
        var random = RandomEvents(generator: generator)
        var event = random.event(type: .trade)
        func payload(_ side: AggressorSide) -> ([UInt8], [UInt8]) {
            guard case .trade(var trade) = event.body else { preconditionFailure("a trade") }
            trade.aggressor = side
            event.body = .trade(trade)
            return Self.encode([event])
        }
        // One trade: every column is constant, so the two blocks differ in the aggressor's
        // zigzag code alone (2 for buy, 4 for sell); 6 is code 3, which names no side.
        let (timeline, buy) = payload(.buy)
        let sell = payload(.sell).1
        let differing = buy.indices.filter { buy[$0] != sell[$0] }
        #expect(differing.count == 1 && buy.count == sell.count, "\(note)")
        guard let at = differing.first else { return }
        #expect(try Self.decode((timeline, sell)).trade(at: 0).aggressor == .sell, "\(note)")
        var doctored = buy
        doctored[at] = 6
        // The error names the column's start in the stream's section: its mode byte, just
        // before the code, after the section's 4-byte length.
        #expect(throws: CodecError.invalidValue(field: "aggressor", offset: at - 1 - 4), "\(note)") { try Self.decode((timeline, doctored)) }
    }

    @Test("a filter materialises only the chosen types and instruments, in order")
    func filter() throws {
        let (generator, note) = testGenerator()
        var random = RandomEvents(generator: generator)
        let events = random.sequence(count: 2_000, types: [.trade, .quote, .bookDelta, .annotation])
        let filter = EventFilter(types: [.trade, .annotation], instruments: [InstrumentID(rawValue: 1), InstrumentID(rawValue: 2)])
        let block = try Self.decode(Self.encode(events), filter: filter)
        for index in events.indices {
            let wanted = filter.includes(events[index].type, events[index].instrument)
            #expect(block.isIncluded(index) == wanted, "\(note)")
            #expect(block.types[index] == events[index].type)
            #expect(block.receiveTimes[index] == events[index].receiveTime.nanosSinceEpoch)
            if wanted { #expect(block.event(at: index) == events[index], "\(note)") }
        }
    }

    @Test("every prefix of a block and random byte flips end in an error or a block, never a crash")
    func damage() throws {
        let (generator, _) = testGenerator()
        var random = RandomEvents(generator: generator)
        let (timeline, payload) = Self.encode(random.sequence(count: 200))
        for length in 0..<timeline.count {
            #expect(throws: CodecError.self) { _ = try Self.decode((Array(timeline.prefix(length)), payload)) }
        }
        for length in stride(from: 0, to: payload.count, by: 7) {
            #expect(throws: CodecError.self) { _ = try Self.decode((timeline, Array(payload.prefix(length)))) }
        }
        var flips = random.generator
        for _ in 0..<2_000 {
            var damagedTimeline = timeline
            var damagedPayload = payload
            if Bool.random(using: &flips) {
                damagedTimeline[Int.random(in: 0..<timeline.count, using: &flips)] ^= UInt8.random(in: 1...255, using: &flips)
            } else {
                damagedPayload[Int.random(in: 0..<payload.count, using: &flips)] ^= UInt8.random(in: 1...255, using: &flips)
            }
            _ = try? Self.decode((damagedTimeline, damagedPayload))  // an error or some block: both are fine, a trap is not
        }
    }
}

@Suite("Integer columns")
struct IntColumnTests {
    static func roundTrip(_ values: [Int64]) throws -> (decoded: [Int64], mode: UInt8, size: Int) {
        var writer = ByteWriter()
        values.withUnsafeBufferPointer { IntColumn.encode($0, into: &writer) }
        return (try decode(writer.bytes, count: values.count), writer.bytes[0], writer.count)
    }

    /// The `count` values of the column `bytes` holds, which must end with it.
    static func decode(_ bytes: [UInt8], count: Int) throws -> [Int64] {
        var decoded = [Int64](repeating: 0, count: count)
        try bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            try decoded.withUnsafeMutableBufferPointer { try IntColumn.decode(count: count, from: &reader, into: $0.baseAddress!) }
            try reader.expectEnd()
        }
        return decoded
    }

    @Test("each layout is chosen where it fits and round-trips exactly")
    func layouts() throws {
        let cases: [([Int64], IntColumn.Mode)] = [
            ([42], .constant),
            (Array(repeating: Int64.min, count: 9), .constant),
            ((0..<100).map { 1_000 + 7 * $0 }, .linear),
            ([Int64.max, Int64.min], .linear),
            // Times about 100 or 300 µs apart: three bytes a step either way, lengths that never
            // change (and a quarter of a control byte more grouped).
            ((0..<100).reduce(into: [Int64(1_680_000_000_000_000)]) { $0.append($0.last! + ($1 % 2 == 0 ? 100_003 : 300_001)) }, .delta),
            // One- and two-byte varints, as many bytes grouped plus a quarter of a control byte
            // each: 17 % larger grouped.
            ((0..<100).map { [0, 1_000, 0, 1_001][$0 % 4] }, .plain),
            ([0x7A3F_19C2_88D0_4E61, -0x3B91_C4E2_7F10_A5D3, 0x5C2E_81F4_A9B3_0D77, -0x6E04_D93A_12C8_F5B9], .fixed),
            // Steps of a tick or two: one byte each as varints, whose lengths never change.
            ((0..<100).map { 6_180_030_000_000 + Int64($0 % 5) * 10_000_000 }, .delta),
            // One- and two-byte varints mixed, one byte each grouped: steps of 0, 1, 100 and 101
            // ticks, and values between −64 and 127 whose steps are larger.
            ((0..<100).map { 6_180_030_000_000 + Int64([0, 1, 101, 0][$0 % 4]) * 10_000_000 }, .groupedDelta),
            ((0..<100).map { [-64, 127, -63, 126][$0 % 4] }, .groupedPlain),
        ]
        for (values, mode) in cases {
            let result = try Self.roundTrip(values)
            #expect(result.decoded == values)
            #expect(result.mode == mode.rawValue, "\(values.prefix(3))")
        }
        // Price-like values on a tick of 10^7 units cost one byte each.
        #expect(try Self.roundTrip((0..<100).map { 6_180_030_000_000 + Int64($0 % 5) * 10_000_000 }).size <= 99 + 16)
    }

    @Test("the grouped layouts read as specs/journal-format.md lays them out")
    func groupedLayouts() throws {
        // Mode 6, divisor 1: zigzag 2, 4, 6, 400, 10; codes 0, 0, 0, 1 in the first control
        // byte (bits 6–7 for the fourth), 0 in the second; then the bytes little-endian.
        let plain: [UInt8] = [6, 1, 0x40, 0x00, 0x02, 0x04, 0x06, 0x90, 0x01, 0x0A]
        // Mode 5: zz(100), divisor 1, then the steps 1, −2, 1000 as zigzag 2, 3, 2000.
        let delta: [UInt8] = [5, 0xC8, 0x01, 1, 0x10, 0x02, 0x03, 0xD0, 0x07]
        // Modes 8 and 7 (block encoding 3), whose code 2 is three bytes (in 5 and 6, four):
        // zigzag 2, 4, 6, 200 000, 10; then zz(100) and the steps 1, −2, 100 000.
        let compactPlain: [UInt8] = [8, 1, 0x80, 0x00, 0x02, 0x04, 0x06, 0x40, 0x0D, 0x03, 0x0A]
        let compactDelta: [UInt8] = [7, 0xC8, 0x01, 1, 0x20, 0x02, 0x03, 0x40, 0x0D, 0x03]
        let cases: [([UInt8], [Int64])] = [
            (plain, [1, 2, 3, 200, 5]), (delta, [100, 101, 99, 1_099]),
            (compactPlain, [1, 2, 3, 100_000, 5]), (compactDelta, [100, 101, 99, 100_099]),
        ]
        for (bytes, values) in cases {
            #expect(try Self.decode(bytes, count: values.count) == values)
            // Truncated anywhere, it is an error.
            for cut in 1..<bytes.count {
                #expect(throws: CodecError.self) { try Self.decode(Array(bytes.prefix(cut)), count: values.count) }
            }
        }
        // So is a partial group's unused code set.
        var stray = plain
        stray[3] = 0x04  // the sixth value's code, in a column of five
        #expect(throws: CodecError.invalidValue(field: "column group codes", offset: 3)) { try Self.decode(stray, count: 5) }
    }

    @Test("varints of every length, mixed at random, decode exactly in long columns")
    func varintLengths() throws {
        let (generator, note) = testGenerator()
        var random = RandomEvents(generator: generator)
        for _ in 0..<200 {
            let count = Int.random(in: 1...600, using: &random.generator)
            // Magnitudes of 0 to 64 bits: zigzag varints of 1 to 10 bytes, in any order.
            let values = (0..<count).map { _ -> Int64 in
                let bits = Int.random(in: 0...64, using: &random.generator)
                let magnitude = bits == 0 ? 0 : UInt64.random(in: 0...UInt64.max, using: &random.generator) >> (64 - bits)
                return Int64(bitPattern: magnitude)
            }
            // Plain columns take the values as they are, delta columns their running sums.
            let sums = values.reduce(into: [Int64]()) { $0.append(($0.last ?? 0) &+ $1) }
            for column in [values, sums, values.map { $0 >> 40 }] {
                #expect(try Self.roundTrip(column).decoded == column, "\(note)")
            }
        }
    }

    @Test("grouped columns of values of every width, 1 to 8 bytes, round-trip exactly")
    func groupedWidths() throws {
        let (generator, note) = testGenerator()
        var random = RandomEvents(generator: generator)
        for _ in 0..<100 {
            let count = Int.random(in: 2...600, using: &random.generator)
            // Magnitudes that take 1, 2 or 3 bytes, mixed, and now and then 8.
            let values = (0..<count).map { _ -> Int64 in
                let bits = Int.random(in: 0..<100, using: &random.generator) == 0 ? 62 : [6, 14, 22].randomElement(using: &random.generator)!
                let magnitude = Int64.random(in: 0..<(1 << bits), using: &random.generator)
                return Bool.random(using: &random.generator) ? magnitude : -magnitude
            }
            let result = try Self.roundTrip(values)
            #expect(result.decoded == values, "\(note)")
            #expect(count < 16 || result.mode == IntColumn.Mode.groupedPlain.rawValue, "\(note)")
            let sums = values.reduce(into: [Int64]()) { $0.append(($0.last ?? 0) &+ $1) }
            #expect(try Self.roundTrip(sums).decoded == sums, "\(note)")
        }
    }

    @Test("a varint longer than ten bytes is an error at its first byte")
    func overlongVarint() throws {
        // A plain column (divisor 1) of 20 values: two one-byte values, then eleven bytes of
        // continuation, then padding.
        let bytes = [IntColumn.Mode.plain.rawValue, 1, 2, 4] + [UInt8](repeating: 0xFF, count: 11) + [UInt8](repeating: 0, count: 30)
        #expect(throws: CodecError.malformedVarint(offset: 4)) { try Self.decode(bytes, count: 20) }
    }

    @Test("random columns with extremes round-trip exactly")
    func random() throws {
        let (generator, note) = testGenerator()
        var random = RandomEvents(generator: generator)
        for _ in 0..<500 {
            let count = Int.random(in: 1...300, using: &random.generator)
            let values = (0..<count).map { _ in random.int64() }
            #expect(try Self.roundTrip(values).decoded == values, "\(note)")
        }
    }
}
