import Foundation
import Testing
import TapeCore
import Events
import Journal
import Ingest
import TestSupport

/// A flat description of an event's values as exact decimal text, built from our events on one
/// side and from the source text (read by Foundation, independently of Tape's parsers) on the
/// other.
struct Observed: Equatable, CustomStringConvertible {
    var type: String
    var eventTime: Int64
    var receiveTime: Int64
    var fields: [String: String]

    var description: String { "\(type) @\(eventTime)/\(receiveTime) \(fields.sorted { $0.key < $1.key })" }

    init(type: String, eventTime: Int64, receiveTime: Int64, fields: [String: String]) {
        self.type = type
        self.eventTime = eventTime
        self.receiveTime = receiveTime
        self.fields = fields
    }

    init(_ event: Event, _ instrument: Instrument) {
        func levels(_ list: ArraySlice<BookLevel>) -> String {
            list.map { "\(text($0.price, instrument))/\(text($0.size, instrument))" }.joined(separator: " ")
        }
        var fields: [String: String] = [:]
        switch event.body {
        case .trade(let trade):
            fields = ["price": text(trade.price, instrument), "size": text(trade.size, instrument), "aggressor": trade.aggressor.label, "id": "\(trade.tradeID)"]
        case .quote(let quote):
            fields = ["bid": text(quote.bidPrice, instrument), "bid_size": text(quote.bidSize, instrument),
                      "ask": text(quote.askPrice, instrument), "ask_size": text(quote.askSize, instrument), "update": "\(quote.updateID)"]
        case .bookDelta(let delta):
            fields = ["bids": levels(delta.bids), "asks": levels(delta.asks), "U": "\(delta.firstUpdateID)", "u": "\(delta.lastUpdateID)", "pu": "\(delta.previousUpdateID)"]
        case .bookSnapshot(let snapshot):
            fields = ["bids": levels(snapshot.bids), "asks": levels(snapshot.asks), "update": "\(snapshot.lastUpdateID)"]
        case .markPrice(let mark):
            fields = ["mark": text(mark.mark, instrument), "index": mark.index.map { text($0, instrument) } ?? "-", "settle": mark.estimatedSettle.map { text($0, instrument) } ?? "-"]
        case .fundingRate(let funding):
            fields = ["rate": funding.rate.text, "funding_time": "\(funding.fundingTime.nanosSinceEpoch)", "interval": "\(funding.intervalNanos)"]
        case .bar(let bar):
            fields = ["open": text(bar.open, instrument), "high": text(bar.high, instrument), "low": text(bar.low, instrument), "close": text(bar.close, instrument),
                      "volume": text(bar.volume, instrument), "quote_volume": FixedPoint.format(bar.quoteVolume.units, scale: instrument.priceScale),
                      "trades": "\(bar.tradeCount)", "interval": "\(bar.intervalNanos)"]
        case .sentiment(let reading):
            fields = ["value": FixedPoint.format(reading.value, scale: instrument.priceScale)]
        case .onChainTransfer(let transfer):
            fields = ["txid": transfer.transactionID.description, "amount": text(transfer.amount, instrument), "fee": text(transfer.fee, instrument),
                      "flow": transfer.flow.label, "inputs": "\(transfer.inputCount)", "outputs": "\(transfer.outputCount)"]
        default:
            fields = ["unexpected": event.type.label]
        }
        self.init(type: event.type.label, eventTime: event.eventTime.nanosSinceEpoch, receiveTime: event.receiveTime.nanosSinceEpoch, fields: fields)
    }
}

/// The events a Binance websocket line says, read with JSONSerialization.
func binanceStreamExpectations(_ line: String, symbolOfFile: inout String?) throws -> [Observed] {
    let space = line.firstIndex(of: " ")!
    let stamp = Int64(line[..<space])!
    let receive = epoch(stamp).nanosSinceEpoch
    let message = try JSONSerialization.jsonObject(with: Data(line[line.index(after: space)...].utf8)) as! [String: Any]
    func int(_ value: Any?) -> Int64 { (value as! NSNumber).int64Value }
    func ms(_ value: Any?) -> Int64 { epoch(int(value)).nanosSinceEpoch }
    func levels(_ value: Any?) -> String {
        (value as! [[String]]).map { "\(canonical($0[0]))/\(canonical($0[1]))" }.joined(separator: " ")
    }
    guard let stream = message["stream"] as? String, let data = message["data"] as? [String: Any] else {
        let time = message["T"].map(ms) ?? message["E"].map(ms) ?? receive
        return [Observed(type: "book_snapshot", eventTime: time, receiveTime: receive,
                         fields: ["bids": levels(message["bids"]), "asks": levels(message["asks"]), "update": "\(int(message["lastUpdateId"]))"])]
    }
    symbolOfFile = String(stream.split(separator: "@")[0])
    let kind = stream.split(separator: "@")[1]
    let time = data["T"].map(ms) ?? data["E"].map(ms) ?? receive
    switch kind {
    case "trade":
        return [Observed(type: "trade", eventTime: time, receiveTime: receive, fields: [
            "price": canonical(data["p"] as! String), "size": canonical(data["q"] as! String),
            "aggressor": (data["m"] as! Bool) ? "sell" : "buy", "id": "\(int(data["t"]))"])]
    case "bookTicker":
        return [Observed(type: "quote", eventTime: time, receiveTime: receive, fields: [
            "bid": canonical(data["b"] as! String), "bid_size": canonical(data["B"] as! String),
            "ask": canonical(data["a"] as! String), "ask_size": canonical(data["A"] as! String), "update": "\(int(data["u"]))"])]
    case let depth where depth.hasPrefix("depth"):
        return [Observed(type: "book_delta", eventTime: time, receiveTime: receive, fields: [
            "bids": levels(data["b"]), "asks": levels(data["a"]), "U": "\(int(data["U"]))", "u": "\(int(data["u"]))", "pu": "\(data["pu"].map(int) ?? 0)"])]
    case let mark where mark.hasPrefix("markPrice"):
        let eventTime = ms(data["E"])
        return [
            Observed(type: "mark_price", eventTime: eventTime, receiveTime: receive, fields: [
                "mark": canonical(data["p"] as! String), "index": canonical(data["i"] as! String), "settle": canonical(data["P"] as! String)]),
            Observed(type: "funding_rate", eventTime: eventTime, receiveTime: receive, fields: [
                "rate": canonical(data["r"] as! String), "funding_time": "\(ms(data["T"]))", "interval": "0"]),
        ]
    default:
        Issue.record("unexpected stream \(stream)")
        return []
    }
}

@Suite("Import formats on real data")
struct FormatTests {
    @Test("binance-stream: every message of real USD-M, spot and COIN-M captures reads back exactly", arguments: [
        (["\(Paths.sample)/btcusdt_20230404.dat.gz", "\(Paths.sample)/btcusdt_20230405-0000-0002.dat.gz"], "BTCUSDT-PERP.BINANCE"),
        ([Paths.fixture("binance-spot-btcusdt-20240808.gz")], "BTCUSDT.BINANCE"),
        ([Paths.fixture("binance-coinm-btcusd-perp-20240808.gz")], "BTCUSD-PERP.BINANCE"),
    ])
    func binanceStream(files: [String], instrumentName: String) throws {
        let run = try ImportRun()
        let summary = try run.run(.binanceStream, files, instruments: [instrumentName])
        let instrument = try run.journal.instruments().instruments[0]
        #expect(instrument.name == instrumentName)
        var symbol: String?
        var expected: [Observed] = []
        for file in files {
            for line in try lines(file) { expected += try binanceStreamExpectations(line, symbolOfFile: &symbol) }
        }
        let observed = try run.events().map { Observed($0.1, instrument) }
        #expect(observed.count == expected.count)
        for (ours, theirs) in zip(observed, expected) where ours != theirs {
            Issue.record("read back \(ours), the source says \(theirs)")
            break
        }
        #expect(summary.eventCount == UInt64(expected.count))
        #expect(summary.record.files.map(\.rowCount).reduce(0, +) == UInt64(try files.map { try lines($0).count }.reduce(0, +)))
        #expect(try run.journal.verify().isClean)
    }

    @Test("binance-trades: USD-M rows with a header and spot rows without one (µs times) read back exactly", arguments: [
        ("binance-usdm-trades.csv", "BTCUSDT-PERP.BINANCE"), ("binance-spot-trades.csv", "BTCUSDT.BINANCE"),
    ])
    func binanceTrades(fixture: String, instrumentName: String) throws {
        let run = try ImportRun()
        try run.run(.binanceTrades, [Paths.fixture(fixture)], instruments: [instrumentName])
        let instrument = try run.journal.instruments().instruments[0]
        let rows = try lines(Paths.fixture(fixture)).filter { $0.first?.isNumber == true }.map { $0.split(separator: ",").map(String.init) }
        let expected = rows.map { row in
            Observed(type: "trade", eventTime: epoch(Int64(row[4])!).nanosSinceEpoch, receiveTime: epoch(Int64(row[4])!).nanosSinceEpoch, fields: [
                "price": canonical(row[1]), "size": canonical(row[2]), "aggressor": row[5].lowercased() == "true" ? "sell" : "buy", "id": row[0]])
        }
        #expect(try run.events().map { Observed($0.1, instrument) } == expected)
    }

    @Test("binance-aggtrades: aggregate trades read back with the aggregate id")
    func binanceAggregateTrades() throws {
        let run = try ImportRun()
        try run.run(.binanceAggregateTrades, [Paths.fixture("binance-usdm-aggtrades.csv")], instruments: ["BTCUSDT-PERP.BINANCE"])
        let instrument = try run.journal.instruments().instruments[0]
        let expected = try lines(Paths.fixture("binance-usdm-aggtrades.csv")).dropFirst().map { line in
            let row = line.split(separator: ",").map(String.init)
            let time = epoch(Int64(row[5])!).nanosSinceEpoch
            return Observed(type: "trade", eventTime: time, receiveTime: time, fields: [
                "price": canonical(row[1]), "size": canonical(row[2]), "aggressor": row[6] == "true" ? "sell" : "buy", "id": row[0]])
        }
        #expect(try run.events().map { Observed($0.1, instrument) } == expected)
    }

    @Test("binance-klines: a real kline dump reads back as closed bars stamped at their close")
    func binanceKlines() throws {
        let run = try ImportRun()
        try run.run(.binanceKlines, [Paths.fixture("binance-klines-adabtc-1m.csv")], instruments: ["ADABTC.BINANCE"])
        let instrument = try run.journal.instruments().instruments[0]
        let expected = try lines(Paths.fixture("binance-klines-adabtc-1m.csv")).map { line in
            let row = line.split(separator: ",").map(String.init)
            let close = epoch(Int64(row[0])! + 60_000).nanosSinceEpoch
            return Observed(type: "bar", eventTime: close, receiveTime: close, fields: [
                "open": canonical(row[1]), "high": canonical(row[2]), "low": canonical(row[3]), "close": canonical(row[4]),
                "volume": canonical(row[5]), "quote_volume": canonical(row[7]), "trades": row[8], "interval": "60000000000"])
        }
        #expect(try run.events().map { Observed($0.1, instrument) } == expected)
    }

    @Test("binance-bookticker: top-of-book rows read back exactly")
    func binanceBookTicker() throws {
        let run = try ImportRun()
        try run.run(.binanceBookTicker, [Paths.fixture("binance-usdm-bookticker.csv")], instruments: ["BTCUSDT-PERP.BINANCE"])
        let instrument = try run.journal.instruments().instruments[0]
        let expected = try lines(Paths.fixture("binance-usdm-bookticker.csv")).dropFirst().map { line in
            let row = line.split(separator: ",").map(String.init)
            let time = epoch(Int64(row[5])!).nanosSinceEpoch
            return Observed(type: "quote", eventTime: time, receiveTime: time, fields: [
                "bid": canonical(row[1]), "bid_size": canonical(row[2]), "ask": canonical(row[3]), "ask_size": canonical(row[4]), "update": row[0]])
        }
        #expect(try run.events().map { Observed($0.1, instrument) } == expected)
    }

    @Test("binance-funding: settled funding rates read back with their interval")
    func binanceFunding() throws {
        let run = try ImportRun()
        try run.run(.binanceFunding, [Paths.fixture("binance-usdm-funding.csv")], instruments: ["BTCUSDT-PERP.BINANCE"])
        let instrument = try run.journal.instruments().instruments[0]
        let expected = try lines(Paths.fixture("binance-usdm-funding.csv")).dropFirst().map { line in
            let row = line.split(separator: ",").map(String.init)
            let time = epoch(Int64(row[0])!).nanosSinceEpoch
            return Observed(type: "funding_rate", eventTime: time, receiveTime: time, fields: [
                "rate": canonical(row[2]), "funding_time": "\(time)", "interval": "\(Int64(row[1])! * 3_600_000_000_000)"])
        }
        #expect(try run.events().map { Observed($0.1, instrument) } == expected)
    }

    @Test("trades-csv: a Tardis trades file through a column mapping, with exchange and local times")
    func tradesCSV() throws {
        let run = try ImportRun()
        try run.run(.tradesCSV, [Paths.fixture("tardis-binance-futures-trades.csv")], instruments: ["BTCUSDT-PERP.BINANCE"]) { request in
            request.mapping = ["time": "timestamp", "recv_time": "local_timestamp", "id": "id", "side": "side", "price": "price", "size": "amount"]
        }
        let instrument = try run.journal.instruments().instruments[0]
        let expected = try lines(Paths.fixture("tardis-binance-futures-trades.csv")).dropFirst().map { line in
            let row = line.split(separator: ",").map(String.init)
            return Observed(type: "trade", eventTime: epoch(Int64(row[2])!).nanosSinceEpoch, receiveTime: epoch(Int64(row[3])!).nanosSinceEpoch, fields: [
                "price": canonical(row[6]), "size": canonical(row[7]), "aggressor": row[5], "id": row[4]])
        }
        #expect(try run.events().map { Observed($0.1, instrument) } == expected)
    }

    @Test("bars-csv: CME 1-minute bars with text times, through a column mapping")
    func barsCSV() throws {
        let run = try ImportRun()
        try run.run(.barsCSV, [Paths.fixture("cme-6eh4-1m.csv")], instruments: ["6EH4.XCME"]) { request in
            request.mapping = ["time": "timestamp_utc", "open": "open", "high": "high", "low": "low", "close": "close", "volume": "volume"]
            request.barIntervalNanos = 60_000_000_000
        }
        let instrument = try run.journal.instruments().instruments[0]
        let expected = try lines(Paths.fixture("cme-6eh4-1m.csv")).dropFirst().map { line in
            let row = line.split(separator: ",").map(String.init)
            let close = try Timestamp(parsing: row[0]).nanosSinceEpoch + 60_000_000_000
            return Observed(type: "bar", eventTime: close, receiveTime: close, fields: [
                "open": canonical(row[1]), "high": canonical(row[2]), "low": canonical(row[3]), "close": canonical(row[4]),
                "volume": canonical(row[5]), "quote_volume": "0", "trades": "0", "interval": "60000000000"])
        }
        #expect(try run.events().map { Observed($0.1, instrument) } == expected)
    }

    @Test("fear-greed: the daily index history reads back, each value known from the start of its day")
    func fearGreed() throws {
        let run = try ImportRun()
        try run.run(.fearGreed, [Paths.fixture("fear-greed.csv")])
        let instrument = try run.journal.instruments().instruments[0]
        #expect(instrument.name == "FEAR_GREED.ALTERNATIVE_ME")
        let expected = try lines(Paths.fixture("fear-greed.csv")).map { line in
            let row = line.split(separator: ",").map(String.init)
            let day = try Timestamp(parsing: String(row[0].dropLast())).nanosSinceEpoch
            return Observed(type: "sentiment", eventTime: day, receiveTime: day, fields: ["value": canonical(row[4])])
        }
        #expect(expected.count == 2_583)
        #expect(try run.events().map { Observed($0.1, instrument) } == expected)
    }

    @Test("whale-transfers: on-chain transfers read back in time order with exact amounts")
    func whaleTransfers() throws {
        let run = try ImportRun()
        try run.run(.whaleTransfers, [Paths.fixture("whale-transfers.json")])
        let instrument = try run.journal.instruments().instruments[0]
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Paths.fixture("whale-transfers.json")))) as! [String: Any]
        let transfers = (document["whale_transactions"] as! [[String: Any]]).reversed()
        let expected = try transfers.map { transfer in
            let time = try Timestamp(parsing: transfer["timestamp"] as! String).nanosSinceEpoch
            return Observed(type: "onchain_transfer", eventTime: time, receiveTime: time, fields: [
                "txid": transfer["txid"] as! String, "amount": canonical("\(transfer["value_btc"] as! Double)"),
                "fee": canonical("\(transfer["fee_btc"] as! Double)"), "flow": transfer["classification"] as! String,
                "inputs": "\((transfer["vin_addresses"] as! [Any]).count)", "outputs": "\((transfer["vout_addresses"] as! [Any]).count)"])
        }.enumerated().sorted { ($0.element.receiveTime, $0.offset) < ($1.element.receiveTime, $1.offset) }.map(\.element)
        let observed = try run.events().map { Observed($0.1, instrument) }
        #expect(observed == expected)
        for (ours, theirs) in zip(observed, expected) where ours != theirs {
            Issue.record("read back \(ours), the source says \(theirs)")
            break
        }
    }
}
