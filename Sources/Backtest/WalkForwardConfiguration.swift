public import Configuration
import Crypto
public import Engine
public import Events
public import TapeCore

/// A walk-forward study (specs/walkforward.md): the run it varies, how the source is cut into
/// folds, the parameters searched on each training slice and the objective that picks them.
/// A sweep (specs/sweep.md) reads the same file without `folds`: every candidate run once over
/// the whole source.
public struct WalkForwardConfiguration: Sendable {
    public static let version = 1

    public enum Scheme: String, Sendable { case rolling, anchored }

    /// Which study the file is for: a walk-forward needs `folds`, a sweep refuses them.
    public enum Study: Sendable { case walkForward, sweep }

    /// What a fit maximises, read from the training run's metrics.
    public enum Objective: String, Sendable {
        case sharpe, sortino, calmar
        case netPnL = "net_pnl"

        public func value(_ metrics: Metrics, _ performance: Performance) -> Double {
            switch self {
            case .sharpe: metrics.sharpe
            case .sortino: metrics.sortino
            case .calmar: metrics.calmar
            case .netPnL: (performance.equity.last ?? .nan) - (performance.equity.first ?? .nan)
            }
        }
    }

    /// One searched parameter: a key of the `strategy`-th strategy of the run and its values
    /// (as written, so decimals stay exact).
    public struct Parameter: Sendable, Equatable {
        public var strategy: Int
        public var key: String
        public var values: [String]
        /// Where it is written, for errors about its values.
        public var line: Int?
    }

    public let text: String
    public let source: String
    /// The run each candidate varies.
    public let run: RunConfiguration
    public let scheme: Scheme
    /// Slice lengths, nanoseconds.
    public let train: Int64
    public let test: Int64
    public let purge: Int64
    public let embargo: Int64
    /// At most this many folds (nil: as many as fit).
    public let maximumFolds: Int?
    /// Random search: how many distinct candidates of the grid, drawn with `seed` (nil: the whole grid).
    public let samples: Int?
    public let seed: UInt64
    public let objective: Objective
    public let parameters: [Parameter]
    /// The equity sampling of the metrics.
    public let sample: Int64
    /// SHA-256 over this file's canonical hash and the run's configuration hash.
    public let hash: Hash256

    public init(path: String, study: Study = .walkForward) throws(ConfigError) {
        let text = try ConfigDocument.text(path: path)
        let document = try ConfigDocument(yaml: text, source: path)
        let top = try document.versioned(Self.version, allowed: Set(["run", "search", "objective", "parameters", "sample"] + (study == .walkForward ? ["folds"] : [])),
                                         what: study == .walkForward ? "a walk-forward configuration" : "a sweep configuration")
        let runNode = try top.required("run")
        let runPath = ConfigDocument.path(try runNode.text("run"), relativeTo: path)
        do throws(ConfigError) {
            run = try RunConfiguration(path: runPath)
        } catch {
            throw runNode.error("\(runPath): \(error)")
        }
        if study == .walkForward {
            let folds = try top.required("folds").mapping(allowed: ["scheme", "train", "test", "purge", "embargo", "count"], what: "folds")
            let schemeText = try folds["scheme"]?.text("scheme") ?? "rolling"
            guard let scheme = Scheme(rawValue: schemeText) else { throw folds.owner.error("scheme '\(schemeText)' is not rolling or anchored") }
            self.scheme = scheme
            train = try folds.required("train").duration("train")
            test = try folds.required("test").duration("test")
            purge = try folds["purge"]?.duration("purge") ?? 0
            embargo = try folds["embargo"]?.duration("embargo") ?? 0
            maximumFolds = try folds["count"]?.integer("count", in: 1...10_000)
        } else {
            (scheme, train, test, purge, embargo, maximumFolds) = (.rolling, 0, 0, 0, 0, nil)
        }
        let search = try top["search"]?.mapping(allowed: ["method", "samples", "seed"], what: "search")
        let method = try search?["method"]?.text("method") ?? "grid"
        switch method {
        case "grid": samples = nil
        case "random": samples = try search?.required("samples").integer("samples", in: 1...1_000_000)
        default: throw search!.owner.error("method '\(method)' is not grid or random")
        }
        seed = UInt64(try search?["seed"]?.integer("seed", in: 0...Int.max) ?? 0)
        let objectiveText = try top["objective"]?.text("objective") ?? "sharpe"
        guard let objective = Objective(rawValue: objectiveText) else {
            throw try top.required("objective").error("objective '\(objectiveText)' is not sharpe, sortino, calmar or net_pnl")
        }
        self.objective = objective
        var parameters: [Parameter] = []
        for node in try top.required("parameters").list("parameters") {
            let fields = try node.mapping(allowed: ["strategy", "key", "values"], what: "a parameter")
            let values = try fields.required("values").list("values").map { (value) throws(ConfigError) in try value.text("a value") }
            guard !values.isEmpty else { throw fields.owner.error("a parameter needs at least one value") }
            parameters.append(Parameter(strategy: try fields["strategy"]?.integer("strategy", in: 0...1_000) ?? 0,
                                        key: try fields.required("key").text("key"), values: values, line: node.line))
        }
        self.parameters = parameters
        sample = try top["sample"]?.duration("sample") ?? 86_400_000_000_000
        self.text = text
        source = path
        hash = Hash256(bytes: Array(SHA256.hash(data: document.hash.bytes + run.hash.bytes)))!
        try check(instruments: nil)
    }

    /// Checks that every value makes a valid run configuration and, given a journal's
    /// instruments, valid strategies: a bad value fails before any run, naming this file's line.
    public func check(instruments: InstrumentTable?) throws(ConfigError) {
        for parameter in parameters {
            for value in parameter.values {
                do throws(ConfigError) {
                    let run = try variant([(parameter, value)])
                    if let instruments { _ = try run.strategies(for: instruments) }
                } catch {
                    throw ConfigError(file: source, line: parameter.line, reason: "strategy \(parameter.strategy) \(parameter.key) = \(value): \(error.reason)")
                }
            }
        }
    }

    /// The candidates of the search, in order: the grid (the first parameter varying slowest),
    /// or `samples` distinct points of it drawn with the seed, in grid order.
    public var candidates: [[String]] {
        var grid: [[String]] = [[]]
        for parameter in parameters {
            grid = grid.flatMap { prefix in parameter.values.map { prefix + [$0] } }
        }
        guard let samples, samples < grid.count else { return grid }
        var generator = SeededGenerator(seed: seed)
        var indices = Array(grid.indices)
        for position in 0..<samples {
            indices.swapAt(position, position + Int(generator.next(upperBound: UInt64(indices.count - position))))
        }
        return indices.prefix(samples).sorted().map { grid[$0] }
    }

    /// A candidate's values named `strategy.key`, in parameter order.
    public func named(_ values: [String]) -> [(name: String, value: String)] {
        zip(parameters, values).map { ("\($0.strategy).\($0.key)", $1) }
    }

    /// A candidate's values as a JSON object, `"strategy.key": value`.
    public func json(_ values: [String]) -> JSONValue {
        .object(named(values).map { ($0.name, .string($0.value)) })
    }

    /// A candidate's values as text, `strategy.key=value` separated by spaces.
    public func text(_ values: [String]) -> String {
        named(values).map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }

    /// The index of the highest objective: the first in search order among equals (`max`
    /// keeps the first); NaN never beats a number; 0 when every one is NaN.
    public static func best(_ objectives: [Double]) -> Int {
        objectives.indices.filter { !objectives[$0].isNaN }.max { objectives[$0] < objectives[$1] } ?? 0
    }

    /// The run with the parameters set to `values` (one per parameter, in order), and its
    /// `seed` set when given.
    public func variant(_ values: [String], seed: UInt64? = nil) throws(ConfigError) -> RunConfiguration {
        try variant(Array(zip(parameters, values)), seed: seed)
    }

    private func variant(_ settings: [(Parameter, String)], seed: UInt64? = nil) throws(ConfigError) -> RunConfiguration {
        let document = try ConfigDocument(yaml: run.text, source: run.source)
        let text = try document.yaml(setting: settings.map { (["strategies", String($0.0.strategy), $0.0.key], $0.1) } + (seed.map { [(["seed"], String($0))] } ?? []))
        return try RunConfiguration(
            text: text, source: run.source, projections: (run.projectionsText, run.projections.source), limits: (run.limitsText, run.limits.source))
    }
}
