import Engine
import Events
import Journal
import TapeCore

/// The journal a study (a walk-forward or a sweep) keeps in its output directory, beside its
/// runs' journals (specs/walkforward.md, specs/sweep.md): the source's instruments, the study
/// file and the run file attached, `run_started` of the study's kind, the study's own records,
/// and `run_ended`.
struct StudyJournal {
    let journal: Journal
    let source: Journal
    let head: JournalHead
    let configuration: WalkForwardConfiguration

    /// Creates it at `output`, which must not hold a journal yet; its id derives from the
    /// source and the study file, so the same study makes the same journal.
    init(at output: String, source: Journal, head: JournalHead, configuration: WalkForwardConfiguration, what: String) throws {
        journal = try Journal(path: output, readOnly: false, create: true, options: Journal.Options(id: Engine.runID(
            source: source.id, range: 1...head.lastSequence, configuration: configuration.hash, seed: configuration.seed)))
        guard try journal.head().eventCount == 0 else { throw RunError("\(output) already holds a journal: a \(what) writes a new one") }
        self.source = source
        self.head = head
        self.configuration = configuration
    }

    /// Writes the whole journal in one transaction: the frame around what `records` appends
    /// (`run_started` at the source's first receive time, `run_ended` at its last). Returns
    /// the journal's content hash.
    func write(kind: RunKind, file: String, codeVersion: String, _ records: (inout JournalAppender) throws -> Void) throws -> Hash256 {
        let c = configuration
        try journal.write { appender in
            for instrument in try source.instruments().instruments { _ = try appender.add(instrument) }
            try appender.attach(Array(c.text.utf8), name: file)
            try appender.attach(Array(c.run.text.utf8), name: Engine.Attachment.run)
            let start = head.firstReceiveTime!
            try appender.append(RunStarted(sourceJournal: source.id, sourceFirstSequence: 1, sourceLastSequence: head.lastSequence,
                                           configurationHash: c.hash, codeVersion: codeVersion, seed: c.seed, kind: kind),
                                eventTime: start, receiveTime: start, instrument: .none)
            try records(&appender)
            let end = head.lastReceiveTime!
            try appender.append(RunEnded(status: .completed, lastSourceSequence: head.lastSequence, eventCount: appender.nextSequence),
                                eventTime: end, receiveTime: end, instrument: .none)
        }
        return try RunSummary.contentHash(of: journal)
    }
}
