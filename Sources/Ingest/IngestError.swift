public import Journal
public import TapeCore

/// Why an import stopped. Each case names the place: the file and line, or the option.
/// Nothing of a stopped import is kept in the journal, except with `afterCommit`: the events
/// were stored, and what was to follow them (snapshots) failed.
public enum IngestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A row could not be imported.
    case badRow(file: String, line: UInt64, reason: String)
    /// A file could not be opened or read, or is not in the expected container (gzip).
    case unreadable(file: String, reason: String)
    /// The command's options do not fit the format or the data.
    case invalidOptions(String)
    /// The instrument catalogue is malformed.
    case catalogue(file: String, line: Int?, reason: String)
    /// An input was imported before (same content hash) and `--force` was not given.
    case alreadyImported(file: String, contentHash: String, sequences: String)
    /// A file's data begins before the journal's last receive time.
    case beforeJournalEnd(file: String, receiveTime: Timestamp, journalEnd: Timestamp)
    /// The journal refused the events or could not store them.
    case journal(JournalError)
    /// The rejected-rows log could not be written.
    case rejectLog(file: String, reason: String)
    /// The events through `sequence` are stored; the work after their commit failed.
    case afterCommit(sequence: UInt64, reason: String)

    public var description: String {
        switch self {
        case .badRow(let file, let line, let reason): "\(file):\(line): \(reason)"
        case .unreadable(let file, let reason): "\(file): \(reason)"
        case .invalidOptions(let reason): reason
        case .catalogue(let file, let line, let reason): "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)"
        case .alreadyImported(let file, let hash, let sequences):
            "\(file): the same content (sha256 \(hash)) was already imported as sequences \(sequences); pass --force to import it again"
        case .beforeJournalEnd(let file, let time, let end):
            "\(file): receive time \(time.iso8601) is before the journal's end \(end.iso8601); a journal only grows forward in time: "
                + "import this data into a new journal and combine the two with tape merge"
        case .journal(let error): error.description
        case .rejectLog(let file, let reason): "\(file): cannot write rejected rows: \(reason)"
        case .afterCommit(let sequence, let reason): "the events through sequence \(sequence) are stored, then: \(reason)"
        }
    }
}
