#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Report {
    /// The report as one HTML file.
    public var html: String {
        var page = HTMLWriter()
        page.raw("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>")
        page.element("title", title)
        page.raw("<style>\(Self.style)</style></head><body>")
        page.element("h1", title)
        page.element("p", subtitle, class: "sub")

        page.raw("<section><h2>Summary</h2><table class=\"metrics\"><tbody>")
        let named = metrics.named
        for row in stride(from: 0, to: named.count, by: 3) {
            page.raw("<tr>")
            for (name, value) in named[row..<min(row + 3, named.count)] {
                page.element("th", String(name.map { $0 == "_" ? " " : $0 }))
                page.element("td", Self.number(value), class: "n")
            }
            page.raw("</tr>")
        }
        page.raw("</tbody></table></section>")

        let times = performance.times.map(Double.init)
        page.raw("<section><h2>Equity and drawdown (\(Self.escape(currency)))</h2>")
        page.raw(Chart(width: 960, height: 260).line(x: times, y: performance.equity, color: "#1f6feb", label: "equity"))
        page.raw(Chart(width: 960, height: 140).area(x: times, y: drawdowns.map { -$0 * 100 }, color: "#cf222e", label: "drawdown %"))
        page.raw("</section>")

        page.raw("<section><h2>Monthly returns</h2>")
        page.raw(heatMap())
        page.raw("</section>")

        let returns = PerformanceMath.returns(performance.equity)
        page.raw("<section><h2>Returns per period (histogram)</h2>")
        page.raw(Chart(width: 960, height: 200).histogram(returns.map { $0 * 100 }, bins: 40, color: "#8250df", label: "return %"))
        page.raw("</section>")

        let window = max(2, min(60, returns.count / 4))
        page.raw("<section><h2>Rolling Sharpe ratio (\(window) periods)</h2>")
        page.raw(Chart(width: 960, height: 180).line(x: times, y: rollingSharpe(window: window), color: "#1a7f37", label: "sharpe"))
        page.raw("</section>")

        page.raw("<section><h2>Exposure (gross / equity)</h2>")
        page.raw(Chart(width: 960, height: 140).area(x: times, y: performance.exposure, color: "#9a6700", label: "exposure"))
        page.raw("</section>")

        page.raw("<section><h2>By regime (window \(regimes.window) samples)</h2><table><thead><tr>")
        for heading in ["regime", "periods", "share", "return", "volatility", "sharpe", "hit rate"] { page.element("th", heading) }
        page.raw("</tr></thead><tbody>")
        for row in regimes.rows {
            page.raw("<tr>")
            page.element("td", "\(row.dimension) \(row.label)")
            page.element("td", String(row.periods), class: "n")
            page.element("td", Self.percent(row.share), class: "n")
            page.element("td", Self.percent(row.totalReturn), class: "n")
            page.element("td", Self.number(row.volatility), class: "n")
            page.element("td", Self.number(row.sharpe), class: "n")
            page.element("td", Self.percent(row.hitRate), class: "n")
            page.raw("</tr>")
        }
        page.raw("</tbody></table></section>")

        if !folds.isEmpty {
            page.raw("<section><h2>Walk-forward folds</h2><table><thead><tr>")
            for heading in ["fold", "train from", "test from", "test to", "chosen", "train objective", "test return", "test sharpe", "test trades"] { page.element("th", heading) }
            page.raw("</tr></thead><tbody>")
            for fold in folds {
                page.raw("<tr>")
                page.element("td", String(fold.fold), class: "n")
                page.element("td", Self.time(fold.trainStart))
                page.element("td", Self.time(fold.testStart))
                page.element("td", Self.time(fold.testEnd))
                page.element("td", fold.chosen)
                page.element("td", Self.number(fold.trainObjective), class: "n")
                page.element("td", Self.percent(fold.testReturn), class: "n")
                page.element("td", Self.number(fold.testSharpe), class: "n")
                page.element("td", String(fold.testTrades), class: "n")
                page.raw("</tr>")
            }
            page.raw("</tbody></table></section>")
        }

        let trades = performance.trades
        page.raw("<section><h2>Trades (\(trades.count))</h2>")
        let shown: [Int] = trades.count <= listedTrades ? Array(trades.indices) : Array(0..<(listedTrades / 2)) + Array((trades.count - listedTrades / 2)..<trades.count)
        if shown.count < trades.count { page.element("p", "The first and last \(listedTrades / 2) of \(trades.count); the JSON lists them all.", class: "sub") }
        page.raw("<table><thead><tr>")
        for heading in ["#", "instrument", "side", "opened", "closed", "profit"] { page.element("th", heading) }
        page.raw("</tr></thead><tbody>")
        for index in shown {
            let trade = trades[index]
            page.raw("<tr>")
            page.element("td", String(index + 1), class: "n")
            page.element("td", name(trade.instrument))
            page.element("td", trade.side > 0 ? "long" : "short")
            page.element("td", Self.time(trade.opened))
            page.element("td", Self.time(trade.closed))
            page.element("td", Self.number(trade.profit), class: trade.profit >= 0 ? "n up" : "n down")
            page.raw("</tr>")
        }
        page.raw("</tbody></table></section></body></html>\n")
        return page.text
    }

    /// Years down, months across, each cell coloured by its return.
    private func heatMap() -> String {
        let months = monthly
        guard !months.isEmpty else { return "<p class=\"sub\">No returns.</p>" }
        let years = Array(Set(months.map(\.year))).sorted()
        let scale = max(months.map { abs($0.value) }.max() ?? 0, 1e-12)
        let cell = 70.0, rowHeight = 28.0, left = 50.0, top = 20.0
        var svg = Chart.open(width: left + 12 * cell, height: top + Double(years.count) * rowHeight, label: "monthly returns")
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        for (index, name) in names.enumerated() {
            svg += "<text x=\"\(Chart.f(left + (Double(index) + 0.5) * cell))\" y=\"14\" text-anchor=\"middle\">\(name)</text>"
        }
        for (row, year) in years.enumerated() {
            let y = top + Double(row) * rowHeight
            svg += "<text x=\"4\" y=\"\(Chart.f(y + 19))\">\(year)</text>"
            for month in months where month.year == year {
                let x = left + Double(month.month - 1) * cell
                let strength = min(1, abs(month.value) / scale)
                let color = month.value >= 0 ? "rgba(26,127,55,\(Chart.f(0.15 + 0.85 * strength)))" : "rgba(207,34,46,\(Chart.f(0.15 + 0.85 * strength)))"
                svg += "<rect x=\"\(Chart.f(x + 1))\" y=\"\(Chart.f(y + 1))\" width=\"\(Chart.f(cell - 2))\" height=\"\(Chart.f(rowHeight - 2))\" fill=\"\(color)\"><title>\(year)-\(month.month): \(Self.percent(month.value))</title></rect>"
                svg += "<text x=\"\(Chart.f(x + cell / 2))\" y=\"\(Chart.f(y + 19))\" text-anchor=\"middle\">\(Self.escape(Self.percent(month.value)))</text>"
            }
        }
        return svg + "</svg>"
    }

    static func number(_ x: Double) -> String { x.isFinite ? formatted(x, "%.6g") : "—" }
    static func percent(_ x: Double) -> String { x.isFinite ? formatted(x * 100, "%.3f") + "%" : "—" }

    /// `x` printed by C's printf with `format` (one double).
    static func formatted(_ x: Double, _ format: String) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([x]) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    static let style = """
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1000px;color:#1f2328}\
        h1{font-size:22px;margin:0}h2{font-size:16px;margin:28px 0 8px}.sub{color:#59636e;margin:4px 0}\
        table{border-collapse:collapse;width:100%}th,td{padding:3px 8px;border-bottom:1px solid #d1d9e0;text-align:left;white-space:nowrap}\
        .n{text-align:right;font-variant-numeric:tabular-nums}.up{color:#1a7f37}.down{color:#cf222e}\
        svg{display:block;margin:4px 0}svg text{font-size:11px;fill:#59636e}
        """
}

/// Builds the page's text.
struct HTMLWriter {
    private(set) var text = ""
    mutating func raw(_ markup: String) { text += markup }
    mutating func element(_ name: String, _ content: String, class classes: String? = nil) {
        text += "<\(name)\(classes.map { " class=\"\($0)\"" } ?? "")>\(Report.escape(content))</\(name)>"
    }
}

/// SVG charts of a series against time, drawn at most a few thousand points wide: a series
/// longer than the chart's width keeps, per pixel column, its first, lowest, highest and last
/// point, so spikes survive.
struct Chart {
    let width: Double
    let height: Double
    let left = 70.0, right = 10.0, top = 8.0, bottom = 22.0

    static func f(_ x: Double) -> String { Report.formatted(x, "%.2f") }

    static func open(width: Double, height: Double, label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"\(Report.escape(label))\">"
    }

    /// The finite points, thinned to per-column extremes.
    private func points(_ x: [Double], _ y: [Double]) -> [(Double, Double)] {
        var all: [(Double, Double)] = []
        for index in y.indices where index < x.count && y[index].isFinite { all.append((x[index], y[index])) }
        let columns = Int(width - left - right)
        guard all.count > 4 * columns, let low = all.first?.0, let high = all.last?.0, high > low else { return all }
        var kept: [(Double, Double)] = []
        var column = -1
        var bucket: [(Double, Double)] = []
        func flush() {
            guard let first = bucket.first, let last = bucket.last else { return }
            let lowest = bucket.min { $0.1 < $1.1 }!, highest = bucket.max { $0.1 < $1.1 }!
            for point in [first, lowest, highest, last].sorted(by: { $0.0 < $1.0 }) where kept.last.map({ $0 != point }) ?? true { kept.append(point) }
        }
        for point in all {
            let c = Int((point.0 - low) / (high - low) * Double(columns - 1))
            if c != column {
                flush()
                bucket.removeAll(keepingCapacity: true)
                column = c
            }
            bucket.append(point)
        }
        flush()
        return kept
    }

    private func frame(_ label: String, yRange: (Double, Double), xRange: (Double, Double)) -> String {
        var svg = Self.open(width: width, height: height, label: label)
        let plotBottom = height - bottom
        svg += "<rect x=\"\(Self.f(left))\" y=\"\(Self.f(top))\" width=\"\(Self.f(width - left - right))\" height=\"\(Self.f(plotBottom - top))\" fill=\"none\" stroke=\"#d1d9e0\"/>"
        for (value, y) in [(yRange.1, top + 10), (yRange.0, plotBottom - 2)] {
            svg += "<text x=\"\(Self.f(left - 4))\" y=\"\(Self.f(y))\" text-anchor=\"end\">\(Report.escape(Report.number(value)))</text>"
        }
        if xRange.1 > xRange.0 {
            svg += "<text x=\"\(Self.f(left))\" y=\"\(Self.f(height - 6))\">\(Report.time(Int64(xRange.0)))</text>"
            svg += "<text x=\"\(Self.f(width - right))\" y=\"\(Self.f(height - 6))\" text-anchor=\"end\">\(Report.time(Int64(xRange.1)))</text>"
        }
        return svg
    }

    private func path(_ points: [(Double, Double)], _ xr: (Double, Double), _ yr: (Double, Double)) -> [(Double, Double)] {
        let w = width - left - right, h = height - bottom - top
        return points.map { point in
            (left + (xr.1 > xr.0 ? (point.0 - xr.0) / (xr.1 - xr.0) : 0.5) * w, top + (yr.1 > yr.0 ? (yr.1 - point.1) / (yr.1 - yr.0) : 0.5) * h)
        }
    }

    private static func ranges(_ points: [(Double, Double)], includeZero: Bool) -> ((Double, Double), (Double, Double)) {
        var lowY = points.map(\.1).min() ?? 0, highY = points.map(\.1).max() ?? 1
        if includeZero { lowY = min(lowY, 0); highY = max(highY, 0) }
        if highY == lowY { (lowY, highY) = (lowY - 1, highY + 1) }
        return ((points.first?.0 ?? 0, points.last?.0 ?? 1), (lowY, highY))
    }

    func line(x: [Double], y: [Double], color: String, label: String) -> String {
        let kept = points(x, y)
        let (xr, yr) = Self.ranges(kept, includeZero: false)
        var svg = frame(label, yRange: yr, xRange: xr)
        let drawn = path(kept, xr, yr)
        if !drawn.isEmpty {
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"" + drawn.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ") + "\"/>"
        }
        return svg + "</svg>"
    }

    func area(x: [Double], y: [Double], color: String, label: String) -> String {
        let kept = points(x, y)
        let (xr, yr) = Self.ranges(kept, includeZero: true)
        var svg = frame(label, yRange: yr, xRange: xr)
        let drawn = path(kept, xr, yr)
        if let first = drawn.first, let last = drawn.last {
            let zero = path([(xr.0, 0)], xr, yr)[0].1
            svg += "<polygon fill=\"\(color)\" fill-opacity=\"0.35\" stroke=\"\(color)\" points=\"\(Self.f(first.0)),\(Self.f(zero)) "
                + drawn.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ") + " \(Self.f(last.0)),\(Self.f(zero))\"/>"
        }
        return svg + "</svg>"
    }

    func histogram(_ values: [Double], bins: Int, color: String, label: String) -> String {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return Self.open(width: width, height: height, label: label) + "</svg>" }
        let span = high > low ? high - low : 1
        var counts = [Int](repeating: 0, count: bins)
        for value in finite { counts[min(bins - 1, Int((value - low) / span * Double(bins)))] += 1 }
        let most = Double(counts.max() ?? 1)
        var svg = frame(label, yRange: (0, most), xRange: (0, 0))
        let w = (width - left - right) / Double(bins), h = height - bottom - top
        for (index, count) in counts.enumerated() where count > 0 {
            let barHeight = Double(count) / most * h
            svg += "<rect x=\"\(Self.f(left + Double(index) * w + 0.5))\" y=\"\(Self.f(top + h - barHeight))\" width=\"\(Self.f(max(0.5, w - 1)))\" height=\"\(Self.f(barHeight))\" fill=\"\(color)\"><title>\(Report.escape(Report.number(low + Double(index) * span / Double(bins)))) … \(Report.escape(Report.number(low + Double(index + 1) * span / Double(bins)))): \(count)</title></rect>"
        }
        svg += "<text x=\"\(Self.f(left))\" y=\"\(Self.f(height - 6))\">\(Report.escape(Report.number(low)))</text>"
        svg += "<text x=\"\(Self.f(width - right))\" y=\"\(Self.f(height - 6))\" text-anchor=\"end\">\(Report.escape(Report.number(high)))</text>"
        return svg + "</svg>"
    }
}
