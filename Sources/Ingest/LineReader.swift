/// Splits an input file into lines (`\n` or `\r\n`), numbering them from 1, without copying
/// lines that fit in a chunk. The last line may lack its newline.
struct LineReader {
    /// The longest line accepted; longer ones are a bad row rather than unbounded memory.
    static let maximumLineBytes = 64 << 20

    private let input: InputFile
    private var chunk: [UInt8] = []
    private var position = 0
    private var carry: [UInt8] = []
    private var finished = false
    /// The number of the line returned last.
    private(set) var lineNumber: UInt64 = 0

    init(input: InputFile) {
        self.input = input
    }

    /// Calls `body` with the next line (without its line ending); returns false at the end.
    mutating func next(_ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        while true {
            if position < chunk.count {
                let found: Int? = chunk.withUnsafeBytes { bytes in
                    guard let base = bytes.baseAddress else { return nil }
                    let start = base + position
                    guard let hit = memchr(start, 0x0A, chunk.count - position) else { return nil }
                    return position + (UnsafeRawPointer(hit) - start)
                }
                if let newline = found {
                    lineNumber += 1
                    let start = position
                    position = newline + 1
                    if carry.isEmpty {
                        try chunk.withUnsafeBytes { bytes in
                            try body(Self.trimmed(UnsafeRawBufferPointer(rebasing: bytes[start..<newline])))
                        }
                    } else {
                        carry.append(contentsOf: chunk[start..<newline])
                        try carry.withUnsafeBytes { try body(Self.trimmed($0)) }
                        carry.removeAll(keepingCapacity: true)
                    }
                    return true
                }
                carry.append(contentsOf: chunk[position...])
                position = chunk.count
                guard carry.count <= Self.maximumLineBytes else {
                    throw IngestError.badRow(file: input.path, line: lineNumber + 1, reason: "line longer than \(Self.maximumLineBytes >> 20) MiB")
                }
            }
            if finished { return false }
            position = 0
            if try input.read(into: &chunk) == 0 {
                finished = true
                guard !carry.isEmpty else { return false }
                lineNumber += 1
                try carry.withUnsafeBytes { try body(Self.trimmed($0)) }
                carry.removeAll()
                return true
            }
        }
    }

    /// Whether the last chunk read ended the data available so far (for committing standard
    /// input as it arrives).
    var isChunkExhausted: Bool { position >= chunk.count }

    private static func trimmed(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        line.last == 0x0D ? UnsafeRawBufferPointer(rebasing: line.dropLast()) : line
    }
}

import Foundation
