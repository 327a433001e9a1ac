import Foundation
import Events

/// The `--skip-bad FILE` log: one JSON object per rejected row, with its file, line, reason
/// and text, written as the import goes.
final class RejectLog {
    /// Rows longer than this are cut in the log (the reason names the line to find them).
    static let maximumRowBytes = 64 * 1024

    let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private(set) var count: UInt64 = 0

    init(path: String) throws(IngestError) {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw .rejectLog(file: path, reason: "cannot create the file")
        }
        self.handle = handle
    }

    func record(file: String, line: UInt64, reason: String, row: String) throws(IngestError) {
        buffer.append(contentsOf: "{\"file\":".utf8)
        JSONText.appendString(file, to: &buffer)
        buffer.append(contentsOf: ",\"line\":\(line),\"reason\":".utf8)
        JSONText.appendString(reason, to: &buffer)
        buffer.append(contentsOf: ",\"row\":".utf8)
        JSONText.appendString(row, to: &buffer)
        buffer.append(contentsOf: "}\n".utf8)
        count += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws(IngestError) {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw .rejectLog(file: path, reason: error.localizedDescription)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    deinit {
        try? flush()  // the importer flushes explicitly; this only covers an abandoned import
        try? handle.close()  // nothing more can be done about a failed close here
    }
}
