import TapeCore
import Events

/// `fear-greed`: the Crypto Fear & Greed Index (alternative.me) as daily rows, either the
/// TradingView "Pine seeds" layout `YYYYMMDDT,open,high,low,close,volume` (the index is the
/// close) or `date,value[,classification]`; header optional. A reading is known from the
/// start of its day (alternative.me publishes each day's value at 00:00 UTC), so that instant
/// is both its event and its receive time.
struct FearGreedParser: LineParser {
    let instrument: InstrumentResolver.Entry
    private var row = CSVRow()
    private var isFirstLine = true

    init(instrument: InstrumentResolver.Entry) {
        self.instrument = instrument
    }

    mutating func parse(_ line: UnsafeRawBufferPointer, into events: inout [Event]) throws(RowProblem) {
        try row.fields.split(line)
        if isFirstLine {
            isFirstLine = false
            if row.looksLikeHeader { return }
        }
        guard [2, 3, 6].contains(row.fields.count) else {
            throw RowProblem("\(row.fields.count) columns, expected 6 (date,open,high,low,close,volume) or 2–3 (date,value[,classification])")
        }
        row.names = row.fields.count == 6 ? ["date", "open", "high", "low", "close", "volume"] : ["date", "value", "classification"]
        let time = try row.time(0, unit: .seconds)
        let value = try row.decimal(row.fields.count == 6 ? 4 : 1, scale: instrument.priceScale, as: Int64.self)
        events.append(Event(eventTime: time, receiveTime: time, instrument: instrument.id, body: .sentiment(SentimentReading(value: value))))
    }
}
