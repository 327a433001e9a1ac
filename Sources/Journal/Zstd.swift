internal import CZstd

/// A reusable zstd compression context (`ZSTD_createCCtx`), one per writer.
final class ZstdCompressor {
    private let context: OpaquePointer
    let level: Int32

    init(level: Int) {
        guard let context = ZSTD_createCCtx() else { preconditionFailure("ZSTD_createCCtx failed: out of memory") }
        self.context = context
        self.level = Int32(level)
    }

    deinit { ZSTD_freeCCtx(context) }

    /// The largest output `compress` can produce for `count` input bytes (`ZSTD_compressBound`).
    static func bound(_ count: Int) -> Int { ZSTD_compressBound(count) }

    /// Compresses `input` into `output` (at least `bound(input.count)` bytes) with
    /// `ZSTD_compressCCtx`; returns the compressed size.
    func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(JournalError) -> Int {
        let size = ZSTD_compressCCtx(context, output.baseAddress, output.count, input.baseAddress, input.count, level)
        if ZSTD_isError(size) != 0 { throw .compression(String(cString: ZSTD_getErrorName(size))) }
        return size
    }
}

/// A reusable zstd decompression context (`ZSTD_createDCtx`), one per reader.
final class ZstdDecompressor {
    private let context: OpaquePointer

    init() {
        guard let context = ZSTD_createDCtx() else { preconditionFailure("ZSTD_createDCtx failed: out of memory") }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses one frame into exactly `output.count` bytes with `ZSTD_decompressDCtx`;
    /// returns nil with zstd's reason when the frame is damaged or its size differs.
    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> String? {
        let size = ZSTD_decompressDCtx(context, output.baseAddress, output.count, input.baseAddress, input.count)
        if ZSTD_isError(size) != 0 { return String(cString: ZSTD_getErrorName(size)) }
        return size == output.count ? nil : "decompressed \(size) bytes, expected \(output.count)"
    }
}

/// Facts about the zstd library linked.
enum ZstdInfo {
    /// The library's version, e.g. "1.5.4" (`ZSTD_versionString`).
    static var version: String { String(cString: ZSTD_versionString()) }
}
