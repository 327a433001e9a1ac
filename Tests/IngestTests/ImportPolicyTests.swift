import Foundation
import Testing
import TapeCore
import Events
import Journal
import Ingest
import TestSupport

/// The first lines of the real USD-M sample (stream messages after the snapshot).
func sampleLines(_ count: Int) throws -> [String] {
    Array(try lines("\(Paths.sample)/btcusdt_20230404.dat.gz").prefix(count))
}

@Suite("Import policies: bad input, rejects, repeats, merging, atomicity")
struct ImportPolicyTests {
    static let perpetual = ["BTCUSDT-PERP.BINANCE"]

    @Test("a bad binance-stream line stops the import with file, line and reason, and leaves the journal as it was", arguments: [
        (#"{"stream":"btcusdt@trade","data":{"e":"trade","E":1680652700455,"T":1680652700452,"s":"BTCUSDT","t":1,"p":"28145.123456789","q":"0.002","m":true}}"#,
         "price p '28145.123456789': more than 8 decimal places"),
        (#"{"stream":"btcusdt@trade","data":{"e":"trade","E":1680652700455,"T":1680652700452,"s":"BTCUSDT","t":1,"p":"NaN","q":"0.002","m":true}}"#,
         "price p 'NaN': not a finite number"),
        (#"{"stream":"btcusdt@trade","data":{"e":"trade","E":1680652700455,"T":1680652700452,"s":"BTCUSDT","t":1,"p":"28145.1","q":"-0.002","m":true}}"#,
         "quantity q '-0.002': negative where only zero or more is allowed"),
        (#"{"stream":"btcusdt@trade","data":{"e":"trade","E":1680652700455,"T":1680652700452,"s":"BTCUSDT","t":1,"p":"99999999999999","q":"1","m":true}}"#,
         "price p '99999999999999': too large"),
        (#"{"stream":"ethusdt@trade","data":{"e":"trade","E":1680652700455,"T":1680652700452,"s":"ETHUSDT","t":1,"p":"1800.1","q":"1","m":true}}"#,
         "symbol ETHUSDT is not among the import's instruments (BTCUSDT); add --instrument"),
        (#"{"stream":"btcusdt@kline_1m","data":{"e":"kline"}}"#,
         "unsupported stream 'btcusdt@kline_1m' (supported: trade, aggTrade, bookTicker, depth, markPrice, forceOrder)"),
        (#"{"stream":"btcusdt@trade","data":{"e":"trade","p":"28145.1""#, "JSON: expected ',' or '}' at byte 60"),
        (#"{"stream":"btcusdt@trade","data":{"e":"trade","E":1680652700455,"T":1680652700452,"s":"BTCUSDT","t":1,"p":"28145.1","q":"0.002"}}"#,
         "missing m (buyer is maker)"),
    ])
    func badStreamLine(json: String, reason: String) throws {
        let directory = TemporaryDirectory("bad")
        var text = try sampleLines(20)
        let stamp = text[9].split(separator: " ")[0]
        text.insert("\(stamp) \(json)", at: 10)
        let file = try write(text.joined(separator: "\n") + "\n", named: "capture.txt", in: directory)
        let run = try ImportRun(directory)
        try expectRefused(run, "\(file):11: \(reason)") {
            try run.run(.binanceStream, [file], instruments: Self.perpetual)
        }
    }

    @Test("receive time going back, a missing time and a truncated gzip file are refused with their place")
    func structuralProblems() throws {
        let directory = TemporaryDirectory("bad")
        var text = try sampleLines(20)
        let earlier = text[2].split(separator: " ", maxSplits: 1)
        text[12] = "\(earlier[0]) " + text[12].split(separator: " ", maxSplits: 1)[1]
        let backwards = try write(text.joined(separator: "\n") + "\n", named: "backwards.txt", in: directory)
        let run = try ImportRun(directory)
        let back = Timestamp(nanosSinceEpoch: Int64(earlier[0])! * 1_000).iso8601
        let previous = Timestamp(nanosSinceEpoch: Int64(text[11].split(separator: " ")[0])! * 1_000).iso8601
        try expectRefused(run, "\(backwards):13: receive time \(back) goes back before \(previous); rows must be in time order") {
            try run.run(.binanceStream, [backwards], instruments: Self.perpetual)
        }
        let noTime = try write("{\"stream\":\"btcusdt@trade\"}\n", named: "no-time.txt", in: directory)
        try expectRefused(run, "\(noTime):1: expected '<receive time> <json>'") {
            try run.run(.binanceStream, [noTime], instruments: Self.perpetual)
        }
        let whole = try Data(contentsOf: URL(fileURLWithPath: "\(Paths.sample)/btcusdt_20230404.dat.gz"))
        let truncated = directory.appending("truncated.gz")
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: truncated))
        try expectRefused(run, "\(truncated): the gzip data ends early (truncated file)") {
            try run.run(.binanceStream, [truncated], instruments: Self.perpetual)
        }
        var corrupt = whole
        corrupt[whole.count / 2] ^= 0xFF
        let damaged = directory.appending("damaged.gz")
        try corrupt.write(to: URL(fileURLWithPath: damaged))
        let failure = #expect(throws: IngestError.self) { try run.run(.binanceStream, [damaged], instruments: Self.perpetual) }
        #expect("\(failure.map { "\($0)" } ?? "")".hasPrefix("\(damaged)"))
    }

    @Test("bad CSV rows name their column", arguments: [
        (ImportFormat.binanceTrades, "1,61800.3,0.006,370.8018,1723161256322\n", "5 columns, expected 6 to 7"),
        (.binanceTrades, "1,61800.3,0.006,370.8018,1723161256322,maybe\n", "column 6 (is_buyer_maker) 'maybe' is not true or false"),
        (.binanceTrades, "1,61800.3,0.0065,370.8018,1723161256322,true\n", "column 3 (qty) '0.0065': more than 3 decimal places"),
        (.binanceTrades, "1,inf,0.006,0,1723161256322,true\n", "column 2 (price) 'inf': not a finite number"),
        (.binanceTrades, "x1,61800.3,0.006,0,1723161256322,true\n", "column 1 (id) 'x1' is not an integer"),
        (.binanceFunding, "1577836800000,8,0.0001\n1577836800000,eight,0.0001\n", "column 2 (funding_interval_hours) 'eight' is not an integer"),
        (.binanceKlines, "1637971200000,1,2,0.5,1,10,1637971198999,1,1,1,1,0\n", "the close time is not after the open time"),
    ])
    func badCSVRows(format: ImportFormat, rows: String, reason: String) throws {
        let directory = TemporaryDirectory("bad")
        let header = format == .binanceFunding ? "calc_time,funding_interval_hours,last_funding_rate\n" : ""
        let file = try write(header + rows, named: "rows.csv", in: directory)
        let run = try ImportRun(directory)
        let line = header.isEmpty ? rows.split(separator: "\n").count : rows.split(separator: "\n").count + 1
        try expectRefused(run, "\(file):\(line): \(reason)") {
            try run.run(format, [file], instruments: [format == .binanceKlines ? "ADABTC.BINANCE" : "BTCUSDT-PERP.BINANCE"])
        }
    }

    @Test("mapped CSV refuses incomplete or unknown mappings before reading")
    func mappings() throws {
        let run = try ImportRun()
        let file = Paths.fixture("tardis-binance-futures-trades.csv")
        try expectRefused(run, "--map must name the size column (needs time, price, size; may add side, buyer_maker, id, recv_time)") {
            try run.run(.tradesCSV, [file], instruments: Self.perpetual) { $0.mapping = ["time": "timestamp", "price": "price"] }
        }
        try expectRefused(run, "\(file):1: --map size=qty: no such column in the header (exchange,symbol,timestamp,local_timestamp,id,side,price,amount)") {
            try run.run(.tradesCSV, [file], instruments: Self.perpetual) { $0.mapping = ["time": "timestamp", "price": "price", "size": "qty"] }
        }
        try expectRefused(run, "bars-csv needs --interval (e.g. 1m, 1h, 1d)") {
            try run.run(.barsCSV, [Paths.fixture("cme-6eh4-1m.csv")], instruments: ["6EH4.XCME"]) { $0.mapping = ["time": "1", "open": "2", "high": "3", "low": "4", "close": "5"] }
        }
        try expectRefused(run, "binance-stream needs --instrument SYMBOL.VENUE (for example BTCUSDT-PERP.BINANCE); the catalogue lists the known ones") {
            try run.run(.binanceStream, [Paths.fixture("binance-spot-btcusdt-20240808.gz")])
        }
        try expectRefused(run, "unknown instrument NOPE.NOWHERE: it is neither in the journal nor in the catalogue \(Paths.catalogue)") {
            try run.run(.binanceTrades, [file], instruments: ["NOPE.NOWHERE"])
        }
    }

    @Test("bad rows of the whole-file and daily formats name their line")
    func otherFormats() throws {
        let directory = TemporaryDirectory("bad")
        let run = try ImportRun(directory)
        let days = try write("20180201T,30,30,30,30,0\n20180230T,15,15,15,15,0\n", named: "fng.csv", in: directory)
        try expectRefused(run, "\(days):2: column 1 (date): '20180230T' is not a date-time (expected e.g. 2024-08-08T23:54:16.322Z)") {
            try run.run(.fearGreed, [days])
        }
        var document = try String(contentsOfFile: Paths.fixture("whale-transfers.json"), encoding: .utf8)
        document = document.replacingOccurrences(of: "ead80b837c8e742f1b4878de9d1eb8f205e6df62e01ca9bd05e83486c595c0b2", with: "not-a-hash")
        let whales = try write(document, named: "whales.json", in: directory)
        try expectRefused(run, "\(whales):3: txid 'not-a-hash' is not 64 hexadecimal digits") {
            try run.run(.whaleTransfers, [whales])
        }
    }

    @Test("--skip-bad logs every rejected row with its reason and imports the rest")
    func skipBad() throws {
        let directory = TemporaryDirectory("skip")
        var rows = try lines(Paths.fixture("binance-usdm-trades.csv"))
        rows[5] = "5266583940,61800.3,-1,0,1723161256400,true"
        rows[9] = "garbage"
        rows[12] = "5266583947,61800.3,0.001,0,1723161256400"
        let file = try write(rows.joined(separator: "\n") + "\n", named: "trades.csv", in: directory)
        let log = directory.appending("rejects.jsonl")
        let run = try ImportRun(directory)
        let summary = try run.run(.binanceTrades, [file], instruments: Self.perpetual) { $0.rejectLogPath = log }
        #expect(summary.record.files[0].rejectedCount == 3)
        #expect(summary.eventCount == UInt64(rows.count - 1 - 3))
        let logged = try lines(log).map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(logged.map { $0["line"] as! Int } == [6, 10, 13])
        #expect(logged.allSatisfy { ($0["file"] as! String) == file })
        #expect(logged.map { $0["reason"] as! String } == [
            "column 3 (qty) '-1': negative where only zero or more is allowed", "1 columns, expected 6 to 7", "5 columns, expected 6 to 7",
        ])
        #expect(logged.map { $0["row"] as! String } == [rows[5], rows[9], rows[12]])
        #expect(try run.journal.verify().isClean)
    }

    @Test("the same content is refused a second time, even under another name; --force lets the journal's order rule decide")
    func repeats() throws {
        let directory = TemporaryDirectory("repeat")
        let run = try ImportRun(directory)
        let first = "\(Paths.sample)/btcusdt_20230404.dat.gz"
        let summary = try run.run(.binanceStream, [first], instruments: Self.perpetual)
        let copy = directory.appending("renamed.gz")
        try FileManager.default.copyItem(atPath: first, toPath: copy)
        let hash = summary.record.files[0].contentHash.description
        try expectRefused(run, "\(copy): the same content (sha256 \(hash)) was already imported as sequences 1…\(summary.eventCount) on 1970-01-01T00:00:00.000000001Z; pass --force to import it again") {
            try run.run(.binanceStream, [copy], instruments: Self.perpetual)
        }
        let end = try run.journal.head().lastReceiveTime!.iso8601
        try expectRefused(run, "\(copy): receive time 2023-04-04T23:58:20.423575000Z is before the journal's end \(end); a journal only grows forward in time: import this data into a new journal and combine the two with tape merge") {
            try run.run(.binanceStream, [copy], instruments: Self.perpetual) { $0.force = true }
        }
        let later = try run.run(.binanceStream, ["\(Paths.sample)/btcusdt_20230405-0000-0002.dat.gz"], instruments: Self.perpetual)
        #expect(later.record.firstSequence == summary.eventCount + 1)
        let history = try run.journal.read { try $0.importHistory() }
        #expect(history.map(\.files.first!.path) == [first, "\(Paths.sample)/btcusdt_20230405-0000-0002.dat.gz"])
    }

    @Test("several files are merged by receive time, each keeping its own order")
    func merge() throws {
        let run = try ImportRun()
        let spot = Paths.fixture("binance-spot-btcusdt-20240808.gz")
        let coin = Paths.fixture("binance-coinm-btcusd-perp-20240808.gz")
        let summary = try run.run(.binanceStream, [spot, coin], instruments: ["BTCUSDT.BINANCE", "BTCUSD-PERP.BINANCE"])
        let events = try run.events().map(\.1)
        #expect(UInt64(events.count) == summary.eventCount)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.receiveTime <= $1.receiveTime })
        let separately = try [spot, coin].map { file -> [Event] in
            let alone = try ImportRun()
            try alone.run(.binanceStream, [file], instruments: [file == spot ? "BTCUSDT.BINANCE" : "BTCUSD-PERP.BINANCE"])
            return try alone.events().map(\.1)
        }
        let table = try run.journal.instruments()
        for (index, name) in ["BTCUSDT.BINANCE", "BTCUSD-PERP.BINANCE"].enumerated() {
            let id = table.id(named: name)!
            let merged = events.filter { $0.instrument == id }.map { Observed($0, table[id]) }
            let alone = separately[index].map { Observed($0, table[id]) }
            #expect(merged == alone, "\(name)")
        }
    }

    @Test("a depth snapshot before any message naming the file's symbol is kept until one does")
    func pendingSnapshot() throws {
        let directory = TemporaryDirectory("pending")
        var text = try lines(Paths.fixture("binance-spot-btcusdt-20240808.gz")).prefix(30).map { $0 }
        let snapshot = text.remove(at: 7)
        let stamp = Int64(text[0].split(separator: " ")[0])! - 1
        text.insert("\(stamp) " + snapshot.split(separator: " ", maxSplits: 1)[1], at: 0)
        let file = try write(text.joined(separator: "\n") + "\n", named: "snapshot-first.txt", in: directory)
        let run = try ImportRun(directory)
        try run.run(.binanceStream, [file, Paths.fixture("binance-coinm-btcusd-perp-20240808.gz")], instruments: ["BTCUSDT.BINANCE", "BTCUSD-PERP.BINANCE"])
        let events = try run.events().map(\.1)
        let spot = try run.journal.instruments().id(named: "BTCUSDT.BINANCE")!
        let first = events.first { $0.instrument == spot }!
        #expect(first.type == .bookSnapshot)
        #expect(first.receiveTime == epoch(stamp))
    }

    @Test("a bad row after many sealed blocks still leaves the journal exactly as it was")
    func lateFailure() throws {
        let directory = TemporaryDirectory("late")
        let run = try ImportRun(directory)
        try run.run(.binanceStream, ["\(Paths.sample)/btcusdt_20230404.dat.gz"], instruments: Self.perpetual)
        var text = try lines("\(Paths.sample)/btcusdt_20230405-0000-0002.dat.gz")
        text.append("\(text.last!.split(separator: " ")[0]) not json")
        let file = try write(text.joined(separator: "\n") + "\n", named: "late.txt", in: directory)
        try expectRefused(run, "\(file):\(text.count): JSON: expected '{' at byte 1") {
            try run.run(.binanceStream, [file], instruments: Self.perpetual)
        }
    }

    @Test("catalogue mistakes are reported with file and line", arguments: [
        ("version: 1\ninstruments:\n  - {symbol: A, venue: V, venue_symbol: A, kind: spot, base: A, quote: B, settlement: B, price_decimals: 2, size_decimals: 2, price_increment: 0.001, size_increment: 1, multiplier: 1}\n",
         "3: price_increment '0.001': more than 2 decimal places"),
        ("version: 1\ninstruments:\n  - {symbol: A, venue: V, venue_symbol: A, kind: perpetual, base: A, quote: B, settlement: B, price_decimals: 2, size_decimals: 2, price_increment: 1, size_increment: 1, multiplier: 1}\n",
         "3: kind 'perpetual' is not one of spot, linear_perpetual, inverse_perpetual, future, equity, fx, index, chain"),
        ("version: 1\ninstruments:\n  - symbol: A\n    colour: blue\n", "4: unknown key 'colour' in an instrument (known: base, kind, multiplier, price_decimals, price_increment, quote, settlement, size_decimals, size_increment, symbol, venue, venue_symbol)"),
        ("version: 2\ninstruments: []\n", "1: version must be 1"),
    ])
    func catalogueErrors(yaml: String, reason: String) throws {
        let directory = TemporaryDirectory("catalogue")
        let path = try write(yaml, named: "instruments.yaml", in: directory)
        #expect(throws: IngestError.catalogue(file: path, line: Int(reason.split(separator: ":")[0])!, reason: String(reason.split(separator: ":", maxSplits: 1)[1].dropFirst()))) {
            try InstrumentCatalogue(path: path)
        }
    }
}
