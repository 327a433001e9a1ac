import Testing
import TapeCore
import Indicators

@Suite("Indicator state")
struct StateTests {
    @Test("every indicator resumes from its encoded state exactly where it was, bit for bit, at any point",
          arguments: IndicatorCatalog.all.map(\.name))
    func stateRoundTrip(name: String) throws {
        let inputs = Fixtures.inputs
        var full = try IndicatorCatalog.make(name)
        var fullOutputs: [IndicatorOutput] = []
        for input in inputs { fullOutputs.append(full.update(input)) }
        for cut in [1, 7, 60, 333, inputs.count - 1] {
            var first = try IndicatorCatalog.make(name)
            for input in inputs[..<cut] { _ = first.update(input) }
            let state = first.encodedState()
            var resumed = try IndicatorCatalog.make(name)
            try resumed.restoreState(from: state)
            #expect(resumed.encodedState() == state, "\(name) at \(cut): the state re-encodes differently")
            for (offset, input) in inputs[cut...].enumerated() {
                let output = resumed.update(input)
                let expected = fullOutputs[cut + offset]
                for index in 0..<IndicatorOutput.capacity where output[index].bitPattern != expected[index].bitPattern {
                    Issue.record("\(name) resumed at \(cut): output \(index) at \(cut + offset) is \(output[index]), a straight run gave \(expected[index])")
                    return
                }
            }
        }
    }

    @Test("a state that does not belong to the indicator is refused, not misread")
    func wrongState() throws {
        var macd = try IndicatorCatalog.make("macd")
        #expect(throws: CodecError.self) { try macd.restoreState(from: [1, 2, 3]) }
        let sma = try IndicatorCatalog.make("sma", parameters: ["period": 5])
        var other = try IndicatorCatalog.make("sma", parameters: ["period": 6])
        #expect(throws: CodecError.self) { try other.restoreState(from: sma.encodedState()) }
    }

    @Test("parameters are checked: unknown names, out of range and fractional periods are errors that say so")
    func parameters() {
        #expect(throws: IndicatorError.unknown("rsx")) { try IndicatorCatalog.make("rsx") }
        #expect(throws: IndicatorError.unknownParameter(indicator: "rsi", parameter: "length", known: ["period"])) {
            try IndicatorCatalog.make("rsi", parameters: ["length": 3])
        }
        #expect(throws: IndicatorError.outOfRange(indicator: "rsi", parameter: "period", value: 2.5, range: 1...100_000, integer: true)) {
            try IndicatorCatalog.make("rsi", parameters: ["period": 2.5])
        }
        #expect(throws: IndicatorError.outOfRange(indicator: "t3", parameter: "vfactor", value: 1.5, range: 0...1, integer: false)) {
            try IndicatorCatalog.make("t3", parameters: ["vfactor": 1.5])
        }
        #expect(IndicatorCatalog.all.count >= 100)
        #expect(Set(IndicatorCatalog.all.map(\.name)).count == IndicatorCatalog.all.count, "names are unique")
    }
}
