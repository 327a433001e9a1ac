public import TapeCore
import Crypto
import Foundation
import Yams

/// A configuration file could not be used; names the file and, when known, the line.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var reason: String

    public init(file: String, line: Int?, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)" }
}

/// A YAML configuration file, the one format every Tape configuration uses (instrument
/// catalogue, projections). Scalars are read as the text they were written as, so `0.10` is
/// the exact decimal 0.10, never a float; every error names the file and line.
public struct ConfigDocument: Sendable {
    /// The top-level value.
    public let root: ConfigNode

    /// Reads a file.
    public init(path: String) throws(ConfigError) {
        try self.init(yaml: try Self.text(path: path), source: path)
    }

    /// The text of the file at `path`.
    public static func text(path: String) throws(ConfigError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, line: nil, reason: "cannot read: \(error.localizedDescription)")
        }
    }

    /// `name` resolved against the directory of the file at `path` (absolute names as they are).
    public static func path(_ name: String, relativeTo path: String) -> String {
        name.hasPrefix("/") ? name : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Reads YAML text; `source` names it in errors.
    public init(yaml: String, source: String) throws(ConfigError) {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigError(file: source, line: nil, reason: "not valid YAML: \(error)")
        }
        guard let node else { throw ConfigError(file: source, line: 1, reason: "the file is empty") }
        root = ConfigNode(node: node, source: source)
    }
}

/// One value of a configuration document, with typed readers that fail with file and line.
public struct ConfigNode: @unchecked Sendable {  // Yams.Node is an immutable value tree
    let node: Node
    /// The file the value came from.
    public let source: String

    init(node: Node, source: String) {
        self.node = node
        self.source = source
    }

    /// The 1-based line the value starts on.
    public var line: Int? { node.mark?.line }

    /// An error at this value.
    public func error(_ reason: String) -> ConfigError {
        ConfigError(file: source, line: line, reason: reason)
    }

    /// The value as a mapping whose keys must all be in `allowed`.
    public func mapping(allowed: Set<String>, what: String) throws(ConfigError) -> ConfigMapping {
        guard case .mapping(let entries) = node else { throw error("\(what) must be a mapping") }
        var keys: [String] = []
        for (key, _) in entries {
            guard let name = key.string, allowed.contains(name) else {
                throw ConfigError(
                    file: source, line: key.mark?.line,
                    reason: "unknown key '\(key.string ?? "?")' in \(what) (known: \(allowed.sorted().joined(separator: ", ")))")
            }
            keys.append(name)
        }
        return ConfigMapping(entries: entries, keys: keys, owner: self, what: what)
    }

    /// The keys of a mapping value, in file order, not yet checked (for mappings whose allowed
    /// keys depend on one of their values).
    public func keys(_ what: String) throws(ConfigError) -> [String] {
        guard case .mapping(let entries) = node else { throw error("\(what) must be a mapping") }
        return entries.map { $0.key.string ?? "" }
    }

    /// The value as a list.
    public func list(_ what: String) throws(ConfigError) -> [ConfigNode] {
        guard case .sequence(let items) = node else { throw error("\(what) must be a list") }
        return items.map { ConfigNode(node: $0, source: source) }
    }

    /// The value as non-empty text.
    public func text(_ what: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else { throw error("\(what) must be a non-empty value") }
        return scalar.string
    }

    /// The value as an integer within `range`.
    public func integer(_ what: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let value = try text(what)
        guard let number = Int(value), range.contains(number) else {
            throw error("\(what) must be an integer from \(range.lowerBound) to \(range.upperBound), not '\(value)'")
        }
        return number
    }

    /// The value as an exact decimal at `scale` decimals.
    public func decimal(_ what: String, scale: Int) throws(ConfigError) -> Int64 {
        let value = try text(what)
        do {
            return try FixedPoint.parse(value, scale: scale)
        } catch {
            throw self.error("\(what) '\(value)': \(error)")
        }
    }

    /// The value as a finite number within `range` (for parameters of statistics, not money).
    public func number(_ what: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        let value = try text(what)
        guard let number = Double(value), number.isFinite, range.contains(number) else {
            throw error("\(what) must be a number from \(range.lowerBound) to \(range.upperBound), not '\(value)'")
        }
        return number
    }

    /// The value as a duration (`500ms`, `1m`, `4h`, `1d`), in nanoseconds.
    public func duration(_ what: String) throws(ConfigError) -> Int64 {
        let value = try text(what)
        guard let nanoseconds = DurationText.nanoseconds(value) else {
            throw error("\(what) '\(value)' must be a positive count with a unit of ms, s, m, h, d or w (e.g. 1m)")
        }
        return nanoseconds
    }

    /// The value as `true` or `false`.
    public func bool(_ what: String) throws(ConfigError) -> Bool {
        switch try text(what) {
        case "true": return true
        case "false": return false
        default: throw error("\(what) must be true or false")
        }
    }

    /// The value in a canonical text form: mappings with their keys sorted, lists in order,
    /// scalars as written. Two files that say the same thing in a different layout, order of
    /// keys or comments have the same canonical text, so hashes of it survive cosmetic edits.
    public var canonicalText: String {
        var output = ""
        Self.canonical(node, into: &output)
        return output
    }

    private static func canonical(_ node: Node, into output: inout String) {
        switch node {
        case .scalar(let scalar):
            output += "\"" + scalar.string.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .sequence(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                canonical(item, into: &output)
            }
            output += "]"
        case .mapping(let entries):
            output += "{"
            let sorted = entries.map { ($0.key.string ?? "", $0.value) }.sorted { $0.0 < $1.0 }
            for (index, (key, value)) in sorted.enumerated() {
                if index > 0 { output += "," }
                canonical(.scalar(.init(key)), into: &output)
                output += ":"
                canonical(value, into: &output)
            }
            output += "}"
        case .alias:
            output += "null"
        }
    }
}

/// A mapping whose keys were checked against the allowed set.
public struct ConfigMapping: @unchecked Sendable {
    let entries: Node.Mapping
    /// The keys present, in file order.
    public let keys: [String]
    /// The mapping as a value, for errors about it as a whole.
    public let owner: ConfigNode
    let what: String

    /// The value under `key`, if present.
    public subscript(key: String) -> ConfigNode? {
        entries[key].map { ConfigNode(node: $0, source: owner.source) }
    }

    /// The value under `key`, which must be present.
    public func required(_ key: String) throws(ConfigError) -> ConfigNode {
        guard let value = self[key] else { throw owner.error("\(what) needs \(key)") }
        return value
    }
}

extension ConfigDocument {
    /// SHA-256 of the document's canonical text: the same for files that differ only in layout.
    public var hash: Hash256 { Hash256(bytes: Array(SHA256.hash(data: Array(root.canonicalText.utf8))))! }

    /// The top-level mapping of a versioned file: its keys among `allowed` (plus `version`),
    /// and `version` equal to `version`.
    public func versioned(_ version: Int, allowed: Set<String>, what: String) throws(ConfigError) -> ConfigMapping {
        let top = try root.mapping(allowed: allowed.union(["version"]), what: what)
        guard try top.required("version").integer("version", in: 1...Int.max) == version else {
            throw top.owner.error("version must be \(version)")
        }
        return top
    }
}

/// A configuration read from one YAML document, from a file or from text.
public protocol ConfigurationFile {
    init(_ document: ConfigDocument) throws(ConfigError)
}

extension ConfigurationFile {
    /// Reads a configuration file.
    public init(path: String) throws(ConfigError) {
        try self.init(ConfigDocument(path: path))
    }

    /// Reads a configuration from YAML text; `source` names it in errors.
    public init(yaml: String, source: String) throws(ConfigError) {
        try self.init(ConfigDocument(yaml: yaml, source: source))
    }
}

extension ConfigDocument {
    /// The document as YAML text with the scalar at each override's path set to its value (a
    /// variant of a configuration, as a parameter search makes). A path is mapping keys and
    /// list indices from the top; every step of it must exist.
    public func yaml(setting overrides: [(path: [String], value: String)]) throws(ConfigError) -> String {
        var node = root.node
        for (path, value) in overrides {
            node = try Self.setting(path[...], to: value, in: node, source: root.source, at: [])
        }
        do {
            return try Yams.serialize(node: node)
        } catch {
            throw ConfigError(file: root.source, line: nil, reason: "cannot write the variant: \(error)")
        }
    }

    private static func setting(_ path: ArraySlice<String>, to value: String, in node: Node, source: String, at done: [String]) throws(ConfigError) -> Node {
        guard let step = path.first else { return Node(value) }
        if path.count == 1, case .mapping = node {
            var copy = node
            copy[step] = Node(value)
            return copy
        }
        guard let child = node[step] else {
            throw ConfigError(file: source, line: node.mark?.line, reason: "no \((done + [step]).joined(separator: ".")) to set")
        }
        var copy = node
        copy[step] = try setting(path.dropFirst(), to: value, in: child, source: source, at: done + [step])
        return copy
    }
}
