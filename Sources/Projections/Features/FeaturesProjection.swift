import DequeModule
public import Events
import Indicators
public import TapeCore

/// One row of the feature matrix: an instrument's features at the close of a sample bar.
public struct FeatureRow: Sendable, Equatable {
    public var instrument: InstrumentID
    /// The sample bar's end (event time, ns).
    public var time: Int64
    /// The sequence of the event at which the bar closed; the row is the state after it.
    public var sequence: UInt64
    /// One value per column, NaN where undefined (an indicator in its lookback, an invalid book,
    /// no data in a window).
    public var values: [Double]
}

/// Features per instrument (specs/projections.md §5): indicators on closed bars, and readings of
/// the books, trades, perpetual and alternative-data streams, all as of the event being applied,
/// so nothing a row holds was received after it. Each close of the sample series makes a row.
public struct FeaturesProjection: Projection, Sendable {
    public static let name = "features"

    public let options: FeaturesOptions
    /// The column names, in order.
    public let columns: [String]
    /// The instruments rows are made for, in id order.
    public let instruments: [InstrumentID]
    /// Set to keep every row in `rows` (for `tape features`); otherwise only the last per instrument.
    public var recording = false
    /// The rows made since the last `takeRows()`, when recording.
    public private(set) var rows: [FeatureRow] = []
    /// The last row of each instrument (in `instruments` order).
    public private(set) var lastRows: [FeatureRow?]

    private let sampleSeries: Int
    /// Instrument id → position in `instruments`, −1 when rows are not made for it.
    private let slots: [Int]
    private let plan: [Column]
    /// Per instrument, per indicator feature: the indicator and its last output.
    private var indicators: [[any Indicator]]
    private var lastOutputs: [[IndicatorOutput]]
    /// Per bar series, per instrument id: the last close (as a double) seen on that series.
    private var lastCloses: [[Double]]
    private let priceScales: [Double]
    private let sizeScales: [Double]
    // Stream state, per instrument slot unless said otherwise.
    private var trades: [TradeWindows]
    private var funding: [FundingMark]
    private var marks: [MarkMark]
    private var openInterest: [Deque<TimedValue>]
    /// Per global instrument id (indexes, chains) read by some feature.
    private var readings: [Int: Deque<TimedValue>]
    private var transfers: [Int: Deque<TransferMark>]
    private let longestTradeWindow: Int64
    private let longestWindow: Int64

    /// How each feature is computed, resolved against the journal and the bars projection.
    private enum Column: Sendable {
        case indicator(position: Int, series: Int, other: Int?, outputs: Int)
        case stream(StreamFeature, window: Int64, basisPoints: Int, instrument: Int)
    }

    public init(options: FeaturesOptions, bars: BarsOptions, instruments table: InstrumentTable) throws(ProjectionError) {
        self.options = options
        columns = options.columns
        guard let sample = bars.series.firstIndex(where: { $0.name == options.sample }) else {
            throw .unknownSeries(options.sample, projection: Self.name)
        }
        sampleSeries = sample
        func id(_ name: String) throws(ProjectionError) -> InstrumentID {
            guard let id = table.id(named: name) else { throw .unknownInstrument(name, projection: Self.name) }
            return id
        }
        var chosen: [InstrumentID] = []
        if let names = options.instruments ?? bars.instruments {
            for name in names { chosen.append(try id(name)) }
        } else {
            chosen = table.instruments.indices.compactMap { table.instruments[$0].kind.isTradable ? InstrumentID(rawValue: UInt32($0 + 1)) : nil }
        }
        instruments = chosen.sorted()
        var slots = [Int](repeating: -1, count: table.count + 1)
        for (slot, instrument) in instruments.enumerated() { slots[Int(instrument.rawValue)] = slot }
        self.slots = slots
        var plan: [Column] = []
        var kinds: [(String, [String: Double])] = []
        var tradeSpans = Set<Int64>()
        var longest: Int64 = 0
        var globals = Set<Int>()
        for feature in options.features {
            switch feature.source {
            case .indicator(let kind, let parameters, let seriesName, let otherName):
                let seriesName = seriesName ?? options.sample
                guard let series = bars.series.firstIndex(where: { $0.name == seriesName }) else {
                    throw .unknownSeries(seriesName, projection: Self.name)
                }
                plan.append(.indicator(
                    position: kinds.count, series: series, other: try otherName.map { (name) throws(ProjectionError) in Int(try id(name).rawValue) },
                    outputs: feature.outputs.count))
                kinds.append((kind, parameters))
            case .stream(let stream, let window, let bps, let instrumentName):
                let instrument = try instrumentName.map { (name) throws(ProjectionError) in Int(try id(name).rawValue) } ?? 0
                if stream.isGlobal { globals.insert(instrument) }
                let span = window ?? 0
                longest = max(longest, span)
                if [.tradeImbalance, .signedVolume, .tradeCount, .vwapDeviationBps].contains(stream) { tradeSpans.insert(span) }
                plan.append(.stream(stream, window: span, basisPoints: bps ?? 0, instrument: instrument))
            }
        }
        self.plan = plan
        longestTradeWindow = tradeSpans.max() ?? 0
        longestWindow = longest
        do {
            let made = try kinds.map { (kind, parameters) throws(IndicatorError) in try IndicatorCatalog.make(kind, parameters: parameters) }
            indicators = Array(repeating: made, count: instruments.count)
        } catch {
            throw .badIndicator(error.description)
        }
        lastOutputs = Array(repeating: Array(repeating: .undefined, count: kinds.count), count: instruments.count)
        lastCloses = Array(repeating: Array(repeating: .nan, count: table.count + 1), count: bars.series.count)
        priceScales = [1] + table.instruments.map { Double(FixedPoint.powersOfTen[$0.priceScale]) }
        sizeScales = [1] + table.instruments.map { Double(FixedPoint.powersOfTen[$0.sizeScale]) }
        trades = Array(repeating: TradeWindows(spans: tradeSpans.sorted()), count: instruments.count)
        funding = Array(repeating: FundingMark(), count: instruments.count)
        marks = Array(repeating: MarkMark(), count: instruments.count)
        openInterest = Array(repeating: [], count: instruments.count)
        readings = [:]
        transfers = [:]
        for instrument in globals.sorted() {
            readings[instrument] = []
            transfers[instrument] = []
        }
        lastRows = Array(repeating: nil, count: instruments.count)
    }

    /// The rows recorded since the last call, emptied.
    public mutating func takeRows() -> [FeatureRow] {
        defer { rows.removeAll(keepingCapacity: true) }
        return rows
    }

    // MARK: Events

    /// Updates the stream state with the event at `index` of `block`.
    @inline(__always)
    public mutating func apply(_ block: DecodedBlock, at index: Int) {
        let raw = Int(block.instruments[index].rawValue)
        let time = block.receiveTimes[index]
        switch block.types[index] {
        case .trade:
            guard longestTradeWindow > 0, raw < slots.count, case let slot = slots[raw], slot >= 0 else { return }
            let trade = block.trade(at: index)
            trades[slot].append(TradeMark(time: time, price: trade.price.units, size: trade.size.units, buy: trade.aggressor == .buy))
        case .fundingRate:
            guard raw < slots.count, case let slot = slots[raw], slot >= 0 else { return }
            let rate = block.payloads.fundingRates[Int(block.slots[index])]
            funding[slot] = FundingMark(rate: Double(rate.rate.units) / 1e18, interval: rate.intervalNanos, present: true)
        case .markPrice:
            guard raw < slots.count, case let slot = slots[raw], slot >= 0 else { return }
            let mark = block.payloads.markPrices[Int(block.slots[index])]
            marks[slot] = MarkMark(mark: Double(mark.mark.units), index: mark.index.map { Double($0.units) } ?? .nan, present: true)
        case .openInterest:
            guard raw < slots.count, case let slot = slots[raw], slot >= 0 else { return }
            let interest = block.payloads.openInterests[Int(block.slots[index])]
            openInterest[slot].append(TimedValue(time: time, value: Double(interest.openInterest.units)))
            trimKeepingOne(&openInterest[slot], before: time - longestWindow)
        case .sentiment:
            guard readings[raw] != nil else { return }
            let reading = block.payloads.sentimentReadings[Int(block.slots[index])]
            readings[raw]!.append(TimedValue(time: time, value: Double(reading.value) / priceScales[raw]))
            trimKeepingOne(&readings[raw]!, before: time - longestWindow)
        case .onChainTransfer:
            guard transfers[raw] != nil else { return }
            let transfer = block.payloads.onChainTransfers[Int(block.slots[index])]
            transfers[raw]!.append(TransferMark(time: time, amount: Double(transfer.amount.units) / sizeScales[raw], flow: transfer.flow.rawValue))
            trim(&transfers[raw]!, before: time - longestWindow)
        default:
            break
        }
    }

    /// Feeds the bars closed at this event to the indicators (all closes first, so pair
    /// indicators see the other instrument's bar of the same interval), then makes a row for
    /// each sample bar, with the books as they stand.
    public mutating func apply(closed bars: [BarRecord], now: Int64, book: BookProjection?) {
        for bar in bars where Int(bar.instrument.rawValue) < lastCloses[bar.series].count {
            lastCloses[bar.series][Int(bar.instrument.rawValue)] = Double(bar.close)
        }
        for bar in bars {
            let raw = Int(bar.instrument.rawValue)
            guard raw < slots.count, case let slot = slots[raw], slot >= 0 else { continue }
            let scale = priceScales[raw]
            for column in plan {
                guard case .indicator(let position, let series, let other, _) = column, series == bar.series else { continue }
                var input = IndicatorInput(
                    open: Double(bar.open) / scale, high: Double(bar.high) / scale, low: Double(bar.low) / scale,
                    close: Double(bar.close) / scale, volume: Double(bar.volume) / sizeScales[raw])
                if let other { input.other = lastCloses[series][other] / priceScales[other] }
                lastOutputs[slot][position] = indicators[slot][position].update(input)
            }
        }
        for bar in bars where bar.series == sampleSeries {
            let raw = Int(bar.instrument.rawValue)
            guard raw < slots.count, case let slot = slots[raw], slot >= 0 else { continue }
            trades[slot].advance(to: now)
            let row = FeatureRow(instrument: bar.instrument, time: bar.end, sequence: bar.closedAt, values: values(slot: slot, raw: raw, now: now, book: book?.book(bar.instrument)))
            lastRows[slot] = row
            if recording { rows.append(row) }
        }
    }

    private func values(slot: Int, raw: Int, now: Int64, book: OrderBook?) -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(columns.count)
        for column in plan {
            switch column {
            case .indicator(let position, _, _, let outputs):
                let output = lastOutputs[slot][position]
                for index in 0..<outputs { values.append(output[index]) }
            case .stream(let stream, let window, let bps, let instrument):
                values.append(streamValue(stream, window: window, bps: bps, global: instrument, slot: slot, raw: raw, now: now, book: book))
            }
        }
        return values
    }

    private func streamValue(_ stream: StreamFeature, window: Int64, bps: Int, global: Int, slot: Int, raw: Int, now: Int64, book: OrderBook?) -> Double {
        let since = now - window
        switch stream {
        case .spreadBps:
            guard let book, let mid = book.mid, let spread = book.spread, mid > 0 else { return .nan }
            return Double(spread) / mid * 10_000
        case .bookImbalance:
            return book?.topImbalance ?? .nan
        case .depthImbalance:
            guard let depth = book?.depth(withinBasisPoints: bps), depth.bids + depth.asks > 0 else { return .nan }
            return Double(depth.bids - depth.asks) / Double(depth.bids + depth.asks)
        case .micropriceOffsetBps:
            guard let book, let mid = book.mid, let micro = book.microprice, mid > 0 else { return .nan }
            return (micro - mid) / mid * 10_000
        case .tradeImbalance, .signedVolume, .tradeCount, .vwapDeviationBps:
            let sums = trades[slot].sums(trades[slot].spans.firstIndex(of: window)!)
            let bought = Double(sums.bought)
            let sold = Double(sums.sold)
            switch stream {
            case .tradeImbalance: return bought + sold > 0 ? (bought - sold) / (bought + sold) : .nan
            case .signedVolume: return (bought - sold) / sizeScales[raw]
            case .tradeCount: return Double(sums.count)
            default:
                guard bought + sold > 0, let last = trades[slot].last else { return .nan }
                let vwap = Double(sums.notional) / (bought + sold)
                return (Double(last.price) - vwap) / vwap * 10_000
            }
        case .fundingRate:
            return funding[slot].present ? funding[slot].rate : .nan
        case .fundingAnnualized:
            guard funding[slot].present else { return .nan }
            let interval = funding[slot].interval > 0 ? funding[slot].interval : 8 * 3_600_000_000_000
            return funding[slot].rate * (365.0 * 86_400_000_000_000 / Double(interval))
        case .basisBps:
            let mark = marks[slot]
            guard mark.present, mark.index > 0 else { return .nan }
            return (mark.mark - mark.index) / mark.index * 10_000
        case .openInterestChange:
            guard let latest = openInterest[slot].last, let then = Self.value(in: openInterest[slot], atOrBefore: since), then > 0 else { return .nan }
            return (latest.value - then) / then
        case .sentiment:
            return readings[global]?.last?.value ?? .nan
        case .sentimentChange:
            guard let values = readings[global], let latest = values.last, let then = Self.value(in: values, atOrBefore: since) else { return .nan }
            return latest.value - then
        case .whaleInflow, .whaleOutflow, .whaleNetflow:
            guard let list = transfers[global] else { return .nan }
            var inflow = 0.0
            var outflow = 0.0
            for transfer in list.reversed() {
                guard transfer.time > since else { break }
                if transfer.flow == ExchangeFlow.inflow.rawValue { inflow += transfer.amount }
                if transfer.flow == ExchangeFlow.outflow.rawValue { outflow += transfer.amount }
            }
            return stream == .whaleInflow ? inflow : stream == .whaleOutflow ? outflow : inflow - outflow
        }
    }

    /// The value of the last entry at or before `time`.
    private static func value(in list: Deque<TimedValue>, atOrBefore time: Int64) -> Double? {
        list.last { $0.time <= time }?.value
    }

    private func trim<Element: Timed>(_ list: inout Deque<Element>, before time: Int64) {
        while let first = list.first, first.time <= time { list.removeFirst() }
    }

    /// Trims but keeps the last entry at or before `time`, the value as of then.
    private func trimKeepingOne(_ list: inout Deque<TimedValue>, before time: Int64) {
        while list.count >= 2, list[1].time <= time { list.removeFirst() }
    }

    // MARK: State

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        for slot in indicators.indices {
            for position in indicators[slot].indices { try indicators[slot][position].code(&coder) }
            for position in lastOutputs[slot].indices {
                for output in 0..<IndicatorOutput.capacity {
                    var value = lastOutputs[slot][position][output]
                    try coder.code(&value)
                    lastOutputs[slot][position][output] = value
                }
            }
            try trades[slot].code(&coder)
            try coder.code(&funding[slot].rate)
            try coder.code(&funding[slot].interval)
            try coder.code(&funding[slot].present)
            try coder.code(&marks[slot].mark)
            try coder.code(&marks[slot].index)
            try coder.code(&marks[slot].present)
            try Self.code(&openInterest[slot], &coder)
            var hasRow = lastRows[slot] != nil
            try coder.code(&hasRow)
            var row = lastRows[slot] ?? FeatureRow(instrument: instruments[slot], time: 0, sequence: 0, values: [])
            try coder.code(&row.time)
            try coder.code(&row.sequence)
            try coder.code(&row.values)
            lastRows[slot] = hasRow ? row : nil
        }
        for series in lastCloses.indices { try coder.code(&lastCloses[series]) }
        for key in readings.keys.sorted() {
            try Self.code(&readings[key]!, &coder)
            try Self.code(&transfers[key]!, &coder)
        }
        if !coder.isEncoding { rows.removeAll() }
    }

    private static func code<Element: Timed>(_ list: inout Deque<Element>, _ coder: inout StateCoder) throws(CodecError) {
        var count = list.count
        try coder.code(&count)
        if !coder.isEncoding {
            guard count >= 0 && count < 1 << 28 else { throw .invalidValue(field: "window length", offset: 0) }
            list = Deque(repeating: Element.empty, count: count)
        }
        for index in list.indices { try list[index].code(&coder) }
    }

    public func summary(_ context: ProjectionContext) -> JSONValue {
        .object(instruments.indices.map { slot in
            guard let row = lastRows[slot] else { return (context.name(instruments[slot]), .null) }
            return (context.name(instruments[slot]), .object(
                [("time", .string(Timestamp(nanosSinceEpoch: row.time).iso8601)), ("seq", .unsigned(row.sequence))]
                    + zip(columns, row.values).map { ($0, .double($1)) }))
        })
    }
}

/// An entry of a time window.
protocol Timed: StateCodable, Sendable {
    var time: Int64 { get }
    static var empty: Self { get }
}

struct TradeMark: Timed {
    var time: Int64
    var price: Int64
    var size: Int64
    var buy: Bool
    static let empty = TradeMark(time: 0, price: 0, size: 0, buy: false)
    mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&time)
        try coder.code(&price)
        try coder.code(&size)
        try coder.code(&buy)
    }
}

struct TimedValue: Timed {
    var time: Int64
    var value: Double
    static let empty = TimedValue(time: 0, value: 0)
    mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&time)
        try coder.code(&value)
    }
}

struct TransferMark: Timed {
    var time: Int64
    var amount: Double
    var flow: UInt8
    static let empty = TransferMark(time: 0, amount: 0, flow: 0)
    mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&time)
        try coder.code(&amount)
        var code = UInt64(flow)
        try coder.code(&code)
        flow = UInt8(truncatingIfNeeded: code)
    }
}

struct FundingMark: Sendable {
    var rate = 0.0
    var interval: Int64 = 0
    var present = false
}

struct MarkMark: Sendable {
    var mark = 0.0
    var index = Double.nan
    var present = false
}
