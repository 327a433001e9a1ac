@testable import Risk
import TapeCore
import Testing

@Suite("Exit bands")
struct ExitBandTests {
    @Test("a position's band holds exactly the prices at which its stop loss and take profit pass, by the expression the exits evaluate")
    func bandsAreExact() {
        var generator = SeededGenerator(seed: 23)
        for trial in 0..<300 {
            let side: Double = trial % 2 == 0 ? 1 : -1
            // Entries on and off the grid of whole price units, as an average of fills makes them.
            let entry = Double(Int64.random(in: 1...100_000_000, using: &generator)) + (trial % 3 == 0 ? 0 : Double.random(in: 0..<1, using: &generator))
            let stopLoss: Double? = trial % 5 == 4 ? nil : [0.001, 0.02, 0.1, 0.5, 1.0, 2.0][Int.random(in: 0..<6, using: &generator)]
            let takeProfit: Double? = trial % 7 == 6 ? nil : [0.0005, 0.05, 0.3, 1.5][Int.random(in: 0..<4, using: &generator)]
            let band = ExitBand(size: 5, fills: 3, side: side, entry: entry, stopLoss: stopLoss, takeProfit: takeProfit)
            func passes(_ price: Int64) -> Bool {
                let adverse = ExitBand.adverse(side: side, entry: entry, price: price)
                return (stopLoss.map { adverse < $0 } ?? true) && (takeProfit.map { -adverse < $0 } ?? true)
            }
            // Random prices near the entry, and every price around each edge of the band.
            let prices = (0..<200).map { _ in Int64(entry * Double.random(in: 0.0...3.0, using: &generator)) + 1 }
            for price in prices where passes(price) { #expect(band.holds(size: 5, fills: 3, price: price), "trial \(trial): \(price) passes, outside the band") }
            for price in prices where !passes(price) { #expect(!band.holds(size: 5, fills: 3, price: price), "trial \(trial): \(price) exits, inside the band") }
            // Every price around each edge the plain predicate shows, found by bisection on it.
            func edge(from inside: Int64, toward outside: Int64) -> Int64 {
                var (a, b) = (inside, outside)
                while abs(b - a) > 1 { let m = a + (b - a) / 2; if passes(m) { a = m } else { b = m } }
                return a
            }
            let inside = Int64(entry.rounded())
            #expect(passes(inside))
            var edges: [Int64] = []
            if !passes(-(1 << 53)) { edges.append(edge(from: inside, toward: -(1 << 53))) }
            if !passes(1 << 53) { edges.append(edge(from: inside, toward: 1 << 53)) }
            for edge in edges {
                for price in (edge - 300)...(edge + 300) {
                    #expect(band.holds(size: 5, fills: 3, price: price) == passes(price), "trial \(trial): price \(price) by the edge \(edge)")
                }
            }
            // Another position (size or fills) is not held by the band.
            #expect(!band.holds(size: 4, fills: 3, price: Int64(entry)) && !band.holds(size: 5, fills: 4, price: Int64(entry)))
        }
    }
}
