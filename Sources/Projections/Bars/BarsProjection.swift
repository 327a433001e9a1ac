public import Events
public import TapeCore

/// A closed bar of one series and instrument. Prices are in the instrument's price units,
/// sizes in its size units, `notional` (Σ price × size) in units of both scales multiplied.
public struct BarRecord: Sendable, Equatable {
    public var instrument: InstrumentID
    /// The series' index in the configuration.
    public var series: Int
    /// Time bars: the interval `[start, end)` of event time. Other bars: the first and last
    /// trade's event time. Imported bars: the venue's interval.
    public var start: Int64
    public var end: Int64
    public var open: Int64
    public var high: Int64
    public var low: Int64
    public var close: Int64
    public var volume: Int64
    /// Size bought by takers (trades whose aggressor is the buyer).
    public var buyVolume: Int64
    public var notional: Int128
    public var trades: Int64
    /// Trades counted in this bar although their event time lay in an earlier bar that had
    /// already closed (they arrived late).
    public var late: Int64
    /// The sequence of the event at which the bar closed: for time bars the event whose
    /// arrival closed it (seen before that event is applied), for threshold bars the trade
    /// that completed it, for imported bars the bar event.
    public var closedAt: UInt64

    /// Whether the bar had no trades (a flat bar at the previous close).
    public var isEmpty: Bool { trades == 0 && volume == 0 }

    init(instrument: InstrumentID, series: Int) {
        self.instrument = instrument
        self.series = series
        (start, end, open, high, low, close, volume, buyVolume, notional, trades, late, closedAt) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }
}

/// Bars built from trades (time, tick, volume and dollar bars) or passed through from the
/// venue's own bars, per configured series and instrument (specs/projections.md §4).
///
/// A bar is emitted only once it is closed, into `closed`, which the projection set hands to
/// the projections that read bars and then empties; nothing ever sees an unfinished bar.
public struct BarsProjection: Projection, Sendable {
    public static let name = "bars"

    public let options: BarsOptions
    private var builders: [BarBuilder]
    /// Builder indices per instrument id.
    private let byInstrument: [[Int]]
    /// Builder indices of time series, for clock closes.
    private let timeBuilders: [Int]
    /// The earliest receive time at which some time bar closes by the clock.
    private(set) var nextDeadline = Int64.max
    /// Bars closed by the last event applied; read them, then `clearClosed()`.
    public private(set) var closed: [BarRecord] = []

    /// Builds the projection for the journal's instruments; fails when a threshold does not fit
    /// an instrument's decimals or an instrument is not in the journal.
    public init(options: BarsOptions, instruments: InstrumentTable) throws(ProjectionError) {
        self.options = options
        var chosen: [InstrumentID] = []
        if let names = options.instruments {
            for name in names {
                guard let id = instruments.id(named: name) else { throw .unknownInstrument(name, projection: Self.name) }
                chosen.append(id)
            }
        } else {
            chosen = instruments.instruments.indices.compactMap { index in
                instruments.instruments[index].kind.isTradable ? InstrumentID(rawValue: UInt32(index + 1)) : nil
            }
        }
        var builders: [BarBuilder] = []
        var byInstrument = [[Int]](repeating: [], count: instruments.count + 1)
        var timeBuilders: [Int] = []
        for (seriesIndex, series) in options.series.enumerated() {
            for id in chosen {
                let instrument = instruments[id]
                let rule: BarBuilder.Rule
                switch series.kind {
                case .time(let period): rule = .time(period)
                case .tick(let count): rule = .count(count)
                case .volume(let text):
                    do { rule = .volume(try FixedPoint.parse(text, scale: instrument.sizeScale)) } catch {
                        throw .badThreshold("bar series \(series.name): size \(text) for \(instrument.name): \(error)")
                    }
                case .dollar(let text):
                    do { rule = .notional(try FixedPoint.parse(text, scale: instrument.priceScale + instrument.sizeScale)) } catch {
                        throw .badThreshold("bar series \(series.name): notional \(text) for \(instrument.name): \(error)")
                    }
                case .imported(let interval): rule = .imported(interval)
                }
                if case .time = rule { timeBuilders.append(builders.count) }
                byInstrument[Int(id.rawValue)].append(builders.count)
                builders.append(BarBuilder(instrument: id, series: seriesIndex, rule: rule))
            }
        }
        self.builders = builders
        self.byInstrument = byInstrument
        self.timeBuilders = timeBuilders
    }

    /// Forgets the bars of the last event (after they were read).
    @inline(__always)
    public mutating func clearClosed() {
        if !closed.isEmpty { closed.removeAll(keepingCapacity: true) }
    }

    /// The last closed bar of series `series` for `instrument`.
    public func lastBar(series: Int, instrument: InstrumentID) -> BarRecord? {
        builders.first { $0.series == series && $0.instrument == instrument }?.last
    }

    /// Applies the event at `index` of `block`: first closes the time bars its arrival closes,
    /// then adds a trade to its instrument's bars or passes a venue bar through.
    @inline(__always)
    public mutating func apply(_ block: DecodedBlock, at index: Int) {
        let receiveTime = block.receiveTimes[index]
        if receiveTime >= nextDeadline { closeByClock(receiveTime, sequence: block.sequence(at: index)) }
        let type = block.types[index]
        guard type == .trade || type == .bar else { return }
        let id = Int(block.instruments[index].rawValue)
        guard id < byInstrument.count, !byInstrument[id].isEmpty else { return }
        let sequence = block.sequence(at: index)
        let eventTime = block.eventTimes[index]
        if type == .trade {
            let trade = block.trade(at: index)
            var moved = false
            for builder in byInstrument[id] {
                if builders[builder].add(trade, eventTime: eventTime, sequence: sequence, emptyBars: options.emptyBars, into: &closed) { moved = true }
            }
            if moved { updateDeadline() }
        } else {
            let bar = block.payloads.bars[Int(block.slots[index])]
            for builder in byInstrument[id] {
                builders[builder].pass(bar, eventTime: eventTime, sequence: sequence, into: &closed)
            }
        }
    }

    private mutating func closeByClock(_ receiveTime: Int64, sequence: UInt64) {
        for builder in timeBuilders {
            builders[builder].closeByClock(receiveTime, delay: options.closeDelay, sequence: sequence, emptyBars: options.emptyBars, into: &closed)
        }
        updateDeadline()
    }

    private mutating func updateDeadline() {
        var deadline = Int64.max
        for builder in timeBuilders {
            if let due = builders[builder].clockDeadline(delay: options.closeDelay), due < deadline { deadline = due }
        }
        nextDeadline = deadline
    }

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&builders)
        if !coder.isEncoding {
            closed.removeAll()
            updateDeadline()
        }
    }

    public func summary(_ context: ProjectionContext) -> JSONValue {
        .object(options.series.indices.map { series in
            (options.series[series].name, .object(builders.filter { $0.series == series }.map { builder in
                let id = builder.instrument
                var fields: [(String, JSONValue)] = [("bars", .unsigned(builder.emitted))]
                if let bar = builder.last {
                    fields.append(("last", .object([
                        ("start", .string(Timestamp(nanosSinceEpoch: bar.start).iso8601)),
                        ("end", .string(Timestamp(nanosSinceEpoch: bar.end).iso8601)),
                        ("open", context.price(bar.open, id)), ("high", context.price(bar.high, id)),
                        ("low", context.price(bar.low, id)), ("close", context.price(bar.close, id)),
                        ("volume", context.size(bar.volume, id)), ("buy_volume", context.size(bar.buyVolume, id)),
                        ("trades", .integer(bar.trades)), ("late", .integer(bar.late)), ("closed_at", .unsigned(bar.closedAt)),
                    ])))
                }
                return (context.name(id), .object(fields))
            }))
        })
    }
}

/// Why a projection cannot run on a journal with its configuration.
public enum ProjectionError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownInstrument(String, projection: String)
    case unknownSeries(String, projection: String)
    case badThreshold(String)
    case badIndicator(String)

    public var description: String {
        switch self {
        case .unknownInstrument(let name, let projection): "\(projection): instrument \(name) is not in the journal"
        case .unknownSeries(let name, let projection): "\(projection): no bar series named \(name) in the bars section"
        case .badThreshold(let reason), .badIndicator(let reason): reason
        }
    }
}

/// The bar being built for one series and instrument.
struct BarBuilder: StateCodable, Sendable {
    enum Rule: Sendable {
        case time(Int64)
        case count(Int64)
        case volume(Int64)
        case notional(Int128)
        case imported(Int64)
    }

    let instrument: InstrumentID
    let series: Int
    let rule: Rule
    /// The bar in progress (time bars: of the current interval, possibly still without trades).
    var current: BarRecord
    /// Time bars: whether an interval has started.
    var started = false
    /// The last close, for flat bars.
    var lastClose: Int64?
    var emitted: UInt64 = 0
    var last: BarRecord?

    init(instrument: InstrumentID, series: Int, rule: Rule) {
        self.instrument = instrument
        self.series = series
        self.rule = rule
        current = BarRecord(instrument: instrument, series: series)
    }

    /// The receive time at which the current time bar closes by the clock.
    func clockDeadline(delay: Int64) -> Int64? {
        guard case .time = rule, started else { return nil }
        return current.end &+ delay
    }

    /// Adds a trade; returns whether a time bar's interval changed (so its deadline did).
    @discardableResult
    mutating func add(_ trade: Trade, eventTime: Int64, sequence: UInt64, emptyBars: Bool, into closed: inout [BarRecord]) -> Bool {
        var moved = false
        switch rule {
        case .time(let period):
            // Most trades fall in the open bar, an interval of the grid: its start is theirs,
            // without a division.
            let start: Int64
            if started && eventTime >= current.start && eventTime < current.end {
                start = current.start
            } else {
                let grid = TimeGrid(period: period)
                start = grid.start(of: grid.index(of: eventTime))
            }
            if !started {
                begin(start: start, end: start + period)
                moved = true
            } else if start >= current.end {
                // The trade opens a later interval: close this one and any empty ones between.
                var next = current.end
                finish(sequence: sequence, emptyBars: emptyBars, into: &closed)
                while next < start {
                    flat(start: next, end: next + period, sequence: sequence, emptyBars: emptyBars, into: &closed)
                    next += period
                }
                begin(start: start, end: start + period)
                moved = true
            } else if start < current.start {
                current.late += 1
            }
            include(trade)
        case .count(let count):
            if current.trades == 0 { begin(start: eventTime, end: eventTime) }
            include(trade)
            current.end = eventTime
            if current.trades >= count { finish(sequence: sequence, emptyBars: false, into: &closed) }
        case .volume(let threshold):
            if current.trades == 0 { begin(start: eventTime, end: eventTime) }
            include(trade)
            current.end = eventTime
            if current.volume >= threshold { finish(sequence: sequence, emptyBars: false, into: &closed) }
        case .notional(let threshold):
            if current.trades == 0 { begin(start: eventTime, end: eventTime) }
            include(trade)
            current.end = eventTime
            if current.notional >= threshold { finish(sequence: sequence, emptyBars: false, into: &closed) }
        case .imported:
            break
        }
        return moved
    }

    /// Passes a venue bar of the series' interval through.
    mutating func pass(_ bar: Bar, eventTime: Int64, sequence: UInt64, into closed: inout [BarRecord]) {
        guard case .imported(let interval) = rule, bar.intervalNanos == interval else { return }
        var record = BarRecord(instrument: instrument, series: series)
        record.start = eventTime - interval
        record.end = eventTime
        record.open = bar.open.units
        record.high = bar.high.units
        record.low = bar.low.units
        record.close = bar.close.units
        record.volume = bar.volume.units
        record.buyVolume = bar.takerBuyVolume.units
        record.trades = Int64(clamping: bar.tradeCount)
        record.closedAt = sequence
        emit(record, into: &closed)
    }

    /// Closes time bars whose end (plus the delay) the journal's clock has passed.
    mutating func closeByClock(_ receiveTime: Int64, delay: Int64, sequence: UInt64, emptyBars: Bool, into closed: inout [BarRecord]) {
        guard case .time(let period) = rule, started, receiveTime >= current.end &+ delay else { return }
        var next = current.end
        finish(sequence: sequence, emptyBars: emptyBars, into: &closed)
        while receiveTime >= next + period &+ delay {
            flat(start: next, end: next + period, sequence: sequence, emptyBars: emptyBars, into: &closed)
            next += period
        }
        begin(start: next, end: next + period)
    }

    private mutating func begin(start: Int64, end: Int64) {
        current = BarRecord(instrument: instrument, series: series)
        current.start = start
        current.end = end
        started = true
    }

    private mutating func include(_ trade: Trade) {
        let price = trade.price.units
        let size = trade.size.units
        if current.trades == 0 && current.volume == 0 {
            current.open = price
            current.high = price
            current.low = price
        } else {
            if price > current.high { current.high = price }
            if price < current.low { current.low = price }
        }
        current.close = price
        current.volume += size
        if trade.aggressor == .buy { current.buyVolume += size }
        current.notional += Int128(price) * Int128(size)
        current.trades += 1
    }

    /// Emits the current bar (a flat one when it has no trades and flat bars are wanted).
    private mutating func finish(sequence: UInt64, emptyBars: Bool, into closed: inout [BarRecord]) {
        if current.trades > 0 {
            current.closedAt = sequence
            emit(current, into: &closed)
        } else {
            flat(start: current.start, end: current.end, sequence: sequence, emptyBars: emptyBars, into: &closed)
        }
        current = BarRecord(instrument: instrument, series: series)
    }

    private mutating func flat(start: Int64, end: Int64, sequence: UInt64, emptyBars: Bool, into closed: inout [BarRecord]) {
        guard emptyBars, let price = lastClose else { return }
        var bar = BarRecord(instrument: instrument, series: series)
        bar.start = start
        bar.end = end
        (bar.open, bar.high, bar.low, bar.close) = (price, price, price, price)
        bar.closedAt = sequence
        emit(bar, into: &closed)
    }

    private mutating func emit(_ bar: BarRecord, into closed: inout [BarRecord]) {
        lastClose = bar.close
        last = bar
        emitted += 1
        closed.append(bar)
    }

    mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try Self.code(&current, &coder)
        try coder.code(&started)
        var hasClose = lastClose != nil
        var close = lastClose ?? 0
        try coder.code(&hasClose)
        try coder.code(&close)
        lastClose = hasClose ? close : nil
        try coder.code(&emitted)
        var hasLast = last != nil
        var record = last ?? BarRecord(instrument: instrument, series: series)
        try coder.code(&hasLast)
        try Self.code(&record, &coder)
        last = hasLast ? record : nil
    }

    private static func code(_ bar: inout BarRecord, _ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&bar.start)
        try coder.code(&bar.end)
        try coder.code(&bar.open)
        try coder.code(&bar.high)
        try coder.code(&bar.low)
        try coder.code(&bar.close)
        try coder.code(&bar.volume)
        try coder.code(&bar.buyVolume)
        var high = Int64(truncatingIfNeeded: bar.notional >> 64)
        var low = Int64(bitPattern: UInt64(truncatingIfNeeded: bar.notional))
        try coder.code(&high)
        try coder.code(&low)
        bar.notional = Int128(high) << 64 | Int128(UInt64(bitPattern: low))
        try coder.code(&bar.trades)
        try coder.code(&bar.late)
        try coder.code(&bar.closedAt)
    }
}
