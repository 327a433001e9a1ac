import Testing
import TapeCore
@testable import Ingest
import TestSupport

@Suite("JSON scanner")
struct JSONScannerTests {
    /// What a byte-at-a-time reader makes of a string starting at the opening quote of `text`:
    /// the raw content and whether it holds escapes, or the 1-based byte of the problem.
    static func reference(_ text: [UInt8]) -> Result<([UInt8], Bool), RowProblem> {
        var index = 1
        var escaped = false
        while index < text.count {
            switch text[index] {
            case 0x22: return .success((Array(text[1..<index]), escaped))
            case 0x5C:
                escaped = true
                index += 2
            case ..<0x20: return .failure(RowProblem("JSON: control character in a string at byte \(index + 1)"))
            default: index += 1
            }
        }
        return .failure(RowProblem("JSON: unterminated string at byte \(text.count + 1)"))
    }

    @Test("strings read word-at-a-time agree with a byte-at-a-time reader wherever the special byte falls")
    func stringsAgreeWithReference() throws {
        var (random, note) = testGenerator()
        // Plain bytes, UTF-8 continuation bytes, and the three kinds of special byte.
        let alphabet: [UInt8] = Array("abc0123.,:{}[] ".utf8) + [0x80, 0xC3, 0xA9, 0xFF, 0x7F, 0x21, 0x23, 0x5B, 0x5D] + [0x22, 0x5C, 0x00, 0x0A, 0x1F]
        for round in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &random)
            let special = round % 4 == 0 ? [UInt8]() : [alphabet[Int.random(in: (alphabet.count - 5)..<alphabet.count, using: &random)]]
            var body = (0..<length).map { _ in alphabet[Int.random(in: 0..<(alphabet.count - 5), using: &random)] }
            if let byte = special.first, !body.isEmpty { body[Int.random(in: 0..<body.count, using: &random)] = byte }
            let closing: [UInt8] = round % 7 == 0 ? [] : [0x22]
            let text = [0x22] + body + closing + Array(",\"next\":1}".utf8.prefix(Int.random(in: 0...10, using: &random)))
            let scanned: Result<([UInt8], Bool), RowProblem> = text.withUnsafeBytes { bytes in
                var scanner = JSONScanner(bytes)
                do throws(RowProblem) {
                    let (raw, escaped) = try scanner.readRawString()
                    return .success((Array(raw), escaped))
                } catch {
                    return .failure(error)
                }
            }
            switch (scanned, Self.reference(text)) {
            case (.success(let got), .success(let expected)):
                #expect(got.0 == expected.0 && got.1 == expected.1, "\(text) — \(note)")
            case (.failure(let got), .failure(let expected)):
                #expect(got.reason == expected.reason, "\(text) — \(note)")
            default:
                Issue.record("scanner \(scanned) but reference \(Self.reference(text)) for \(text) — \(note)")
            }
        }
    }
}
