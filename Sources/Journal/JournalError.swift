public import TapeCore

/// Why a journal operation failed. Each case carries where it happened (the journal path, the
/// sequence range, the C function) and never payload bytes.
public enum JournalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// LMDB reported an error that is not one of the cases below.
    case storage(path: String, function: String, code: Int32, message: String)
    /// The journal reached its map size (or the disk is full); nothing of the failed
    /// transaction was written.
    case full(path: String, detail: String)
    /// The directory holds no journal (and creating one was not asked for).
    case notFound(path: String)
    /// The directory holds something that is not a Tape journal, or a newer format.
    case notAJournal(path: String, reason: String)
    /// A block is damaged; the events in the range cannot be trusted and are never returned.
    case corrupt(path: String, firstSequence: UInt64, lastSequence: UInt64, reason: String)
    /// A stored snapshot is damaged; it is never used.
    case corruptSnapshot(path: String, sequence: UInt64, reason: String)
    /// A snapshot was to be stored for events the journal does not hold.
    case snapshotBeyondEnd(path: String, sequence: UInt64, lastSequence: UInt64)
    /// An append would break the journal's order: receive times never decrease.
    case outOfOrder(receiveTime: Timestamp, journalEnd: Timestamp)
    /// An event names an instrument the journal's table does not hold.
    case unknownInstrument(InstrumentID)
    /// An instrument could not be added to the table.
    case instrument(InstrumentTableError)
    /// A write was attempted on a journal opened read-only.
    case readOnly(path: String)
    /// zstd failed to compress.
    case compression(String)

    public var description: String {
        switch self {
        case .storage(let path, let function, let code, let message):
            "\(path): \(function) failed (\(code)): \(message)"
        case .full(let path, let detail):
            "\(path): the journal is full (\(detail)); the last write was rolled back and the journal is intact"
        case .notFound(let path):
            "\(path): no journal here"
        case .notAJournal(let path, let reason):
            "\(path): not a Tape journal (\(reason))"
        case .corrupt(let path, let first, let last, let reason):
            "\(path): corrupt block holding sequences \(first)…\(last): \(reason)"
        case .corruptSnapshot(let path, let sequence, let reason):
            "\(path): corrupt snapshot at sequence \(sequence): \(reason)"
        case .snapshotBeyondEnd(let path, let sequence, let last):
            "\(path): a snapshot at sequence \(sequence) is past the journal's last event (\(last))"
        case .outOfOrder(let time, let end):
            "receive time \(time.iso8601) is before the journal's end \(end.iso8601); a journal only grows forward in time"
        case .unknownInstrument(let id):
            "instrument \(id) is not in the journal's instrument table"
        case .instrument(let error):
            error.description
        case .readOnly(let path):
            "\(path): the journal was opened read-only"
        case .compression(let message):
            "zstd compression failed: \(message)"
        }
    }
}
