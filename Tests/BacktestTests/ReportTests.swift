@testable import Backtest
import Engine
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport

/// The report of a real backtest: well-formed, self-contained HTML with its charts and tables,
/// the JSON's numbers those of the metrics, and — where Chromium is installed — a page that
/// renders to a screenshot.
@Suite("Report")
struct ReportTests {
    static func report(_ directory: TemporaryDirectory) throws -> Report {
        let source = try sampleJournal(directory)
        let configuration = try RunConfiguration(path: Paths.repository.appendingPathComponent("projections/ema-cross.yaml").path)
        _ = try Engine(configuration: configuration, codeVersion: "test").backtest(source: source, sourcePath: directory.appending("sample"), range: nil, output: directory.appending("run"))
        let performance = try RunReplay(runPath: directory.appending("run"), sourcePath: nil).performance(period: 1_000_000_000)
        let folds = [Report.FoldRow(fold: 1, trainStart: performance.times[0], testStart: performance.times[10], testEnd: performance.times[20], chosen: "0.fast=5 <&>",
                                    trainObjective: 1.5, testReturn: -0.01, testSharpe: .nan, testTrades: 3)]
        return Report(title: "Run <test> & co", subtitle: "the sample", currency: "USDT", performance: performance, metrics: Metrics(performance),
                      regimes: Regimes(performance), folds: folds, instrumentNames: try source.instruments().instruments.map(\.name))
    }

    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String: Int] = [:]
        var references: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            elements[name, default: 0] += 1
            for key in ["src", "href"] { if let value = attributes[key] { references.append(value) } }
        }
    }

    @Test("the HTML is well formed and self-contained: every chart, the tables and the trades; the JSON carries the metrics and every trade")
    func wellFormed() throws {
        let directory = TemporaryDirectory("report")
        let report = try Self.report(directory)
        let html = report.html
        let parser = XMLParser(data: Data(html.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "well formed: \(parser.parserError.map { "\($0)" } ?? "") at line \(parser.lineNumber)")
        #expect(collector.references.isEmpty, "nothing fetched: \(collector.references)")
        #expect(!html.contains("http://") || html.components(separatedBy: "http://").count - 1 == html.components(separatedBy: "http://www.w3.org/").count - 1, "only namespace names")
        // Equity, drawdown, heat map, histogram, rolling Sharpe, exposure.
        #expect(collector.elements["svg"] == 6)
        #expect(collector.elements["polyline", default: 0] >= 2 && collector.elements["polygon", default: 0] >= 2)
        #expect(html.contains("Run &lt;test&gt; &amp; co") && html.contains("0.fast=5 &lt;&amp;&gt;"), "text is escaped")
        #expect(html.contains("Walk-forward folds") && html.contains("By regime") && html.contains("Trades (\(report.performance.trades.count))"))
        let rows = html.components(separatedBy: "<tr>").count - 1
        #expect(rows >= report.performance.trades.count + report.regimes.rows.count + 1)

        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json.text.utf8)) as? [String: Any])
        let metrics = try #require(json["metrics"] as? [String: Any])
        #expect((metrics["total_return"] as? Double) == report.metrics.totalReturn)
        #expect((json["trades"] as? [Any])?.count == report.performance.trades.count)
        #expect(((json["series"] as? [String: Any])?["equity"] as? [Any])?.count == report.performance.equity.count)
        #expect(report.html == html, "the same inputs, the same bytes")
    }

    @Test("a long trade list is cut to its first and last halves in the HTML, never in the JSON")
    func longTradeList() throws {
        let directory = TemporaryDirectory("report-long")
        var report = try Self.report(directory)
        report.listedTrades = 10
        #expect(report.performance.trades.count > 10)
        let html = report.html
        #expect(html.contains("The first and last 5 of \(report.performance.trades.count)"))
        #expect(!html.contains("<td class=\"n\">6</td><td>BTCUSDT"))
        #expect(html.contains("<td class=\"n\">\(report.performance.trades.count)</td><td>BTCUSDT"))
    }

    @Test("where Chromium is installed, headless Chromium renders the page to a screenshot")
    func renders() throws {
        let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        guard let chromium = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("skipped: no Chromium here (\(candidates.joined(separator: ", "))); the page was checked as well-formed HTML instead")
            return
        }
        let directory = TemporaryDirectory("report-render")
        let page = directory.appending("report.html"), shot = directory.appending("report.png")
        try Data(try Self.report(directory).html.utf8).write(to: URL(fileURLWithPath: page))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--screenshot=\(shot)", "--window-size=1100,2400", "file://\(page)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "a PNG with something drawn (\(png.count) bytes)")
    }
}
