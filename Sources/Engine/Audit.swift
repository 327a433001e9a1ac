public import Events
import Projections
import Risk
public import TapeCore

/// A decision of a run as journaled, and what re-deriving it gave.
public struct AuditedDecision: Sendable {
    /// Its run-journal sequence, instrument and receive time.
    public var sequence: UInt64
    public var instrument: InstrumentID
    public var time: Int64
    public var decision: RiskDecided
    /// Whether it answered a strategy's signal (else the engine decided on its own).
    public var answeredSignal: Bool
    /// Why re-deriving it did not give it back; nil when it did.
    public var mismatch: String?
}

/// What an audit found (`tape audit`; specs/runs.md).
public struct AuditReport: Sendable {
    /// Decisions re-derived, and those that did not come back the same.
    public var checked = 0
    public var mismatches: [AuditedDecision] = []
    /// The decisions selected for listing.
    public var listed: [AuditedDecision] = []
    /// Decisions the engine would have made that the run journal does not hold.
    public var missing: [String] = []

    public var isClean: Bool { mismatches.isEmpty && missing.isEmpty }
}

extension RunReplay {
    /// Re-derives every decision of the run (`Auditor`), listing those `selection` chooses.
    /// (Called here, in the auditor's module, the replay is specialized for it; called from
    /// another module, the generic replay reaches the visitor and its cursor through witness
    /// tables, and took half as long again.)
    public func audit(listing selection: Auditor.Selection = .all) throws -> AuditReport {
        var auditor = Auditor(selection: selection)
        try replay(visitor: &auditor)
        return auditor.report
    }
}

/// Re-derives every risk decision of a run: replays source and run journal to each decision
/// and decides again — the signal before it with `decide`, the engine's own decisions with
/// `monitor` at the point the engine called it (after the simulator's events of that source
/// event) — and compares, byte for byte, with what was journaled.
public struct Auditor: RunVisitor {
    /// Which decisions to list: by run sequence, or by receive time (a UTC day).
    public enum Selection: Sendable {
        case all
        case sequence(UInt64)
        case time(Range<Int64>)
    }

    public private(set) var report = AuditReport()
    private let selection: Selection
    /// This step: whether the monitor has been consulted, what it decided, how many of its
    /// decisions have been matched, the kill switch the last one tripped, the signal waiting
    /// for its decision.
    private var monitored = false
    private var expected: [RiskOutcome] = []
    private var matched = 0
    private var expectedKill: KillSwitchTripped?
    private var signal: PendingSignal?

    /// A signal and its instrument. (A named type: an optional tuple was tested and destroyed
    /// through the runtime's generic witnesses at every source event.)
    private struct PendingSignal {
        let instrument: InstrumentID
        let signal: SignalEmitted
    }

    public init(selection: Selection = .all) {
        self.selection = selection
    }

    public mutating func run(_ run: DecodedBlock, at index: Int, source: DecodedBlock, at sourceIndex: Int, fold: inout RunFold) throws {
        let slot = Int(run.slots[index])
        switch run.types[index] {
        case .signal:
            consultMonitor(source, at: sourceIndex, fold: &fold, unmatchedAreMissing: true)
            signal = PendingSignal(instrument: run.instruments[index], signal: run.payloads.signals[slot])
        case .riskDecision:
            let journaled = run.payloads.riskDecisions[slot]
            let instrument = run.instruments[index]
            var derived: RiskOutcome?
            let answered = signal != nil
            if let pending = signal {
                let step = RunStep(sequence: source.sequence(at: sourceIndex), time: source.receiveTimes[sourceIndex])
                derived = fold.risk.decide(pending.signal, instrument: pending.instrument, step: step, projections: &fold.projections)
                signal = nil
            } else {
                consultMonitor(source, at: sourceIndex, fold: &fold, unmatchedAreMissing: false)
                if matched < expected.count {
                    derived = expected[matched]
                    expectedKill = derived?.killSwitch
                    matched += 1
                }
            }
            // Order ids are the run's to give: an order placed is named as journaled.
            if derived?.quantity != 0 { derived?.decision.orderID = journaled.orderID }
            record(journaled, derived: derived, instrument: instrument, sequence: run.sequence(at: index), time: run.receiveTimes[index], answeredSignal: answered)
        case .killSwitch:
            let journaled = run.payloads.killSwitches[slot]
            if journaled != expectedKill {
                report.missing.append("run event \(run.sequence(at: index)): kill switch \(journaled.action.label) was not tripped by the decision before it")
            }
            expectedKill = nil
        default:
            break
        }
    }

    public mutating func endStep(_ source: DecodedBlock, at index: Int, fold: inout RunFold) throws {
        consultMonitor(source, at: index, fold: &fold, unmatchedAreMissing: true)
        monitored = false
        // (Most steps decide nothing: what is already empty is left alone.)
        if !expected.isEmpty { expected.removeAll(keepingCapacity: true) }
        matched = 0
        if signal != nil { signal = nil }
    }

    /// The engine's own decisions at this step, computed once, at the point it made them
    /// (before the first decision or signal after the simulator's events). Past that point
    /// (`unmatchedAreMissing`), those the journal did not hold are missing.
    private mutating func consultMonitor(_ source: DecodedBlock, at index: Int, fold: inout RunFold, unmatchedAreMissing: Bool) {
        if !monitored {
            monitored = true
            var outcomes: [RiskOutcome] = []
            fold.risk.monitor(source, at: index, projections: &fold.projections, into: &outcomes)
            if !outcomes.isEmpty { expected = outcomes }
        }
        guard unmatchedAreMissing, matched < expected.count else { return }
        for outcome in expected[matched...] {
            report.missing.append("source event \(source.sequence(at: index)): the engine decides \(outcome.decision.verdict.label) "
                                  + "\(outcome.decision.approvedQuantity.units) of instrument \(outcome.instrument.rawValue), which the run journal does not hold")
        }
        matched = expected.count
    }

    private mutating func record(_ journaled: RiskDecided, derived: RiskOutcome?, instrument: InstrumentID, sequence: UInt64, time: Int64, answeredSignal: Bool) {
        report.checked += 1
        var entry = AuditedDecision(sequence: sequence, instrument: instrument, time: time, decision: journaled, answeredSignal: answeredSignal, mismatch: nil)
        if let derived {
            entry.mismatch = Self.difference(journaled, derived.decision)
        } else {
            entry.mismatch = "no signal before it and the engine decides nothing of its own here"
        }
        if entry.mismatch != nil { report.mismatches.append(entry) }
        let listed: Bool
        switch selection {
        case .all: listed = true
        case .sequence(let wanted): listed = wanted == sequence
        case .time(let range): listed = range.contains(time)
        }
        if listed { report.listed.append(entry) }
    }

    /// What differs between a journaled decision and the re-derived one, nil when nothing.
    /// Every field is compared, doubles by their bits as the codec stores them (so NaN
    /// measures compare equal to themselves): the same as comparing the two encoded, without
    /// encoding them (which took a tenth of an audit).
    static func difference(_ journaled: RiskDecided, _ derived: RiskDecided) -> String? {
        if journaled.verdict != derived.verdict { return "verdict \(journaled.verdict.label), re-derived \(derived.verdict.label)" }
        if journaled.requestedQuantity != derived.requestedQuantity {
            return "requested \(journaled.requestedQuantity.units), re-derived \(derived.requestedQuantity.units)"
        }
        if journaled.approvedQuantity != derived.approvedQuantity {
            return "approved \(journaled.approvedQuantity.units), re-derived \(derived.approvedQuantity.units)"
        }
        for (a, b) in zip(journaled.rules, derived.rules) where a.rule != b.rule || a.passed != b.passed
            || a.measured.bitPattern != b.measured.bitPattern || a.limit.bitPattern != b.limit.bitPattern {
            let label = RiskRule(rawValue: a.rule)?.label ?? "rule \(a.rule)"
            return "\(label): journaled \(a.measured) against \(a.limit) (\(a.passed ? "passed" : "failed")), re-derived \(b.measured) against \(b.limit) (\(b.passed ? "passed" : "failed"))"
        }
        if journaled.rules.count != derived.rules.count { return "\(journaled.rules.count) rules journaled, \(derived.rules.count) re-derived" }
        if journaled.sizing.count != derived.sizing.count || zip(journaled.sizing, derived.sizing).contains(where: { $0.input != $1.input || $0.value.bitPattern != $1.value.bitPattern }) {
            return "sizing inputs differ"
        }
        if journaled.orderID != derived.orderID { return "order \(journaled.orderID), re-derived \(derived.orderID)" }
        if journaled.stateHash != derived.stateHash { return "state hash \(journaled.stateHash), re-derived \(derived.stateHash)" }
        if journaled.causation != derived.causation { return "causation \(journaled.causation), re-derived \(derived.causation)" }
        return nil
    }
}
