import ArgumentParser
import Engine
import Events
import Foundation
import Journal
import Projections
import Risk
import TapeCore

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Run strategies, the risk engine and the execution simulator over a source journal; write a run journal.",
        discussion: """
            The run configuration (YAML, specs/runs.md) names the projections and the risk limits (paths relative to it), the execution model, the strategies and the seed. The run journal at --out holds run_started, then every signal, risk decision, order event, fill, funding payment, liquidation and kill switch, each naming the source event it reacted to, then run_ended; it references the source and stores the three configuration files. The same source, configuration and seed give the same run journal, event for event (its hash is printed).
            """
    )

    @Option(help: ArgumentHelp("The source journal.", valueName: "dir"))
    var source: String

    @Option(help: ArgumentHelp("The run configuration (YAML).", valueName: "file"))
    var config: String

    @Option(help: ArgumentHelp("The run journal to create (a new directory).", valueName: "dir"))
    var out: String

    @OptionGroup var rangeOption: RangeOption

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let configuration: RunConfiguration
        do {
            configuration = try RunConfiguration(path: config)
        } catch {
            throw Failure.cannotRun(error.description)
        }
        let (from, to) = try rangeOption.positions()
        let started = Date()
        let summary = try failing {
            let journal = try Journal(path: source)
            let range = try journal.read { snapshot in
                var reader = BlockReader()
                return try Arguments.range(from: from, to: to, snapshot: snapshot, reader: &reader)
            }
            guard let range else { throw Failure.cannotRun("\(source): no events in the range") }
            return try Engine(configuration: configuration, codeVersion: Tape.version).backtest(source: journal, sourcePath: source, range: range, output: out)
        }
        let seconds = Date().timeIntervalSince(started)
        if json {
            Output.standard.line(Self.json(summary, configuration: configuration, source: source, out: out, seconds: seconds).text)
            return
        }
        Output.standard.line(String(format: "ran %llu source events in %.2f s (%.2f M events/s): %d signals, %d orders, %d fills, %d liquidations, %d funding payments",
                                    summary.sourceEvents, seconds, Double(summary.sourceEvents) / max(seconds, 1e-9) / 1e6, summary.signals, summary.orders,
                                    summary.fills, summary.liquidations, summary.fundingPayments))
        Output.standard.line("decisions  " + summary.decisions.map { "\($0.verdict) \($0.count)" }.joined(separator: ", "))
        for position in summary.positions {
            Output.standard.line("\(position.instrument)  position \(FixedPoint.format(position.size, scale: position.sizeScale))  fills \(position.fills)"
                                 + "  realized \(Self.amount(position.realized))  unrealized \(Self.amount(position.unrealized))"
                                 + "  fees \(Self.amount(position.fees))  funding \(Self.amount(position.funding)) \(position.currency)")
        }
        Output.standard.line(String(format: "equity %.2f %@", summary.equity, summary.valuationCurrency))
        Output.standard.line("run journal \(out)  (id \(summary.runID), \(summary.runEvents) events, sha256 \(summary.runHash))")
    }

    /// A 10⁻¹⁸ amount as decimal text with 8 places.
    static func amount(_ value: Int128) -> String {
        let scaled = value / 10_000_000_000 + (value % 10_000_000_000 >= 5_000_000_000 ? 1 : value % 10_000_000_000 <= -5_000_000_000 ? -1 : 0)
        return FixedPoint.format(Int64(scaled), scale: 8)
    }

    static func json(_ summary: RunSummary, configuration: RunConfiguration, source: String, out: String, seconds: Double) -> JSONValue {
        .object([
            ("source", .string(source)),
            ("run", .string(out)),
            ("run_id", .string(summary.runID.description)),
            ("configuration_hash", .string(configuration.hash.description)),
            ("seed", .unsigned(configuration.seed)),
            ("source_events", .unsigned(summary.sourceEvents)),
            ("run_events", .unsigned(summary.runEvents)),
            ("run_hash", .string(summary.runHash.description)),
            ("signals", .unsigned(UInt64(summary.signals))),
            ("orders", .unsigned(UInt64(summary.orders))),
            ("fills", .unsigned(UInt64(summary.fills))),
            ("liquidations", .unsigned(UInt64(summary.liquidations))),
            ("funding_payments", .unsigned(UInt64(summary.fundingPayments))),
            ("decisions", .object(summary.decisions.map { ($0.verdict, .unsigned(UInt64($0.count))) })),
            ("positions", .array(summary.positions.map { position in
                .object([
                    ("instrument", .string(position.instrument)),
                    ("position", .string(FixedPoint.format(position.size, scale: position.sizeScale))),
                    ("entry_price", .double(position.entryPrice)),
                    ("fills", .unsigned(position.fills)),
                    ("currency", .string(position.currency)),
                    ("realized_pnl", .string(amount(position.realized))),
                    ("unrealized_pnl", .string(amount(position.unrealized))),
                    ("fees", .string(amount(position.fees))),
                    ("funding", .string(amount(position.funding))),
                ])
            })),
            ("totals", .object(summary.totals.map { total in
                (total.currency, .object([("fees", .string(amount(total.fees))), ("funding", .string(amount(total.funding))), ("realized_pnl", .string(amount(total.realized)))]))
            })),
            ("equity", .double(summary.equity)),
            ("valuation_currency", .string(summary.valuationCurrency)),
            ("seconds", .string(String(format: "%.3f", seconds))),
        ])
    }
}

/// The `--run DIR [--source DIR]` options of the commands that read a run.
struct RunOption: ParsableArguments {
    @Option(help: ArgumentHelp("The run journal.", valueName: "dir"))
    var run: String

    @Option(help: ArgumentHelp("The source journal (default: the path the run recorded).", valueName: "dir"))
    var source: String?

    func open() throws -> RunReplay {
        try failing { try RunReplay(runPath: run, sourcePath: source) }
    }
}

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List a run's risk decisions and re-derive each one; exit 1 on any mismatch.",
        discussion: """
            Replays the source and the run journal together and, at every risk decision, runs the risk engine again on the state at that point: a decision on a signal is decided again from the signal; the engine's own decisions (kill switch, daily loss, liquidation buffer, exits) are made again where the engine made them. Every decision is compared with the journaled one, field for field (rules, measured values, limits, sizing inputs, state hash); decisions the engine would make that the journal lacks are reported too. --seq or --day choose the decisions listed; all are re-derived.
            """
    )

    @OptionGroup var runOption: RunOption

    @Option(help: ArgumentHelp("List only the decision at this run-journal sequence.", valueName: "n"))
    var seq: UInt64?

    @Option(help: ArgumentHelp("List only the decisions of this UTC day.", valueName: "yyyy-mm-dd"))
    var day: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        guard seq == nil || day == nil else { throw Failure.cannotRun("give --seq or --day, not both") }
        var selection = Auditor.Selection.all
        if let seq { selection = .sequence(seq) }
        if let day {
            guard case (.time(let start)?, .time(let end)?) = try Arguments.dayRange(day: day, from: nil, to: nil) else {
                throw Failure.cannotRun("--day \(day): not a day")
            }
            selection = .time(start.nanosSinceEpoch..<end.nanosSinceEpoch)
        }
        let started = Date()
        let (report, table) = try failing {
            let replay = try runOption.open()
            return (try replay.audit(listing: selection), try replay.source.instruments())
        }
        let seconds = Date().timeIntervalSince(started)
        if json {
            Output.standard.line(JSONValue.object([
                ("run", .string(runOption.run)),
                ("decisions", .unsigned(UInt64(report.checked))),
                ("mismatches", .unsigned(UInt64(report.mismatches.count))),
                ("missing", .array(report.missing.map { .string($0) })),
                ("seconds", .string(String(format: "%.3f", seconds))),
                ("listed", .array(report.listed.map { Self.json($0, table: table) })),
                ("mismatched", .array(report.mismatches.map { Self.json($0, table: table) })),
            ]).text)
        } else {
            for entry in report.listed { Self.print(entry, table: table) }
            for entry in report.mismatches { Output.standard.line("MISMATCH run event \(entry.sequence): \(entry.mismatch ?? "")") }
            for line in report.missing { Output.standard.line("MISSING \(line)") }
            Output.standard.line(String(format: "re-derived %d decisions in %.2f s: %d mismatched, %d missing", report.checked, seconds,
                                        report.mismatches.count, report.missing.count))
        }
        if !report.isClean { throw ExitCode(1) }
    }

    static func name(_ id: InstrumentID, _ table: InstrumentTable) -> String {
        id == .none ? "account" : table[id].name
    }

    static func print(_ entry: AuditedDecision, table: InstrumentTable) {
        let decision = entry.decision
        Output.standard.line("#\(entry.sequence)  \(Timestamp(nanosSinceEpoch: entry.time).iso8601)  \(name(entry.instrument, table))  \(decision.verdict.label)"
                             + "  requested \(decision.requestedQuantity.units) approved \(decision.approvedQuantity.units)"
                             + "  \(entry.answeredSignal ? "signal" : "engine")  source \(decision.causation)  \(entry.mismatch == nil ? "ok" : "MISMATCH")")
        for rule in decision.rules {
            Output.standard.line("    \(RiskRule(rawValue: rule.rule)?.label ?? "rule \(rule.rule)")  \(rule.measured) / \(rule.limit)  \(rule.passed ? "pass" : "FAIL")")
        }
    }

    static func json(_ entry: AuditedDecision, table: InstrumentTable) -> JSONValue {
        let decision = entry.decision
        return .object([
            ("seq", .unsigned(entry.sequence)),
            ("time", .string(Timestamp(nanosSinceEpoch: entry.time).iso8601)),
            ("instrument", .string(name(entry.instrument, table))),
            ("source_seq", .unsigned(decision.causation)),
            ("order_id", .unsigned(decision.orderID)),
            ("verdict", .string(decision.verdict.label)),
            ("requested", .integer(decision.requestedQuantity.units)),
            ("approved", .integer(decision.approvedQuantity.units)),
            ("on", .string(entry.answeredSignal ? "signal" : "engine")),
            ("rules", .array(decision.rules.map { rule in
                .object([("rule", .string(RiskRule(rawValue: rule.rule)?.label ?? "\(rule.rule)")), ("passed", .bool(rule.passed)),
                         ("measured", .double(rule.measured)), ("limit", .double(rule.limit))])
            })),
            ("sizing", .array(decision.sizing.map { input in
                .object([("input", .string(SizingFactor(rawValue: input.input)?.label ?? "\(input.input)")), ("value", .double(input.value))])
            })),
            ("state_hash", .string(decision.stateHash.description)),
            ("mismatch", entry.mismatch.map { .string($0) } ?? .null),
        ])
    }
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Tell one order's story: the source event that triggered it, the signal, the risk decision, every order event and fill.",
        discussion: "Events are printed in journal order as JSON lines (as tape cat prints them), each with \"journal\": \"source\" or \"run\"; an algorithm's child orders are included."
    )

    @OptionGroup var runOption: RunOption

    @Option(help: ArgumentHelp("The order id.", valueName: "id"))
    var order: UInt64

    @Flag(help: "Output is always JSON lines; accepted for uniformity with the other commands.")
    var json = false

    func run() throws {
        try failing {
            let replay = try runOption.open()
            let table = try replay.source.instruments()
            let printer = EventJSON(instruments: table)
            var story: [(UInt64, Event)] = []
            var causes = Set<UInt64>()
            var orders: Set<UInt64> = [order]
            var previous: (UInt64, Event)?
            try replay.run.read { snapshot in
                try snapshot.forEachEvent { sequence, event in
                    defer { previous = (sequence, event) }
                    switch event.body {
                    case .riskDecision(let decision) where decision.orderID == order:
                        if let previous, case .signal(let signal) = previous.1.body, signal.causation == decision.causation { story.append(previous) }
                        causes.insert(decision.causation)
                        story.append((sequence, event))
                    case .orderSubmitted(let submitted) where orders.contains(submitted.orderID) || orders.contains(submitted.parentOrderID):
                        orders.insert(submitted.orderID)
                        story.append((sequence, event))
                    case .orderAccepted(let e) where orders.contains(e.orderID): story.append((sequence, event))
                    case .orderAmended(let e) where orders.contains(e.orderID): story.append((sequence, event))
                    case .orderCanceled(let e) where orders.contains(e.orderID): story.append((sequence, event))
                    case .orderRejected(let e) where orders.contains(e.orderID): story.append((sequence, event))
                    case .orderExpired(let e) where orders.contains(e.orderID): story.append((sequence, event))
                    case .fill(let e) where orders.contains(e.orderID): story.append((sequence, event))
                    default: break
                    }
                    return true
                }
            }
            guard !story.isEmpty else { throw Failure.cannotRun("\(runOption.run): no order \(order)") }
            try replay.source.read { snapshot in
                for cause in causes.sorted() {
                    try snapshot.forEachEvent(from: cause, through: cause) { sequence, event in
                        Output.standard.line(Self.tagged(printer.string(event, sequence: sequence), journal: "source"))
                        return true
                    }
                }
            }
            for (sequence, event) in story { Output.standard.line(Self.tagged(printer.string(event, sequence: sequence), journal: "run")) }
        }
    }

    /// A JSON line with `"journal"` first.
    static func tagged(_ line: String, journal: String) -> String {
        "{\"journal\":\"\(journal)\"," + line.dropFirst()
    }
}
