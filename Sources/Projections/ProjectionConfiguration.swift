public import Configuration
public import TapeCore

/// Which projections run and how: one YAML file under `projections/` (the default is
/// `projections/default.yaml`), specified in specs/projections.md. A section present turns
/// its projection on. The configuration's hash, of its canonical text, names its snapshots,
/// so editing comments or key order keeps them and any change of meaning does not.
public struct ProjectionConfiguration: Sendable, ConfigurationFile {
    /// The format version this build reads.
    public static let version = 1

    /// The order book projection's options; nil when it is off.
    public var book: BookOptions?
    /// The bars projection's options; nil when it is off.
    public var bars: BarsOptions?
    /// The features projection's options; nil when it is off.
    public var features: FeaturesOptions?
    /// The ledger projection's options; nil when it is off.
    public var ledger: LedgerOptions?
    /// The risk projection's options; nil when it is off.
    public var risk: RiskOptions?
    /// SHA-256 of the canonical text of the file.
    public let hash: Hash256
    /// Where it came from, for messages.
    public let source: String


    public init(_ document: ConfigDocument) throws(ConfigError) {
        source = document.root.source
        hash = document.hash
        let top = try document.versioned(Self.version, allowed: ["book", "bars", "features", "ledger", "risk"], what: "the projection configuration")
        book = try top["book"].map { (node) throws(ConfigError) in try BookOptions(node) }
        bars = try top["bars"].map { (node) throws(ConfigError) in try BarsOptions(node) }
        ledger = try top["ledger"].map { (node) throws(ConfigError) in try LedgerOptions(node) }
        if let node = top["risk"] {
            guard ledger != nil else { throw node.error("risk measures the ledger's account: add a ledger section") }
            risk = try RiskOptions(node)
        }
        if let node = top["features"] {
            let features = try FeaturesOptions(node)
            guard let bars else { throw node.error("features need a bars section (their rows are the closes of a bar series)") }
            let series = Set(bars.series.map(\.name))
            guard series.contains(features.sample) else { throw node.error("features sample \(features.sample) is not a bar series (\(bars.series.map(\.name).joined(separator: ", ")))") }
            for feature in features.features {
                switch feature.source {
                case .indicator(_, _, let name?, _) where !series.contains(name):
                    throw node.error("feature \(feature.name): bars \(name) is not a bar series")
                case .stream(let stream, _, _, _) where stream.needsBook && book == nil:
                    throw node.error("feature \(feature.name) reads the order book: add a book section")
                default: break
                }
            }
            self.features = features
        }
    }
}

/// Options of the order book projection.
public struct BookOptions: Sendable, Equatable {
    /// Ticks per side held in the dense ladder around the top of the book (performance only).
    public var windowTicks = 16_384
    /// The depths reported, in basis points of the mid.
    public var depthBasisPoints = [10, 50]

    public init() {}

    init(_ node: ConfigNode) throws(ConfigError) {
        let fields = try node.mapping(allowed: ["window_ticks", "depth_bps"], what: "book")
        if let window = fields["window_ticks"] { windowTicks = try window.integer("window_ticks", in: 64...(1 << 22)) }
        if let depths = fields["depth_bps"] {
            depthBasisPoints = try depths.list("depth_bps").map { (item) throws(ConfigError) in try item.integer("depth_bps", in: 1...10_000) }
        }
    }
}
