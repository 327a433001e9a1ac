import Testing
import TapeCore
import Indicators

@Suite("Ring buffer")
struct RingBufferTests {
    @Test("holds the last values in order, evicts the oldest, and survives a state round trip")
    func ring() throws {
        var ring = RingBuffer(capacity: 3)
        #expect(ring.values == [])
        #expect(ring.push(1) == nil)
        #expect(ring.push(2) == nil)
        #expect(ring.values == [1, 2])
        #expect(ring.push(3) == nil)
        #expect(ring.values == [1, 2, 3])
        #expect(ring.isFull)
        #expect(ring.push(4) == 1)
        #expect([ring[back: 0], ring[back: 1], ring[back: 2]] == [4, 3, 2])
        #expect(ring.oldest == 2)
        #expect(ring.values == [2, 3, 4])
        ring.push(5)
        ring.push(6)
        #expect(ring.values == [4, 5, 6])
        ring.push(7)
        #expect(ring.values == [5, 6, 7])
        var restored = RingBuffer(capacity: 3)
        try restored.restoreState(from: ring.encodedState())
        #expect(restored == ring)
        #expect(restored.push(5) == ring.push(5))
        var wrong = RingBuffer(capacity: 4)
        #expect(throws: CodecError.self) { try wrong.restoreState(from: ring.encodedState()) }
    }
}
