import Foundation

/// A one-line progress display on standard error (rows, rate, time left), shown only when
/// standard error is a terminal and output is not JSON. At most four updates a second.
final class ProgressLine {
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled && Output.error.isTerminal
    }

    /// Shows `count` items of `noun` done, and `fraction` (0…1) of the work when known.
    func update(count: UInt64, noun: String, fraction: Double?) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.25 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 1e-3)
        var text = "\r\u{1B}[K  \(Self.compact(Double(count))) \(noun)  \(Self.compact(Double(count) / elapsed)) \(noun)/s"
        if let fraction, fraction > 0.001 {
            let left = elapsed * (1 - fraction) / fraction
            text += String(format: "  %3.0f%%  %@ left", fraction * 100, Self.duration(left))
        }
        Output.error.write(text)
        Output.error.flush()
        drawn = true
    }

    /// Clears the line.
    func finish() {
        guard drawn else { return }
        Output.error.write("\r\u{1B}[K")
        Output.error.flush()
    }

    static func compact(_ value: Double) -> String {
        switch value {
        case 1e9...: String(format: "%.2fG", value / 1e9)
        case 1e6...: String(format: "%.2fM", value / 1e6)
        case 1e3...: String(format: "%.1fk", value / 1e3)
        default: String(format: "%.0f", value)
        }
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 3600 ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60) : String(format: "%02d:%02d", whole / 60, whole % 60)
    }
}
