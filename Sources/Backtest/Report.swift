public import Engine
public import Events
import TapeCore

/// A run's report (specs/report.md): one self-contained HTML file — inline CSS and SVG charts,
/// nothing fetched — and the same numbers as JSON. Written as XHTML-compatible HTML5, so an
/// XML parser can check it is well formed. The same inputs give the same bytes.
public struct Report: Sendable {
    /// A walk-forward fold, for the fold table.
    public struct FoldRow: Sendable {
        public var fold: Int
        public var trainStart: Int64
        public var testStart: Int64
        public var testEnd: Int64
        public var chosen: String
        public var trainObjective: Double
        public var testReturn: Double
        public var testSharpe: Double
        public var testTrades: Int

        public init(fold: Int, trainStart: Int64, testStart: Int64, testEnd: Int64, chosen: String, trainObjective: Double, testReturn: Double, testSharpe: Double, testTrades: Int) {
            (self.fold, self.trainStart, self.testStart, self.testEnd, self.chosen) = (fold, trainStart, testStart, testEnd, chosen)
            (self.trainObjective, self.testReturn, self.testSharpe, self.testTrades) = (trainObjective, testReturn, testSharpe, testTrades)
        }
    }

    public var title: String
    public var subtitle: String
    public var currency: String
    public var performance: Performance
    public var metrics: Metrics
    public var regimes: Regimes
    public var folds: [FoldRow]
    /// Instrument names by raw id, for the trade list.
    public var instrumentNames: [String]
    /// At most this many trades are listed in the HTML (the first and last halves); the JSON has all.
    public var listedTrades = 1_000

    public init(title: String, subtitle: String, currency: String, performance: Performance, metrics: Metrics, regimes: Regimes,
                folds: [FoldRow] = [], instrumentNames: [String]) {
        self.title = title
        self.subtitle = subtitle
        self.currency = currency
        self.performance = performance
        self.metrics = metrics
        self.regimes = regimes
        self.folds = folds
        self.instrumentNames = instrumentNames
    }

    // MARK: Series

    /// The drawdown below the running peak at each sample, a positive fraction.
    var drawdowns: [Double] {
        var peak = -Double.infinity
        return performance.equity.map { value in
            peak = max(peak, value)
            return peak > 0 ? (peak - value) / peak : 0
        }
    }

    /// The annualised Sharpe ratio of the last `window` returns at each sample (NaN before).
    func rollingSharpe(window: Int) -> [Double] {
        let returns = PerformanceMath.returns(performance.equity)
        let perYear = performance.periodsPerYear
        var values = [Double](repeating: .nan, count: performance.equity.count)
        guard returns.count >= window else { return values }
        for end in window...returns.count {
            values[end] = PerformanceMath.sharpe(Array(returns[(end - window)..<end]), periodsPerYear: perYear)
        }
        return values
    }

    /// Returns compounded per calendar month (UTC): (year, month 1…12, return).
    var monthly: [(year: Int, month: Int, value: Double)] {
        var months: [(year: Int, month: Int, value: Double)] = []
        let equity = performance.equity, times = performance.times
        for index in equity.indices.dropFirst() where equity[index - 1] != 0 {
            let nanos = times[index - 1]
            let date = CivilCalendar.date(fromDays: (nanos >= 0 ? nanos : nanos - 86_399_999_999_999) / 86_400_000_000_000)
            let (year, month) = (Int(date.year), date.month)
            let r = equity[index] / equity[index - 1] - 1
            if let last = months.last, last.year == year, last.month == month {
                months[months.count - 1].value = (1 + last.value) * (1 + r) - 1
            } else {
                months.append((year, month, r))
            }
        }
        return months
    }

    // MARK: JSON

    public var json: JSONValue {
        let folds: [JSONValue] = self.folds.map { fold in
            let times: [(String, JSONValue)] = [("train_start", .string(Self.time(fold.trainStart))), ("test_start", .string(Self.time(fold.testStart))),
                                                ("test_end", .string(Self.time(fold.testEnd)))]
            let results: [(String, JSONValue)] = [("chosen", .string(fold.chosen)), ("train_objective", Self.json(fold.trainObjective)),
                                                  ("test_return", Self.json(fold.testReturn)), ("test_sharpe", Self.json(fold.testSharpe)),
                                                  ("test_trades", .unsigned(UInt64(fold.testTrades)))]
            return .object([("fold", .unsigned(UInt64(fold.fold)))] + times + results)
        }
        let months: [JSONValue] = monthly.map { .object([("year", .integer(Int64($0.year))), ("month", .integer(Int64($0.month))), ("return", Self.json($0.value))]) }
        let series: JSONValue = .object([
            ("times", .array(performance.times.map { .integer($0) })),
            ("equity", .array(performance.equity.map(Self.json))),
            ("drawdown", .array(drawdowns.map(Self.json))),
            ("exposure", .array(performance.exposure.map(Self.json))),
        ])
        let trades: [JSONValue] = performance.trades.map { trade in
            .object([("instrument", .string(name(trade.instrument))), ("side", .string(trade.side > 0 ? "long" : "short")),
                     ("opened", .string(Self.time(trade.opened))), ("closed", .string(Self.time(trade.closed))), ("profit", Self.json(trade.profit))])
        }
        let head: [(String, JSONValue)] = [("title", .string(title)), ("subtitle", .string(subtitle)), ("currency", .string(currency)),
                                           ("period_ns", .integer(performance.period))]
        return .object(head + [("metrics", metrics.json), ("regimes", regimes.json), ("folds", .array(folds)), ("monthly_returns", .array(months)),
                               ("series", series), ("trades", .array(trades))])
    }

    static func json(_ x: Double) -> JSONValue { x.isFinite ? .double(x) : .null }

    func name(_ instrument: InstrumentID) -> String {
        let raw = Int(instrument.rawValue)
        return raw >= 1 && raw <= instrumentNames.count ? instrumentNames[raw - 1] : "#\(raw)"
    }

    static func time(_ nanos: Int64) -> String { Timestamp(nanosSinceEpoch: nanos).iso8601 }
}
