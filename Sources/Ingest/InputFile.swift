internal import CZlib
import Crypto
import Foundation
import TapeCore

/// An input file read in chunks: plain or gzip (detected by its magic bytes, multi-member
/// archives included), or standard input for the path `-`. The SHA-256 of the bytes as
/// stored is computed while reading, so hashing never costs a second pass.
final class InputFile {
    /// The most bytes a chunk of decompressed input holds.
    static let chunkBytes = 1 << 20

    let path: String
    /// The file's size as stored, when known (not for standard input).
    let storedSize: UInt64?
    private let descriptor: Int32
    private var hasher = SHA256()
    private var raw = [UInt8](repeating: 0, count: chunkBytes)
    private var rawStart = 0
    private var rawEnd = 0
    private var inflater: Inflater?
    private var atEnd = false
    private var sniffed = false
    /// Bytes read from the file as stored.
    private(set) var storedBytesRead: UInt64 = 0

    init(path: String) throws(IngestError) {
        self.path = path
        if path == "-" {
            descriptor = 0
            storedSize = nil
            return
        }
        let opened = open(path, O_RDONLY)
        guard opened >= 0 else { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
        var status = stat()
        guard fstat(opened, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG || (status.st_mode & S_IFMT) == S_IFIFO else {
            close(opened)
            throw .unreadable(file: path, reason: "not a regular file or a pipe")
        }
        descriptor = opened
        storedSize = (status.st_mode & S_IFMT) == S_IFREG ? UInt64(status.st_size) : nil
    }

    deinit {
        if descriptor != 0 { close(descriptor) }
    }

    /// The SHA-256 of every stored byte read so far (of the whole file once `read` returned 0).
    var contentHash: Hash256 {
        Hash256(bytes: Array(hasher.finalize()))!
    }

    /// Whether standard input is the source (it is committed as it arrives).
    var isStandardInput: Bool { path == "-" }

    /// Reads the next decompressed bytes into `buffer` (replacing its contents); returns the
    /// number of bytes, 0 at the end of the file.
    func read(into buffer: inout [UInt8]) throws(IngestError) -> Int {
        buffer.removeAll(keepingCapacity: true)
        while buffer.isEmpty {
            if rawStart == rawEnd {
                if atEnd { break }
                try fill()
                if rawStart == rawEnd && atEnd {
                    if let inflater, !inflater.isAtMemberBoundary {
                        throw .unreadable(file: path, reason: "the gzip data ends early (truncated file)")
                    }
                    break
                }
            }
            if !sniffed {
                sniffed = true
                if rawEnd - rawStart >= 2 && raw[rawStart] == 0x1F && raw[rawStart + 1] == 0x8B {
                    inflater = try Inflater(path: path)
                }
            }
            if let inflater {
                let consumed = try inflater.inflate(raw[rawStart..<rawEnd], into: &buffer, limit: Self.chunkBytes)
                rawStart += consumed
            } else {
                buffer.append(contentsOf: raw[rawStart..<rawEnd])
                rawStart = rawEnd
            }
        }
        return buffer.count
    }

    /// Reads the rest of the stored bytes without decoding them, so that `contentHash` covers
    /// the whole file.
    func drain() throws(IngestError) {
        while !atEnd { try fill() }
        rawStart = rawEnd
    }

    /// Reads the whole decompressed content, refusing more than `limit` bytes.
    func readAll(limit: Int) throws(IngestError) -> [UInt8] {
        var all: [UInt8] = []
        var chunk: [UInt8] = []
        while try read(into: &chunk) > 0 {
            all.append(contentsOf: chunk)
            guard all.count <= limit else { throw .unreadable(file: path, reason: "larger than \(limit >> 20) MiB; this format is read whole") }
        }
        return all
    }

    private func fill() throws(IngestError) {
        rawStart = 0
        rawEnd = 0
        let count = raw.withUnsafeMutableBytes { buffer in
            Foundation.read(descriptor, buffer.baseAddress, buffer.count)
        }
        if count < 0 {
            if errno == EINTR { return }
            throw .unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        if count == 0 {
            atEnd = true
            return
        }
        rawEnd = count
        storedBytesRead += UInt64(count)
        raw.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}

/// A zlib inflate stream for gzip (`inflateInit2` with the gzip wrapper), restarted at each
/// member of a multi-member archive.
private final class Inflater {
    private var stream = z_stream()
    private let path: String
    private(set) var isAtMemberBoundary = false

    init(path: String) throws(IngestError) {
        self.path = path
        guard tape_inflate_init_gzip(&stream) == Z_OK else {
            throw .unreadable(file: path, reason: "zlib could not start: \(stream.msg.map { String(cString: $0) } ?? "unknown")")
        }
    }

    deinit { inflateEnd(&stream) }

    /// Inflates from `input` into the end of `output` (at most `limit` new bytes); returns the
    /// input bytes consumed.
    func inflate(_ input: ArraySlice<UInt8>, into output: inout [UInt8], limit: Int) throws(IngestError) -> Int {
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: limit))
        var consumed = 0
        var produced = 0
        var code: Int32 = Z_OK
        input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress!.assumingMemoryBound(to: UInt8.self))
                stream.avail_in = UInt32(source.count)
                stream.next_out = (target.baseAddress! + start).assumingMemoryBound(to: UInt8.self)
                stream.avail_out = UInt32(limit)
                code = CZlib.inflate(&stream, Z_NO_FLUSH)
                consumed = source.count - Int(stream.avail_in)
                produced = limit - Int(stream.avail_out)
            }
        }
        output.removeLast(limit - produced)
        switch code {
        case Z_OK, Z_BUF_ERROR:
            isAtMemberBoundary = false
        case Z_STREAM_END:
            // The end of one gzip member; another may follow.
            isAtMemberBoundary = true
            inflateReset(&stream)
        default:
            throw .unreadable(file: path, reason: "corrupt gzip data: \(stream.msg.map { String(cString: $0) } ?? "zlib error \(code)")")
        }
        return consumed
    }
}
