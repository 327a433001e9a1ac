public import Configuration
import Crypto
public import Execution
public import Projections
public import Risk
public import TapeCore
public import Strategies

/// What a run does (specs/runs.md): one versioned YAML file naming the projections and the
/// risk limits it uses (paths relative to the file), the execution model, the strategies and
/// the seed. The three files' texts are stored in the run journal, so a run journal alone says
/// how it was made, and their hashes make the run's configuration hash.
public struct RunConfiguration: Sendable {
    public static let version = 1

    /// The run file's text and where it came from.
    public let text: String
    public let source: String
    public let projections: ProjectionConfiguration
    public let projectionsText: String
    public let limits: RiskLimits
    public let limitsText: String
    public let execution: ExecutionOptions
    public let seed: UInt64
    /// The `strategies` list, resolved against a journal's instruments by `strategies(for:)`.
    let strategiesNode: ConfigNode?
    /// SHA-256 over the three files' canonical hashes.
    public let hash: Hash256

    /// Reads a run file and the files it names.
    public init(path: String) throws(ConfigError) {
        let text = try ConfigDocument.text(path: path)
        func named(_ node: ConfigNode) throws(ConfigError) -> (text: String, path: String) {
            let full = ConfigDocument.path(try node.text("file name"), relativeTo: path)
            do throws(ConfigError) {
                return (try ConfigDocument.text(path: full), full)
            } catch {
                throw node.error("\(full): \(error.reason)")
            }
        }
        let document = try ConfigDocument(yaml: text, source: path)
        let top = try document.versioned(Self.version, allowed: Self.keys, what: "the run configuration")
        let projections = try named(top.required("projections"))
        let limits = try named(top.required("limits"))
        try self.init(text: text, source: path, projections: projections, limits: limits)
    }

    /// A run configuration from the texts of its three files (as stored in a run journal).
    public init(text: String, source: String, projections: (text: String, path: String), limits: (text: String, path: String)) throws(ConfigError) {
        self.text = text
        self.source = source
        let document = try ConfigDocument(yaml: text, source: source)
        let top = try document.versioned(Self.version, allowed: Self.keys, what: "the run configuration")
        let projectionsDocument = try ConfigDocument(yaml: projections.text, source: projections.path)
        let limitsDocument = try ConfigDocument(yaml: limits.text, source: limits.path)
        self.projections = try ProjectionConfiguration(projectionsDocument)
        projectionsText = projections.text
        self.limits = try RiskLimits(limitsDocument)
        limitsText = limits.text
        guard let ledger = self.projections.ledger else {
            throw top.owner.error("a run needs a ledger section in its projections (\(projections.path))")
        }
        guard ledger.funding == .rates else {
            throw top.owner.error("a run computes funding from rates: \(projections.path) says funding: payments")
        }
        if self.limits.needsRiskProjection && self.projections.risk == nil {
            throw top.owner.error("the limits of \(limits.path) read risk measures: add a risk section to \(projections.path)")
        }
        execution = try top["execution"].map { (node) throws(ConfigError) in try ExecutionOptions(node) } ?? ExecutionOptions()
        seed = UInt64(try top["seed"]?.integer("seed", in: 0...Int.max) ?? 0)
        strategiesNode = top["strategies"]
        var bytes: [UInt8] = []
        for part in [document.hash, projectionsDocument.hash, limitsDocument.hash] { bytes += part.bytes }
        hash = Hash256(bytes: Array(SHA256.hash(data: bytes)))!
    }

    static let keys: Set<String> = ["projections", "limits", "execution", "strategies", "seed"]

    /// The strategies, resolved against `instruments`.
    public func strategies(for instruments: InstrumentTable) throws(ConfigError) -> StrategySet {
        try StrategySet(strategiesNode, instruments: instruments, bars: projections.bars)
    }
}
