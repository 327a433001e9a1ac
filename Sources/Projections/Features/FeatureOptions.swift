import Configuration
import Indicators

/// Options of the features projection: which features, on which bars and instruments, and the
/// bar series whose closes make the rows of the feature matrix.
public struct FeaturesOptions: Sendable {
    /// The bar series (of the bars projection) each of whose closes makes a row.
    public var sample: String
    /// The instruments rows are made for; nil: every instrument the sample series has.
    public var instruments: [String]?
    public var features: [FeatureSpec]

    /// The column names, in order: a feature with several outputs has one per output
    /// (`name.output`).
    public var columns: [String] {
        features.flatMap { feature in feature.outputs.count == 1 ? [feature.name] : feature.outputs.map { "\(feature.name).\($0)" } }
    }

    init(_ node: ConfigNode) throws(ConfigError) {
        let fields = try node.mapping(allowed: ["sample", "instruments", "list"], what: "features")
        sample = try fields.required("sample").text("sample")
        if let list = fields["instruments"] {
            instruments = try list.list("instruments").map { (item) throws(ConfigError) in try item.text("instrument") }
        }
        var names = Set<String>()
        features = []
        for item in try fields.required("list").list("list") {
            let feature = try FeatureSpec(item)
            guard names.insert(feature.name).inserted else { throw item.error("feature \(feature.name) is defined twice") }
            features.append(feature)
        }
        guard !features.isEmpty else { throw fields.owner.error("features needs at least one feature in list") }
    }
}

/// One feature: an indicator on bars, or a value read from the event streams.
public struct FeatureSpec: Sendable {
    public enum Source: Sendable {
        /// An indicator of the catalogue on a bar series (`bars`, default the sample series), with
        /// `other` the instrument whose close is the indicator's second series (correl, beta).
        case indicator(kind: String, parameters: [String: Double], series: String?, other: String?)
        /// A reading of the books, trades, perpetual or alternative data streams.
        case stream(StreamFeature, window: Int64?, basisPoints: Int?, instrument: String?)
    }

    public var name: String
    public var source: Source
    /// The output names.
    public var outputs: [String]

    init(_ node: ConfigNode) throws(ConfigError) {
        let reserved: Set<String> = ["name", "indicator", "source", "bars", "other", "window", "bps", "instrument"]
        let indicatorParameters = Set(try node.keys("a feature")).subtracting(reserved)
        let fields = try node.mapping(allowed: reserved.union(indicatorParameters), what: "a feature")
        name = try fields.required("name").text("name")
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw fields.owner.error("feature name '\(name)' may use only letters, digits and _")
        }
        switch (fields["indicator"], fields["source"]) {
        case (let indicatorNode?, nil):
            let kindName = try indicatorNode.text("indicator")
            guard let kind = IndicatorCatalog.kind(named: kindName) else {
                throw indicatorNode.error("no indicator named '\(kindName)' (tape features --list shows them)")
            }
            for key in ["window", "bps", "instrument"] where fields[key] != nil {
                throw fields.owner.error("\(key) does not apply to an indicator feature")
            }
            var parameters: [String: Double] = [:]
            for key in indicatorParameters.sorted() {
                let value = try fields.required(key)
                parameters[key] = try value.number(key, in: -1e12...1e12)
            }
            do {
                _ = try IndicatorCatalog.arguments(kind, parameters)
            } catch {
                throw fields.owner.error(error.description)
            }
            let series = try fields["bars"].map { (node) throws(ConfigError) in try node.text("bars") }
            let other = try fields["other"].map { (node) throws(ConfigError) in try node.text("other") }
            source = .indicator(kind: kindName, parameters: parameters, series: series, other: other)
            outputs = kind.outputs
        case (nil, let sourceNode?):
            let sourceName = try sourceNode.text("source")
            guard let stream = StreamFeature(rawValue: sourceName) else {
                throw sourceNode.error("source '\(sourceName)' is not one of \(StreamFeature.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard indicatorParameters.isEmpty, fields["bars"] == nil, fields["other"] == nil else {
                throw fields.owner.error("a source feature takes only name, source and the options of its source")
            }
            let window = try fields["window"].map { (node) throws(ConfigError) in try node.duration("window") }
            let bps = try fields["bps"].map { (node) throws(ConfigError) in try node.integer("bps", in: 1...10_000) }
            let instrument = try fields["instrument"].map { (node) throws(ConfigError) in try node.text("instrument") }
            if stream.needsWindow && window == nil { throw fields.owner.error("source \(sourceName) needs a window (e.g. 5m)") }
            if !stream.needsWindow && window != nil { throw fields.owner.error("window does not apply to source \(sourceName)") }
            if stream.needsBasisPoints != (bps != nil) {
                throw fields.owner.error(stream.needsBasisPoints ? "source \(sourceName) needs bps" : "bps does not apply to source \(sourceName)")
            }
            if stream.isGlobal && instrument == nil { throw fields.owner.error("source \(sourceName) needs the instrument it reads (an index or a chain)") }
            if !stream.isGlobal && instrument != nil { throw fields.owner.error("instrument does not apply to source \(sourceName): it reads the row's instrument") }
            source = .stream(stream, window: window, basisPoints: bps, instrument: instrument)
            outputs = ["value"]
        default:
            throw fields.owner.error("a feature needs exactly one of indicator and source")
        }
    }
}

/// The features read from event streams rather than computed on bars.
public enum StreamFeature: String, Sendable, CaseIterable {
    /// The book's spread over its mid, in basis points.
    case spreadBps = "spread_bps"
    /// `(bid size − ask size) / (bid size + ask size)` of the top of the book.
    case bookImbalance = "book_imbalance"
    /// The same within `bps` of the mid.
    case depthImbalance = "depth_imbalance"
    /// The microprice's distance from the mid, in basis points.
    case micropriceOffsetBps = "microprice_offset_bps"
    /// `(bought − sold) / (bought + sold)` of the trades in the window (by taker side).
    case tradeImbalance = "trade_imbalance"
    /// Bought minus sold size in the window, in base units.
    case signedVolume = "signed_volume"
    /// The number of trades in the window.
    case tradeCount = "trade_count"
    /// The last trade's distance from the window's VWAP, in basis points.
    case vwapDeviationBps = "vwap_deviation_bps"
    /// The latest funding rate (the venue's estimate for the next funding, or the settled one).
    case fundingRate = "funding_rate"
    /// The latest funding rate per year (× the fundings in a year at its interval, 8h when unknown).
    case fundingAnnualized = "funding_annualized"
    /// The mark price's premium over the index, in basis points.
    case basisBps = "basis_bps"
    /// The relative change of open interest over the window.
    case openInterestChange = "open_interest_change"
    /// The latest reading of a sentiment index (`instrument`), at its receive time.
    case sentiment
    /// Its change over the window.
    case sentimentChange = "sentiment_change"
    /// On-chain transfers of a chain (`instrument`) into exchanges over the window, in its units.
    case whaleInflow = "whale_inflow"
    /// Out of exchanges.
    case whaleOutflow = "whale_outflow"
    /// In minus out.
    case whaleNetflow = "whale_netflow"

    var needsWindow: Bool {
        switch self {
        case .tradeImbalance, .signedVolume, .tradeCount, .vwapDeviationBps, .openInterestChange, .sentimentChange, .whaleInflow, .whaleOutflow, .whaleNetflow: true
        default: false
        }
    }

    var needsBasisPoints: Bool { self == .depthImbalance }

    /// Whether it reads a fixed instrument (an index or a chain) rather than the row's.
    var isGlobal: Bool {
        switch self {
        case .sentiment, .sentimentChange, .whaleInflow, .whaleOutflow, .whaleNetflow: true
        default: false
        }
    }

    /// Whether it reads the order book.
    var needsBook: Bool {
        switch self {
        case .spreadBps, .bookImbalance, .depthImbalance, .micropriceOffsetBps: true
        default: false
        }
    }
}
