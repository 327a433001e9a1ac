import TapeCore
import Events

/// One input of an import, producing events in non-decreasing receive time.
protocol EventSource: AnyObject {
    /// The file being read.
    var input: InputFile { get }
    /// Rows read so far (rejected ones included).
    var rowCount: UInt64 { get }
    /// Rows rejected so far (only with a reject log).
    var rejectedCount: UInt64 { get }
    /// Appends up to about `limit` events to `batch`; with `stopAtChunkEnd`, also returns as
    /// soon as the input has no more data ready. Returns false once the input is exhausted
    /// and nothing was appended.
    func read(into batch: inout [Event], limit: Int, stopAtChunkEnd: Bool) throws -> Bool
}

/// Turns lines into events.
protocol LineParser {
    /// Parses one line, appending its events (zero or more) to `events`.
    mutating func parse(_ line: UnsafeRawBufferPointer, into events: inout [Event]) throws(RowProblem)
}

/// Reads an input line by line through a `LineParser`, checking that receive time never goes
/// back, and either stopping at a bad row or logging it and going on.
final class LineSource<Parser: LineParser>: EventSource {
    let input: InputFile
    // Touched for every row by this source only: no dynamic exclusivity checks.
    @exclusivity(unchecked) private var reader: LineReader
    @exclusivity(unchecked) private var parser: Parser
    private let rejects: RejectLog?
    @exclusivity(unchecked) private var lastReceiveTime = Int64.min
    @exclusivity(unchecked) private(set) var rowCount: UInt64 = 0
    @exclusivity(unchecked) private(set) var rejectedCount: UInt64 = 0

    init(input: InputFile, parser: Parser, rejects: RejectLog?) {
        self.input = input
        self.reader = LineReader(input: input)
        self.parser = parser
        self.rejects = rejects
    }

    func read(into batch: inout [Event], limit: Int, stopAtChunkEnd: Bool) throws -> Bool {
        let start = batch.count
        while batch.count - start < limit {
            let before = batch.count
            var problem: RowProblem?
            var rowText = ""
            let more = try reader.next { line in
                do throws(RowProblem) {
                    try parser.parse(line, into: &batch)
                    try checkOrder(batch, from: before)
                } catch {
                    problem = error
                    rowText = String(decoding: line.prefix(RejectLog.maximumRowBytes), as: UTF8.self)
                }
            }
            guard more else { break }
            rowCount += 1
            if let problem {
                batch.removeSubrange(before...)
                guard let rejects else {
                    throw IngestError.badRow(file: input.path, line: reader.lineNumber, reason: problem.reason)
                }
                try rejects.record(file: input.path, line: reader.lineNumber, reason: problem.reason, row: rowText)
                rejectedCount += 1
            } else if batch.count > before {
                lastReceiveTime = batch[batch.count - 1].receiveTime.nanosSinceEpoch
            }
            if stopAtChunkEnd && reader.isChunkExhausted && batch.count > start { break }
        }
        return batch.count > start
    }

    private func checkOrder(_ batch: [Event], from start: Int) throws(RowProblem) {
        var previous = lastReceiveTime
        for index in start..<batch.count {
            let time = batch[index].receiveTime.nanosSinceEpoch
            guard time >= previous else {
                throw RowProblem("receive time \(Timestamp(nanosSinceEpoch: time).iso8601) goes back before \(Timestamp(nanosSinceEpoch: previous).iso8601); rows must be in time order")
            }
            previous = time
        }
    }
}

/// Serves events that a whole-file format produced up front.
final class PreparedSource: EventSource {
    let input: InputFile
    private let events: [Event]
    private var position = 0
    let rowCount: UInt64
    let rejectedCount: UInt64

    init(input: InputFile, events: [Event], rowCount: UInt64, rejectedCount: UInt64) {
        self.input = input
        self.events = events
        self.rowCount = rowCount
        self.rejectedCount = rejectedCount
    }

    func read(into batch: inout [Event], limit: Int, stopAtChunkEnd: Bool) throws -> Bool {
        let end = min(events.count, position + limit)
        guard end > position else { return false }
        batch.append(contentsOf: events[position..<end])
        position = end
        return true
    }
}
