import Configuration
import TapeCore

/// Options of the bars projection: which bar series to build, for which instruments.
public struct BarsOptions: Sendable, Equatable {
    /// The series, in configuration order (which is also their order in states and outputs).
    public var series: [BarSeriesOptions] = []
    /// The instruments (`SYMBOL.VENUE`) bars are built for; nil: every tradable instrument.
    public var instruments: [String]?
    /// How long after a time bar's end the journal's clock (receive time) must be before the
    /// bar closes without a trade of the next bar (nanoseconds; 1 s by default, longer than a
    /// venue's usual latency, so that trades of a bar received just after its end still count).
    public var closeDelay: Int64 = 1_000_000_000
    /// Whether a time interval without trades still makes a bar (flat, at the last close).
    public var emptyBars = true

    public init(series: [BarSeriesOptions] = [], instruments: [String]? = nil) {
        self.series = series
        self.instruments = instruments
    }

    init(_ node: ConfigNode) throws(ConfigError) {
        let fields = try node.mapping(allowed: ["series", "instruments", "close_delay", "empty_bars"], what: "bars")
        if let list = fields["instruments"] {
            instruments = try list.list("instruments").map { (item) throws(ConfigError) in try item.text("instrument") }
        }
        if let delay = fields["close_delay"] {
            let text = try delay.text("close_delay")
            closeDelay = text == "0" || text == "0s" ? 0 : try delay.duration("close_delay")
        }
        if let empty = fields["empty_bars"] { emptyBars = try empty.bool("empty_bars") }
        var names = Set<String>()
        for item in try fields.required("series").list("series") {
            let series = try BarSeriesOptions(item)
            guard names.insert(series.name).inserted else { throw item.error("bar series \(series.name) is defined twice") }
            self.series.append(series)
        }
        guard !series.isEmpty else { throw fields.owner.error("bars needs at least one series") }
    }
}

/// One bar series.
public struct BarSeriesOptions: Sendable, Equatable {
    /// How bars of the series are cut.
    public enum Kind: Sendable, Equatable {
        /// Bars of `period` nanoseconds of event time, aligned to multiples of the period since
        /// 1970-01-01T00:00:00Z (so periods that divide a day align to midnight).
        case time(period: Int64)
        /// A bar per `count` trades.
        case tick(count: Int64)
        /// A bar once the traded size reaches the threshold (decimal text in base units).
        case volume(threshold: String)
        /// A bar once the traded value reaches the threshold (decimal text in the quote currency).
        case dollar(threshold: String)
        /// The venue's own bars of this interval (`bar` events from klines), passed through.
        case imported(interval: Int64)
    }

    /// The series' name in configurations and outputs (`1m`, `vol100`, …).
    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    init(_ node: ConfigNode) throws(ConfigError) {
        let fields = try node.mapping(allowed: ["name", "type", "period", "trades", "size", "notional", "interval"], what: "a bar series")
        name = try fields.required("name").text("name")
        let typeNode = try fields.required("type")
        let expected: String
        switch try typeNode.text("type") {
        case "time":
            let period = try fields.required("period").duration("period")
            guard period >= 1_000_000_000 && period <= 86_400_000_000_000 else {
                throw typeNode.error("a time bar's period must be from 1s to 1d")
            }
            kind = .time(period: period)
            expected = "period"
        case "tick":
            kind = .tick(count: Int64(try fields.required("trades").integer("trades", in: 1...100_000_000)))
            expected = "trades"
        case "volume":
            let threshold = try fields.required("size")
            _ = try threshold.decimal("size", scale: FixedPoint.maximumScale / 2)
            kind = .volume(threshold: try threshold.text("size"))
            expected = "size"
        case "dollar":
            let threshold = try fields.required("notional")
            _ = try threshold.decimal("notional", scale: FixedPoint.maximumScale / 2)
            kind = .dollar(threshold: try threshold.text("notional"))
            expected = "notional"
        case "imported":
            kind = .imported(interval: try fields.required("interval").duration("interval"))
            expected = "interval"
        case let other:
            throw typeNode.error("bar type '\(other)' is not one of time, tick, volume, dollar, imported")
        }
        for key in fields.keys where !["name", "type", expected].contains(key) {
            throw fields.owner.error("\(key) does not apply to \(try typeNode.text("type")) bars")
        }
    }
}
