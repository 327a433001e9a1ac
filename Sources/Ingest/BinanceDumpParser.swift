import TapeCore
import Events

/// The CSV files of Binance's public data dumps (data.binance.vision), spot and USD-M futures,
/// with or without the header line. Times are milliseconds (microseconds in spot files from
/// 2025), told apart by magnitude. These files carry no receive time: it is the event time.
struct BinanceDumpParser: LineParser {
    enum Kind: Sendable {
        /// `id,price,qty,quote_qty,time,is_buyer_maker` (futures) or spot's 7 columns with
        /// `isBestMatch`.
        case trades
        /// `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker`
        /// (futures) or spot's 8 columns.
        case aggregateTrades
        /// `open_time,open,high,low,close,volume,close_time,quote_volume,count,
        /// taker_buy_volume,taker_buy_quote_volume,ignore`.
        case klines
        /// `update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time`.
        case bookTicker
        /// `calc_time,funding_interval_hours,last_funding_rate`.
        case funding

        var columns: [String] {
            switch self {
            case .trades: ["id", "price", "qty", "quote_qty", "time", "is_buyer_maker", "is_best_match"]
            case .aggregateTrades: ["agg_trade_id", "price", "quantity", "first_trade_id", "last_trade_id", "transact_time", "is_buyer_maker", "is_best_match"]
            case .klines: ["open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume", "count", "taker_buy_volume", "taker_buy_quote_volume", "ignore"]
            case .bookTicker: ["update_id", "best_bid_price", "best_bid_qty", "best_ask_price", "best_ask_qty", "transaction_time", "event_time"]
            case .funding: ["calc_time", "funding_interval_hours", "last_funding_rate"]
            }
        }

        /// The names the first column has in the dumps' header lines (USD-M, spot).
        var firstColumnNames: [String] {
            switch self {
            case .trades: ["id", "trade_id"]
            case .aggregateTrades: ["agg_trade_id", "aggid", "a"]
            case .klines: ["open_time", "opentime"]
            case .bookTicker: ["update_id"]
            case .funding: ["calc_time"]
            }
        }

        /// The fewest and most columns a row may have (spot files add `isBestMatch`).
        var columnCounts: ClosedRange<Int> {
            switch self {
            case .trades: 6...7
            case .aggregateTrades: 7...8
            case .klines: 12...12
            case .bookTicker: 7...7
            case .funding: 3...3
            }
        }
    }

    let kind: Kind
    let instrument: InstrumentResolver.Entry
    private let columnCounts: ClosedRange<Int>
    private var row = CSVRow()
    private var isFirstLine = true

    init(kind: Kind, instrument: InstrumentResolver.Entry) {
        self.kind = kind
        self.instrument = instrument
        columnCounts = kind.columnCounts
        row.names = kind.columns
    }

    mutating func parse(_ line: UnsafeRawBufferPointer, into events: inout [Event]) throws(RowProblem) {
        try row.fields.split(line)
        if isFirstLine {
            isFirstLine = false
            // The dumps' header lines start with the name of the first column; anything else is data.
            if kind.firstColumnNames.contains(row.fields.string(0).lowercased()) { return }
        }
        try row.require(count: columnCounts)
        let event: Event
        switch kind {
        case .trades, .aggregateTrades:
            let timeColumn = kind == .trades ? 4 : 5
            let makerColumn = kind == .trades ? 5 : 6
            let time = try row.time(timeColumn)
            let trade = Trade(
                price: try row.price(1, instrument), size: try row.size(2, instrument),
                aggressor: try row.bool(makerColumn) ? .sell : .buy, tradeID: UInt64(bitPattern: try row.integer(0)))
            event = Event(eventTime: time, receiveTime: time, instrument: instrument.id, body: .trade(trade))
        case .klines:
            let open = try row.time(0)
            let closeStamp = try row.integer(6)
            let unit = EpochUnit.guess(closeStamp)
            // The close time is the bar's last instant (open + interval − 1 unit).
            guard let close = Timestamp(epoch: closeStamp, unit: unit) else { throw RowProblem("\(row.name(6)) is out of range") }
            let end = Timestamp(nanosSinceEpoch: close.nanosSinceEpoch + unit.nanos)
            guard end > open else { throw RowProblem("the close time is not after the open time") }
            let bar = Bar(
                intervalNanos: end.nanosSinceEpoch - open.nanosSinceEpoch,
                open: try row.price(1, instrument), high: try row.price(2, instrument), low: try row.price(3, instrument), close: try row.price(4, instrument),
                volume: try row.size(5, instrument), quoteVolume: try row.money(7, scale: instrument.priceScale),
                tradeCount: UInt64(max(0, try row.integer(8))), takerBuyVolume: try row.size(9, instrument),
                takerBuyQuoteVolume: try row.money(10, scale: instrument.priceScale))
            event = Event(eventTime: end, receiveTime: end, instrument: instrument.id, body: .bar(bar))
        case .bookTicker:
            let time = try row.time(5)
            let quote = Quote(
                bidPrice: try row.price(1, instrument), bidSize: try row.size(2, instrument),
                askPrice: try row.price(3, instrument), askSize: try row.size(4, instrument),
                updateID: UInt64(bitPattern: try row.integer(0)))
            event = Event(eventTime: time, receiveTime: time, instrument: instrument.id, body: .quote(quote))
        case .funding:
            let time = try row.time(0)
            let hours = try row.integer(1)
            guard hours >= 0 && hours <= 24 * 365 else { throw RowProblem("\(row.name(1)) '\(hours)' is not a number of hours") }
            let rate = Rate(units: try row.decimal(2, scale: Rate.scale))
            event = Event(eventTime: time, receiveTime: time, instrument: instrument.id,
                          body: .fundingRate(FundingRate(rate: rate, fundingTime: time, intervalNanos: hours * 3_600_000_000_000)))
        }
        events.append(event)
    }
}
