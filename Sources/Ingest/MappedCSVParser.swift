import TapeCore
import Events

/// `trades-csv` and `bars-csv`: CSV files of any layout, read through a column mapping
/// (`--map time=timestamp,price=price,…`, by header name or 1-based index).
struct MappedCSVParser: LineParser {
    enum Kind: Sendable {
        case trades
        case bars(intervalNanos: Int64, timeIsClose: Bool)
    }

    /// The fields each kind reads, required ones first.
    static func fields(for kind: Kind) -> (required: [String], optional: [String]) {
        switch kind {
        case .trades: (["time", "price", "size"], ["side", "buyer_maker", "id", "recv_time"])
        case .bars: (["time", "open", "high", "low", "close"], ["volume", "quote_volume", "trades"])
        }
    }

    let kind: Kind
    let instrument: InstrumentResolver.Entry
    let mapping: [String: String]
    let header: HeaderPolicy
    let timeUnit: EpochUnit?
    private var columns: [String: Int] = [:]
    private var row = CSVRow()
    private var isFirstLine = true

    init(kind: Kind, instrument: InstrumentResolver.Entry, mapping: [String: String], header: HeaderPolicy, timeUnit: EpochUnit?) throws(IngestError) {
        self.kind = kind
        self.instrument = instrument
        self.mapping = mapping
        self.header = header
        self.timeUnit = timeUnit
        let (required, optional) = Self.fields(for: kind)
        for field in required where mapping[field] == nil {
            throw .invalidOptions("--map must name the \(field) column (needs \(required.joined(separator: ", ")); may add \(optional.joined(separator: ", ")))")
        }
        for field in mapping.keys where !required.contains(field) && !optional.contains(field) {
            throw .invalidOptions("--map: unknown field '\(field)' (known: \((required + optional).joined(separator: ", ")))")
        }
        if header == .absent {
            try resolve(names: [])
        }
    }

    /// Resolves every mapped column to an index, by number or by header name.
    private mutating func resolve(names: [String]) throws(IngestError) {
        for (field, column) in mapping {
            if let number = Int(column) {
                guard number >= 1 else { throw .invalidOptions("--map \(field)=\(column): columns count from 1") }
                columns[field] = number - 1
            } else if let index = names.firstIndex(of: column) {
                columns[field] = index
            } else {
                throw .invalidOptions("--map \(field)=\(column): no such column\(names.isEmpty ? " (the file has no header; use column numbers)" : " in the header (\(names.joined(separator: ",")))")")
            }
        }
        var labels = names
        for (field, index) in columns {
            while labels.count <= index { labels.append("") }
            if labels[index].isEmpty { labels[index] = field }
        }
        row.names = labels
    }

    mutating func parse(_ line: UnsafeRawBufferPointer, into events: inout [Event]) throws(RowProblem) {
        try row.fields.split(line)
        if isFirstLine {
            isFirstLine = false
            if header == .present || (header == .automatic && row.looksLikeHeader) {
                do {
                    try resolve(names: (0..<row.fields.count).map { row.fields.string($0).trimmingSpaces })
                } catch {
                    throw RowProblem(error.description)
                }
                return
            }
            if columns.isEmpty {
                do { try resolve(names: []) } catch { throw RowProblem(error.description) }
            }
        }
        switch kind {
        case .trades: events.append(try trade())
        case .bars(let interval, let timeIsClose): events.append(try bar(interval: interval, timeIsClose: timeIsClose))
        }
    }

    private func trade() throws(RowProblem) -> Event {
        let time = try row.time(columns["time"]!, unit: timeUnit)
        let receive = try columns["recv_time"].map { (index) throws(RowProblem) in try row.time(index, unit: timeUnit) } ?? time
        var aggressor = AggressorSide.unknown
        if let index = columns["side"], !row.isEmpty(index) {
            switch try row.text(index).lowercased() {
            case "buy", "b", "bid": aggressor = .buy
            case "sell", "s", "ask": aggressor = .sell
            case let other: throw RowProblem("\(row.name(index)) '\(other)' is not buy or sell")
            }
        } else if let index = columns["buyer_maker"], !row.isEmpty(index) {
            aggressor = try row.bool(index) ? .sell : .buy
        }
        let id = try columns["id"].map { (index) throws(RowProblem) in UInt64(bitPattern: try row.integer(index)) } ?? 0
        let trade = Trade(price: try row.price(columns["price"]!, instrument), size: try row.size(columns["size"]!, instrument), aggressor: aggressor, tradeID: id)
        return Event(eventTime: time, receiveTime: receive, instrument: instrument.id, body: .trade(trade))
    }

    private func bar(interval: Int64, timeIsClose: Bool) throws(RowProblem) -> Event {
        let stamp = try row.time(columns["time"]!, unit: timeUnit)
        let end = timeIsClose ? stamp : Timestamp(nanosSinceEpoch: stamp.nanosSinceEpoch + interval)
        func optionalSize(_ field: String) throws(RowProblem) -> Quantity {
            guard let index = columns[field], !row.isEmpty(index) else { return .zero }
            return try row.size(index, instrument)
        }
        let quoteVolume = try columns["quote_volume"].map { (index) throws(RowProblem) in try row.money(index, scale: instrument.priceScale) } ?? .zero
        let trades = try columns["trades"].map { (index) throws(RowProblem) in UInt64(max(0, try row.integer(index))) } ?? 0
        let bar = Bar(
            intervalNanos: interval,
            open: try row.price(columns["open"]!, instrument), high: try row.price(columns["high"]!, instrument),
            low: try row.price(columns["low"]!, instrument), close: try row.price(columns["close"]!, instrument),
            volume: try optionalSize("volume"), quoteVolume: quoteVolume, tradeCount: trades)
        guard bar.low <= bar.high, bar.low <= bar.open, bar.open <= bar.high, bar.low <= bar.close, bar.close <= bar.high else {
            throw RowProblem("open, high, low and close are inconsistent (low must be the least and high the greatest)")
        }
        return Event(eventTime: end, receiveTime: end, instrument: instrument.id, body: .bar(bar))
    }
}

/// Whether a CSV file starts with a header line.
public enum HeaderPolicy: String, Sendable, CaseIterable {
    /// A first line whose first field is not a number or date is a header.
    case automatic = "auto"
    case present = "yes"
    case absent = "no"
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
