import Foundation

/// Buffered byte output to a file descriptor; flushes when full and on request.
final class Output {
    // The tool is single-threaded: these are only touched from the main thread.
    nonisolated(unsafe) static let standard = Output(descriptor: 1)
    nonisolated(unsafe) static let error = Output(descriptor: 2)

    private let descriptor: Int32
    private(set) var buffer: [UInt8] = []
    private static let capacity = 1 << 16

    init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.reserveCapacity(Self.capacity)
    }

    /// Whether the descriptor is a terminal.
    var isTerminal: Bool { isatty(descriptor) == 1 }

    func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.capacity { flush() }
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.capacity { flush() }
    }

    /// Appends through a closure, avoiding an intermediate array.
    func append(_ body: (inout [UInt8]) -> Void) {
        body(&buffer)
        if buffer.count >= Self.capacity { flush() }
    }

    func line(_ text: String) { write(text + "\n") }

    func flush() {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                // The reader went away (a closed pipe): stop quietly, like cat.
                exit(errno == EPIPE ? 0 : 2)
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
