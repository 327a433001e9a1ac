import TapeCore
import Events

/// `whale-transfers`: a JSON list of large on-chain transfers as collected by wai-collector
/// (`{"whale_transactions": [{txid, value_btc, fee_btc, timestamp, vin_addresses,
/// vout_addresses, classification}, …]}` or a bare list). The collector's timestamp (UTC) is
/// when the transfer was seen: both event and receive time. The file lists newest first;
/// the events are put in time order (ties keep the older position in the file first).
enum WhaleTransfersParser {
    /// The largest file read (it is read whole).
    static let maximumBytes = 1 << 30

    static func events(from input: InputFile, instrument: InstrumentResolver.Entry, rejects: RejectLog?) throws(IngestError) -> PreparedSource {
        let bytes = try input.readAll(limit: maximumBytes)
        var document = Document(path: input.path, instrument: instrument, rejects: rejects)
        let outcome: Result<Void, RowProblem> = bytes.withUnsafeBytes { raw in
            do throws(RowProblem) {
                try document.read(raw)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        if let logFailure = document.logFailure { throw logFailure }
        if case .failure(let problem) = outcome {
            throw .badRow(file: input.path, line: problem.line ?? 1, reason: problem.reason)
        }
        // Newest first in the file: reverse, then sort by time keeping equal times in order.
        let ordered = document.events.reversed().enumerated().sorted { lhs, rhs in
            (lhs.element.receiveTime, lhs.offset) < (rhs.element.receiveTime, rhs.offset)
        }.map(\.element)
        return PreparedSource(input: input, events: ordered, rowCount: document.rows, rejectedCount: document.rejected)
    }

    /// The state of reading one file.
    private struct Document {
        let path: String
        let instrument: InstrumentResolver.Entry
        let rejects: RejectLog?
        var events: [Event] = []
        var rows: UInt64 = 0
        var rejected: UInt64 = 0
        var logFailure: IngestError?

        mutating func read(_ raw: UnsafeRawBufferPointer) throws(RowProblem) {
            var scanner = JSONScanner(raw)
            if scanner.peek() == 0x5B {
                try readList(&scanner, raw)
            } else {
                var sawList = false
                try scanner.readObject { (key, scanner) throws(RowProblem) in
                    if key.matches("whale_transactions") {
                        sawList = true
                        try readList(&scanner, raw)
                    } else {
                        try scanner.skipValue()
                    }
                }
                guard sawList else { throw RowProblem("no whale_transactions list") }
            }
            guard scanner.isAtEnd() else { throw RowProblem("unexpected text after the JSON value", line: Self.line(raw, scanner.offset)) }
        }

        mutating func readList(_ scanner: inout JSONScanner, _ raw: UnsafeRawBufferPointer) throws(RowProblem) {
            try scanner.readArray { (scanner) throws(RowProblem) in
                _ = scanner.peek()
                let start = scanner.offset
                rows += 1
                do throws(RowProblem) {
                    events.append(try WhaleTransfersParser.transfer(&scanner, instrument: instrument))
                } catch {
                    let line = Self.line(raw, start)
                    guard let rejects else { throw RowProblem(error.reason, line: line) }
                    var skipping = JSONScanner(raw)
                    skipping.skip(to: start)
                    try skipping.skipValue()
                    scanner.skip(to: skipping.offset)
                    let text = String(decoding: raw[start..<min(skipping.offset, start + RejectLog.maximumRowBytes)], as: UTF8.self)
                    do throws(IngestError) {
                        try rejects.record(file: path, line: line, reason: error.reason, row: text)
                    } catch {
                        logFailure = error
                        throw RowProblem("cannot log a rejected row", line: line)
                    }
                    rejected += 1
                }
            }
        }

        /// The 1-based line of byte `offset`.
        static func line(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
            UInt64(raw[0..<min(offset, raw.count)].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) })
        }
    }

    fileprivate static func transfer(_ scanner: inout JSONScanner, instrument: InstrumentResolver.Entry) throws(RowProblem) -> Event {
        var transaction: Hash256?
        var amount: Quantity?
        var fee = Quantity.zero
        var time: Timestamp?
        var inputs: UInt32 = 0
        var outputs: UInt32 = 0
        var flow = ExchangeFlow.unknown
        func size(_ scanner: inout JSONScanner, _ name: String) throws(RowProblem) -> Quantity {
            let text = try scanner.readDecimalText()
            do { return try Quantity(parsingSize: text, scale: instrument.sizeScale) } catch { throw RowProblem("\(name) '\(text.text)': \(error)") }
        }
        func count(_ scanner: inout JSONScanner) throws(RowProblem) -> UInt32 {
            var items: UInt32 = 0
            try scanner.readArray { (scanner) throws(RowProblem) in
                try scanner.skipValue()
                items += 1
            }
            return items
        }
        try scanner.readObject { (key, scanner) throws(RowProblem) in
            if key.matches("txid") {
                let text = try scanner.readString()
                guard let hash = Hash256(hex: text) else { throw RowProblem("txid '\(text)' is not 64 hexadecimal digits") }
                transaction = hash
            } else if key.matches("value_btc") {
                amount = try size(&scanner, "value_btc")
            } else if key.matches("fee_btc") {
                fee = try size(&scanner, "fee_btc")
            } else if key.matches("timestamp") {
                let text = try scanner.readString()
                do { time = try Timestamp(parsing: text) } catch { throw RowProblem("timestamp: \(error)") }
            } else if key.matches("vin_addresses") {
                inputs = try count(&scanner)
            } else if key.matches("vout_addresses") {
                outputs = try count(&scanner)
            } else if key.matches("classification") {
                let text = try scanner.readString()
                guard let value = ExchangeFlow(label: text) else { throw RowProblem("classification '\(text)' is not unknown, inflow, outflow or mixed") }
                flow = value
            } else {
                try scanner.skipValue()
            }
        }
        guard let transaction else { throw RowProblem("missing txid") }
        guard let amount else { throw RowProblem("missing value_btc") }
        guard let time else { throw RowProblem("missing timestamp") }
        let body = OnChainTransfer(transactionID: transaction, amount: amount, fee: fee, flow: flow, inputCount: inputs, outputCount: outputs)
        return Event(eventTime: time, receiveTime: time, instrument: instrument.id, body: .onChainTransfer(body))
    }
}
