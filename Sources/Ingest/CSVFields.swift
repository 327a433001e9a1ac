/// The fields of one CSV line, located without copying: plain fields split at commas, and
/// RFC 4180 quoted fields (`"a,b"`, `"say ""hi"""`) unquoted into a side buffer.
import TapeCore

struct CSVFields {
    private(set) var ranges: [Range<Int>] = []
    private var unquoted: [UInt8] = []
    private var quotedFields: [Int: Range<Int>] = [:]
    private var line: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)

    /// The number of fields.
    var count: Int { ranges.count }

    /// Splits `line`; the fields stay valid until the next split.
    mutating func split(_ line: UnsafeRawBufferPointer) throws(RowProblem) {
        self.line = line
        ranges.removeAll(keepingCapacity: true)
        if !quotedFields.isEmpty {
            quotedFields.removeAll(keepingCapacity: true)
            unquoted.removeAll(keepingCapacity: true)
        }
        let count = line.count
        var start = 0
        while true {
            if start < count && line[start] == 0x22 {
                let end = try splitQuoted(from: start)
                if end == count { return }
                start = end + 1
            } else {
                var index = start
                while index < count && line[index] != 0x2C { index += 1 }
                ranges.append(start..<index)
                if index == count { return }
                start = index + 1
            }
            if start == count {
                ranges.append(count..<count)
                return
            }
        }
    }

    /// Reads a quoted field starting at the quote at `index`; returns the index of the comma
    /// (or end) after it.
    private mutating func splitQuoted(from quote: Int) throws(RowProblem) -> Int {
        let begin = unquoted.count
        var index = quote + 1
        while true {
            guard index < line.count else { throw RowProblem("unterminated quoted field") }
            if line[index] == 0x22 {
                if index + 1 < line.count && line[index + 1] == 0x22 {
                    unquoted.append(0x22)
                    index += 2
                    continue
                }
                index += 1
                guard index == line.count || line[index] == 0x2C else { throw RowProblem("text after a closing quote") }
                quotedFields[ranges.count] = begin..<unquoted.count
                ranges.append(quote..<index)
                return index
            }
            unquoted.append(line[index])
            index += 1
        }
    }

    /// Calls `body` with field `index`'s bytes (unquoted).
    @inline(__always)
    func withField<Result>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws(RowProblem) -> Result) throws(RowProblem) -> Result {
        if !quotedFields.isEmpty, let range = quotedFields[index] {
            return try unquoted.withBytes { (bytes: UnsafeRawBufferPointer) throws(RowProblem) -> Result in
                try body(UnsafeRawBufferPointer(rebasing: bytes[range]))
            }
        }
        return try body(UnsafeRawBufferPointer(rebasing: line[ranges[index]]))
    }

    /// Field `index` as a string.
    func string(_ index: Int) -> String {
        (try? withField(index) { String(decoding: $0, as: UTF8.self) }) ?? ""  // withField cannot fail for a string copy
    }
}

/// One row's problem, turned into `IngestError.badRow` with its file and line by the reader.
/// Whole-file formats set the line themselves.
struct RowProblem: Error {
    let reason: String
    var line: UInt64?
    init(_ reason: String, line: UInt64? = nil) {
        self.reason = reason
        self.line = line
    }
}
