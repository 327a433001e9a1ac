import Configuration
public import Events
import Indicators
public import TapeCore

/// Options of the risk projection (specs/projections.md §7).
public struct RiskOptions: Sendable, Equatable {
    /// The sampling period of equity and marks, on the journal's clock (receive time).
    public var sample: Int64 = 60_000_000_000
    /// Samples in the rolling window of returns.
    public var window = 1_440
    /// Confidence levels of value at risk and expected shortfall.
    public var levels = [0.95, 0.99]
    /// Samples per year, to annualize volatility (default: a 365-day year / `sample`).
    public var annualize: Double?
    /// The trailing window of traded volume the liquidity ratio compares a position with.
    public var volumeWindow: Int64 = 3_600_000_000_000
    /// The depth (basis points of the mid) the liquidity ratio compares a position with.
    public var depthBasisPoints = 10

    public init() {}

    init(_ node: ConfigNode) throws(ConfigError) {
        let fields = try node.mapping(allowed: ["sample", "window", "levels", "annualize", "volume_window", "depth_bps"], what: "risk")
        if let value = fields["sample"] { sample = try value.duration("sample") }
        if let value = fields["window"] { window = try value.integer("window", in: 10...1_000_000) }
        if let value = fields["levels"] {
            levels = try value.list("levels").map { (item) throws(ConfigError) in try item.number("level", in: 0.5...0.9999) }
        }
        if let value = fields["annualize"] { annualize = try value.number("annualize", in: 1...1e9) }
        if let value = fields["volume_window"] { volumeWindow = try value.duration("volume_window") }
        if let value = fields["depth_bps"] { depthBasisPoints = try value.integer("depth_bps", in: 1...10_000) }
    }
}

/// Risk measurements of the ledger's account: equity and its returns sampled on a time grid,
/// rolling volatility, VaR and ES (historical, parametric, Cornish–Fisher), drawdown, the
/// concentration of exposure, the correlation matrix of the instruments' mark returns, and the
/// liquidity of positions against recent volume and book depth.
public struct RiskProjection: Projection, Sendable {
    public static let name = "risk"

    public let options: RiskOptions
    /// The instruments whose marks are sampled (the tradable ones), in id order.
    public let instruments: [InstrumentID]
    private(set) var nextSample = Int64.min
    /// Samples taken.
    public private(set) var samples: UInt64 = 0
    private var lastEquity = Double.nan
    private var returns: RingBuffer
    private var equities: RingBuffer
    /// All-time peak and drawdown of the sampled equity.
    public private(set) var drawdown = Drawdown()
    private var lastMarks: [Double]
    private var markReturns: [RingBuffer]
    /// Per instrument: the size traded in the volume window, in buckets.
    private var volumes: [VolumeWindow]
    private let volumeBuckets: TimeGrid
    private let slots: [Int]

    public init(options: RiskOptions, instruments table: InstrumentTable) {
        self.options = options
        instruments = table.instruments.indices.compactMap { table.instruments[$0].kind.isTradable ? InstrumentID(rawValue: UInt32($0 + 1)) : nil }
        returns = RingBuffer(capacity: options.window)
        equities = RingBuffer(capacity: options.window + 1)
        lastMarks = Array(repeating: .nan, count: instruments.count)
        markReturns = Array(repeating: RingBuffer(capacity: options.window), count: instruments.count)
        volumes = Array(repeating: VolumeWindow(), count: instruments.count)
        volumeBuckets = VolumeWindow.buckets(of: options.volumeWindow)
        var slots = [Int](repeating: -1, count: table.count + 1)
        for (slot, id) in instruments.enumerated() { slots[Int(id.rawValue)] = slot }
        self.slots = slots
    }

    /// Whether a sample falls due at or before `time`: the caller then calls `sample(upTo:ledger:)`
    /// with the account as it stood before the event at `time`.
    @inline(__always)
    public func isSampleDue(at time: Int64) -> Bool { time >= nextSample }

    /// Keeps the volume window with the event at `index` (after any sample due before it).
    @inline(__always)
    public mutating func apply(_ block: DecodedBlock, at index: Int) {
        guard block.types[index] == .trade else { return }
        add(tradeOf: block.trade(at: index).size.units, instrument: Int(block.instruments[index].rawValue), at: block.receiveTimes[index])
    }

    /// Keeps the volume window with a trade of `size` size units of instrument `raw` received
    /// at `time`: `apply` of the trade's event, for a caller that has read it.
    @inline(__always)
    mutating func add(tradeOf size: Int64, instrument raw: Int, at time: Int64) {
        guard raw < slots.count, case let slot = slots[raw], slot >= 0 else { return }
        volumes[slot].add(Double(size), at: time, buckets: volumeBuckets)
    }

    /// Samples the account on every grid time up to `time`.
    public mutating func sample(upTo time: Int64, ledger: LedgerProjection?) {
        let period = options.sample
        // The first event, or no account to sample: the grid starts after this time.
        guard nextSample != .min, let ledger else {
            let grid = TimeGrid(period: period)
            nextSample = grid.start(of: grid.index(of: time) + 1)
            return
        }
        let equity = ledger.valuation().equity
        var marks = lastMarks
        for (slot, id) in instruments.enumerated() {
            let mark = ledger.positions[Int(id.rawValue)].mark
            marks[slot] = mark > 0 ? Double(mark) : .nan
        }
        while nextSample <= time {
            samples += 1
            if equity.isFinite {
                if lastEquity.isFinite && lastEquity > 0 { returns.push(equity / lastEquity - 1) }
                equities.push(equity)
                drawdown.add(equity)
                lastEquity = equity
            }
            for slot in instruments.indices {
                if marks[slot].isFinite && lastMarks[slot].isFinite && lastMarks[slot] > 0 {
                    markReturns[slot].push(marks[slot] / lastMarks[slot] - 1)
                }
                lastMarks[slot] = marks[slot]
            }
            nextSample += period
        }
    }

    // MARK: Readings

    /// The window of sampled account returns, oldest first.
    public var returnWindow: [Double] { returns.values }

    /// The window of sampled mark returns of `instrument`, oldest first (empty when its marks
    /// are not sampled).
    public func markReturnWindow(_ instrument: InstrumentID) -> [Double] {
        let raw = Int(instrument.rawValue)
        guard raw < slots.count, slots[raw] >= 0 else { return [] }
        return markReturns[slots[raw]].values
    }

    /// The size traded in `instrument` over the volume window, in size units.
    public func tradedVolume(_ instrument: InstrumentID) -> Double {
        let raw = Int(instrument.rawValue)
        return raw < slots.count && slots[raw] >= 0 ? volumes[slots[raw]].total : 0
    }

    /// Samples in a year, for annualising.
    public var samplesPerYear: Double { options.annualize ?? 365 * 86_400_000_000_000 / Double(options.sample) }

    /// The measurements now, over the window.
    public struct Report: Sendable {
        public var equity: Double
        public var returns: Int
        public var volatility: Double
        public var annualizedVolatility: Double
        /// Per level: (level, historical VaR, ES; parametric VaR, ES; Cornish–Fisher VaR, ES), as fractions of equity.
        public var tails: [(level: Double, historical: (Double, Double), parametric: (Double, Double), cornishFisher: (Double, Double))]
        public var drawdown: Double
        public var maximumDrawdown: Double
        public var samplesSincePeak: Int
        public var largestWeight: Double
        public var herfindahl: Double
        public var correlations: [[Double]]
        /// Per open position: |size| over the window's volume, and over the depth on the side it would exit into.
        public var liquidity: [(instrument: InstrumentID, volumeRatio: Double, depthRatio: Double)]
    }

    public func report(ledger: LedgerProjection?, book: BookProjection?) -> Report {
        let window = returnWindow
        let (_, deviation) = RiskMath.meanAndDeviation(window)
        let perYear = samplesPerYear
        let tails = options.levels.map { level in
            (level, RiskMath.historical(window, level: level), RiskMath.parametric(window, level: level), RiskMath.cornishFisher(window, level: level))
        }
        let valuation = ledger?.valuation()
        let weights = valuation?.weights.map(\.1) ?? []
        let series = instruments.map(markReturnWindow)
        let correlations = series.indices.map { a in
            series.indices.map { b -> Double in
                let n = min(series[a].count, series[b].count)
                return RiskMath.correlation(Array(series[a].suffix(n)), Array(series[b].suffix(n)))
            }
        }
        var liquidity: [(InstrumentID, Double, Double)] = []
        if let ledger {
            for (slot, id) in instruments.enumerated() where ledger.positions[Int(id.rawValue)].size != 0 {
                let size = Double(abs(ledger.positions[Int(id.rawValue)].size))
                let depth = book?.book(id)?.depth(withinBasisPoints: options.depthBasisPoints)
                let side = ledger.positions[Int(id.rawValue)].size > 0 ? depth?.bids : depth?.asks
                liquidity.append((id, volumes[slot].total > 0 ? size / volumes[slot].total : .nan, side.map { $0 > 0 ? size / Double($0) : .nan } ?? .nan))
            }
        }
        return Report(
            equity: valuation?.equity ?? .nan, returns: window.count, volatility: deviation, annualizedVolatility: deviation * perYear.squareRoot(),
            tails: tails, drawdown: lastEquity.isFinite ? drawdown.fraction(lastEquity) : .nan, maximumDrawdown: drawdown.maximum,
            samplesSincePeak: drawdown.periodsSincePeak, largestWeight: weights.max() ?? .nan, herfindahl: weights.reduce(0) { $0 + $1 * $1 },
            correlations: correlations, liquidity: liquidity)
    }

    // MARK: State

    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        try coder.code(&nextSample)
        try coder.code(&samples)
        try coder.code(&lastEquity)
        try coder.code(&returns)
        try coder.code(&equities)
        try drawdown.code(&coder)
        try coder.code(&lastMarks)
        try coder.code(&markReturns)
        for slot in volumes.indices { try volumes[slot].code(&coder, buckets: volumeBuckets) }
    }

    public func summary(_ context: ProjectionContext) -> JSONValue {
        summary(context, report: report(ledger: nil, book: nil))
    }

    func summary(_ context: ProjectionContext, report: Report) -> JSONValue {
        .object([
            ("samples", .unsigned(samples)),
            ("returns", .integer(Int64(report.returns))),
            ("equity", .double(report.equity)),
            ("volatility", .double(report.volatility)),
            ("annualized_volatility", .double(report.annualizedVolatility)),
            ("tails", .array(report.tails.map { tail in
                .object([
                    ("level", .double(tail.level)),
                    ("historical", .object([("var", .double(tail.historical.0)), ("es", .double(tail.historical.1))])),
                    ("parametric", .object([("var", .double(tail.parametric.0)), ("es", .double(tail.parametric.1))])),
                    ("cornish_fisher", .object([("var", .double(tail.cornishFisher.0)), ("es", .double(tail.cornishFisher.1))])),
                ])
            })),
            ("drawdown", .double(report.drawdown)),
            ("max_drawdown", .double(report.maximumDrawdown)),
            ("samples_since_peak", .integer(Int64(report.samplesSincePeak))),
            ("largest_weight", .double(report.largestWeight)),
            ("herfindahl", .double(report.herfindahl)),
            ("correlations", .object(instruments.indices.map { a in
                (context.name(instruments[a]), .object(instruments.indices.map { b in (context.name(instruments[b]), .double(report.correlations[a][b])) }))
            })),
            ("liquidity", .object(report.liquidity.map { (context.name($0.instrument), .object([("volume_ratio", .double($0.volumeRatio)), ("depth_ratio", .double($0.depthRatio))])) })),
        ])
    }
}

/// The traded size of one instrument over the trailing volume window, in buckets: the window
/// `W` is cut into 3 600 buckets of `w = W / 3600` nanoseconds (whole; one second of an
/// hour), aligned on multiples of `w`, and the total is that of the trades received in the
/// bucket of the last trade and the 3 599 before it. A trade ages out a whole bucket at a time,
/// so the total covers the last 3 599 to 3 600 bucket widths (at most `W`).
///
/// A fixed ring, whatever the trading rate: a trade adds its size to one bucket (no allocation,
/// and a few kilobytes touched where a list of the hour's trades ran to megabytes), and the
/// buckets passed are emptied when a trade opens a new one. Sizes are whole units, so the sums
/// are exact in any order.
struct VolumeWindow: Sendable {
    static let count = 3_600

    /// The size traded in each bucket; bucket `b` is at `b mod count`.
    private var sizes = [Double](repeating: 0, count: VolumeWindow.count)
    /// The bucket of the last trade (`.min`: none yet); where it is in `sizes` and the time
    /// the next bucket opens follow from it, kept so that a trade needs neither a division
    /// nor a multiplication.
    private var current = Int64.min
    private var slot = 0
    private var nextBucket = Int64.min
    /// The size traded in the window.
    private(set) var total = 0.0
    /// The size traded in the current bucket, written to `sizes` when the bucket closes or the
    /// window is coded (`sizes[slot]` is stale meanwhile): a write to the array checked that
    /// its storage was unique, at every trade.
    private var currentSize = 0.0

    /// The buckets of a window of `window` nanoseconds.
    static func buckets(of window: Int64) -> TimeGrid { TimeGrid(period: max(1, window / Int64(count))) }

    /// Adds a trade of `size` at `time` (no earlier than the last one's).
    mutating func add(_ size: Double, at time: Int64, buckets: TimeGrid) {
        if time >= nextBucket { open(buckets.index(of: time), buckets: buckets) }
        currentSize += size
        total += size
    }

    /// Closes the current bucket and moves to `bucket`, emptying the buckets that leave the window.
    private mutating func open(_ bucket: Int64, buckets: TimeGrid) {
        sizes[slot] = currentSize
        if current == .min || bucket - current >= Int64(Self.count) {
            for index in sizes.indices { sizes[index] = 0 }
            total = 0
        } else {
            for passed in (current + 1)...bucket {
                let index = Self.index(passed)
                total -= sizes[index]
                sizes[index] = 0
            }
        }
        enter(bucket, buckets: buckets)
    }

    /// Makes `bucket` the current one.
    private mutating func enter(_ bucket: Int64, buckets: TimeGrid) {
        current = bucket
        slot = bucket == .min ? 0 : Self.index(bucket)
        nextBucket = bucket == .min ? .min : buckets.start(of: bucket + 1)
        currentSize = sizes[slot]
    }

    private static func index(_ bucket: Int64) -> Int {
        let remainder = Int(bucket % Int64(count))
        return remainder < 0 ? remainder + count : remainder
    }

    /// Codes the window: the last trade's bucket and the sizes of the buckets (the rest
    /// follows from them).
    mutating func code(_ coder: inout StateCoder, buckets: TimeGrid) throws(CodecError) {
        try coder.code(&current)
        if coder.isEncoding { sizes[slot] = currentSize }
        try coder.code(&sizes)
        guard !coder.isEncoding else { return }
        guard sizes.count == Self.count else { throw .invalidValue(field: "volume buckets", offset: 0) }
        total = sizes.reduce(0, +)
        enter(current, buckets: buckets)
    }
}
