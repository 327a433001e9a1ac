import Testing
import TapeCore
import Configuration

@Suite("Configuration files")
struct ConfigNodeTests {
    @Test("the canonical text ignores comments, layout and key order, and nothing else")
    func canonical() throws {
        let first = try ConfigDocument(yaml: "# a comment\nb: [1, 2]\na: {y: \"x\", z: 0.10}\n", source: "one.yaml")
        let second = try ConfigDocument(yaml: "a:\n  z: 0.10   # the same decimal text\n  y: x\nb:\n  - 1\n  - 2\n", source: "two.yaml")
        #expect(first.root.canonicalText == second.root.canonicalText)
        #expect(first.root.canonicalText == #"{"a":{"y":"x","z":"0.10"},"b":["1","2"]}"#)
        let changed = try ConfigDocument(yaml: "b: [2, 1]\na: {y: x, z: 0.1}\n", source: "three.yaml")
        #expect(changed.root.canonicalText != first.root.canonicalText)
    }

    @Test("typed readers fail with the file, the line and what was wrong")
    func errors() throws {
        let document = try ConfigDocument(yaml: "top:\n  period: 0\n  window: 1x\n  rate: abc\n  extra: 1\n  flag: yes\n", source: "bad.yaml")
        let top = try document.root.mapping(allowed: ["top"], what: "the file")
        let node = try top.required("top")
        #expect(throws: ConfigError(file: "bad.yaml", line: 5, reason: "unknown key 'extra' in top (known: flag, period, rate, window)")) {
            _ = try node.mapping(allowed: ["period", "window", "rate", "flag"], what: "top")
        }
        let fields = try node.mapping(allowed: ["period", "window", "rate", "extra", "flag"], what: "top")
        #expect(throws: ConfigError(file: "bad.yaml", line: 2, reason: "period must be an integer from 1 to 10, not '0'")) {
            _ = try fields.required("period").integer("period", in: 1...10)
        }
        #expect(throws: ConfigError(file: "bad.yaml", line: 3, reason: "window '1x' must be a positive count with a unit of ms, s, m, h, d or w (e.g. 1m)")) {
            _ = try fields.required("window").duration("window")
        }
        #expect(throws: ConfigError(file: "bad.yaml", line: 4, reason: "rate 'abc': unexpected character at position 1")) {
            _ = try fields.required("rate").decimal("rate", scale: 4)
        }
        #expect(throws: ConfigError(file: "bad.yaml", line: 6, reason: "flag must be true or false")) {
            _ = try fields.required("flag").bool("flag")
        }
        #expect(throws: ConfigError(file: "bad.yaml", line: 2, reason: "top needs missing")) {
            _ = try fields.required("missing")
        }
        #expect(throws: ConfigError.self) { _ = try ConfigDocument(yaml: "a: [1, 2\n", source: "broken.yaml") }
    }

    @Test("durations read and write in the largest unit that divides them")
    func durations() {
        let cases: [(String, Int64)] = [("500ms", 500_000_000), ("30s", 30_000_000_000), ("1m", 60_000_000_000), ("90s", 90_000_000_000),
                                        ("4h", 14_400_000_000_000), ("1d", 86_400_000_000_000), ("2w", 1_209_600_000_000_000)]
        for (text, nanoseconds) in cases {
            #expect(DurationText.nanoseconds(text) == nanoseconds, "\(text)")
            #expect(DurationText.format(nanoseconds) == text)
        }
        #expect(DurationText.format(60_000_000_000 * 60) == "1h")
        #expect(DurationText.format(1_500) == "1500ns")
        for bad in ["", "m", "0m", "-1m", "1", "1y", "1.5m", "١m"] { #expect(DurationText.nanoseconds(bad) == nil, "\(bad)") }
    }
}
