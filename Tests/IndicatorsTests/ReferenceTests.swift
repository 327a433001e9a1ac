import Foundation
import Testing
import TapeCore
import Indicators
import TestSupport

/// The real inputs and reference outputs of Fixtures/ (tools/make-indicator-fixtures).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// Every input row.
    static let inputs: [IndicatorInput] = {
        let text = try! String(contentsOfFile: "\(directory)/ohlcv.csv", encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let cells = line.split(separator: ",").dropFirst().map { Double($0)! }
            return IndicatorInput(open: cells[0], high: cells[1], low: cells[2], close: cells[3], volume: cells[4], other: cells[5])
        }
    }()

    /// A reference file's columns: header name → values (NaN where empty).
    static func columns(_ file: String) throws -> [(name: String, values: [Double])] {
        let text = String(decoding: try fileBytes("\(directory)/\(file)"), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        let names = lines[0].split(separator: ",").map(String.init)
        var values = [[Double]](repeating: [], count: names.count)
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            for (index, cell) in cells.enumerated() { values[index].append(cell.isEmpty ? .nan : Double(cell)!) }
        }
        return zip(names, values).map { ($0, $1) }
    }

    /// `name(p=v;q=w).output` → (name, parameters, output).
    static func parse(_ column: String) -> (name: String, parameters: [String: Double], output: String?) {
        let open = column.firstIndex(of: "(")!
        let close = column.lastIndex(of: ")")!
        let name = String(column[..<open])
        var parameters: [String: Double] = [:]
        for pair in column[column.index(after: open)..<close].split(separator: ";") {
            let parts = pair.split(separator: "=")
            parameters[String(parts[0])] = Double(parts[1])!
        }
        let rest = column[column.index(after: close)...]
        return (name, parameters, rest.isEmpty ? nil : String(rest.dropFirst()))
    }
}

/// Whether `value` equals `reference` to 1e-9 relative. For a value near zero in a series that
/// crosses zero (a slope, an oscillator), the relative error of any two algorithms is unbounded,
/// so the error is measured against the larger of the value and the series' median magnitude.
func agrees(_ value: Double, _ reference: Double, scale: Double) -> Bool {
    if reference.isNaN { return value.isNaN }
    return abs(value - reference) <= 1e-9 * max(abs(value), abs(reference), scale)
}

/// The median magnitude of a reference column's values.
func medianMagnitude(_ values: [Double]) -> Double {
    let magnitudes = values.filter { !$0.isNaN }.map(abs).sorted()
    return magnitudes.isEmpty ? 0 : magnitudes[magnitudes.count / 2]
}

/// Runs every indicator of a reference file over the real inputs; returns what disagrees and
/// which indicator names the file covers.
func compare(_ file: String) throws -> (failures: [String], covered: Set<String>) {
    let columns = try Fixtures.columns(file)
    var covered = Set<String>()
    var failures: [String] = []
    // Group the columns of one indicator (several outputs) and run it once.
    var groups: [(key: String, columns: [(output: String?, values: [Double])])] = []
    for (name, values) in columns {
        let parsed = Fixtures.parse(name)
        let key = String(name[...name.lastIndex(of: ")")!])
        if groups.last?.key == key { groups[groups.count - 1].columns.append((parsed.output, values)) } else { groups.append((key, [(parsed.output, values)])) }
    }
    for (key, outputs) in groups {
        let parsed = Fixtures.parse(key)
        covered.insert(parsed.name)
        guard let kind = IndicatorCatalog.kind(named: parsed.name) else {
            failures.append("\(key): not in the catalogue")
            continue
        }
        var indicator = try IndicatorCatalog.make(parsed.name, parameters: parsed.parameters)
        if indicator.outputNames != kind.outputs { failures.append("\(key): outputs \(indicator.outputNames), the catalogue says \(kind.outputs)") }
        let positions = outputs.map { output in output.output.map { kind.outputs.firstIndex(of: $0) ?? -1 } ?? 0 }
        guard !positions.contains(-1) else {
            failures.append("\(key): outputs \(outputs.map(\.output)) are not \(kind.outputs)")
            continue
        }
        let scales = outputs.map { medianMagnitude($0.values) }
        var firstDefined: Int?
        var mismatches = 0
        var example = ""
        for (row, input) in Fixtures.inputs.enumerated() {
            let result = indicator.update(input)
            for ((column, position), scale) in zip(zip(outputs, positions), scales) where !agrees(result[position], column.values[row], scale: scale) {
                mismatches += 1
                if example.isEmpty { example = "row \(row) \(column.output ?? "value"): \(result[position]) vs reference \(column.values[row])" }
            }
            if firstDefined == nil && !outputs[0].values[row].isNaN { firstDefined = row }
        }
        if mismatches > 0 { failures.append("\(key): \(mismatches) mismatches, first \(example)") }
        if let firstDefined, firstDefined != indicator.lookback { failures.append("\(key): lookback \(indicator.lookback), the reference's first value at \(firstDefined)") }
    }
    return (failures, covered)
}

@Suite("Indicators against references")
struct ReferenceTests {
    @Test("every indicator TA-Lib has gives TA-Lib's values on real daily bars (1e-9 relative), NaN exactly during its lookback")
    func matchesTALib() throws {
        let (failures, covered) = try compare("talib.csv.gz")
        #expect(failures.isEmpty, "\(failures.count) failing:\n\(failures.joined(separator: "\n"))")
        let claimed = Set(IndicatorCatalog.all.filter { $0.talib != nil }.map(\.name))
        #expect(claimed.subtracting(covered).isEmpty, "said to match TA-Lib but not checked: \(claimed.subtracting(covered).sorted())")
    }

    @Test("the indicators TA-Lib lacks equal an independent numpy computation of their definitions on the same bars")
    func matchesDefinitions() throws {
        let (failures, covered) = try compare("reference.csv.gz")
        #expect(failures.isEmpty, "\(failures.count) failing:\n\(failures.joined(separator: "\n"))")
        let own = Set(IndicatorCatalog.all.filter { $0.talib == nil }.map(\.name))
        #expect(own.subtracting(covered).isEmpty, "not checked against a reference: \(own.subtracting(covered).sorted())")
    }
}
