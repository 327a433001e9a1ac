import TapeCore

/// The stored form of one block: a fixed header, the timeline and payload sections (each
/// zstd-compressed when that makes it smaller), and two XXH64 checksums: one over the header
/// and timeline, one over the payload, so that a time seek checks and reads only the first
/// part. Layout, little-endian (see specs/journal-format.md):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic `TPJB` |
/// | 4 | 1 | frame version (1) |
/// | 5 | 1 | flags: bit 0 timeline is zstd, bit 1 payload is zstd |
/// | 6 | 2 | reserved, 0 |
/// | 8 | 8 | first sequence |
/// | 16 | 4 | event count |
/// | 20 | 8 | first receive time (ns) |
/// | 28 | 8 | last receive time (ns) |
/// | 36 | 4 | timeline raw length |
/// | 40 | 4 | timeline stored length |
/// | 44 | 4 | payload raw length |
/// | 48 | 4 | payload stored length |
/// | 52 | T | timeline stored bytes |
/// | 52 + T | P | payload stored bytes |
/// | end − 16 | 8 | XXH64 (seed 0) of bytes 0 ..< 52 + T (header and timeline) |
/// | end − 8 | 8 | XXH64 (seed 0) of the payload stored bytes |
struct BlockFrame {
    static let magic: [UInt8] = [0x54, 0x50, 0x4A, 0x42]
    static let version: UInt8 = 1
    static let headerSize = 52
    static let trailerSize = 16
    static let timelineCompressed: UInt8 = 1
    static let payloadCompressed: UInt8 = 2

    var firstSequence: UInt64
    var count: Int
    var firstReceiveTime: Int64
    var lastReceiveTime: Int64
    var flags: UInt8
    var timelineRawLength: Int
    var payloadRawLength: Int
    /// The stored sections, borrowed from the value they were parsed from.
    var timeline: UnsafeRawBufferPointer
    var payload: UnsafeRawBufferPointer

    /// Why a stored value is not a sound frame.
    enum Damage: Error {
        case malformed(String)
    }

    /// Parses and checks a stored value: layout, lengths and the checksum of the header and
    /// timeline; the payload's checksum too when `checkPayload` (a time seek does not read it).
    init(parsing value: UnsafeRawBufferPointer, checkPayload: Bool = true) throws(Damage) {
        guard value.count >= Self.headerSize + Self.trailerSize else {
            throw .malformed("value of \(value.count) bytes is shorter than a block header")
        }
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: value[8..<Self.headerSize]))
        let timelineStored: Int
        let payloadStored: Int
        do throws(CodecError) {
            firstSequence = try reader.readLittleEndianUInt64()
            count = Int(try reader.readLittleEndianUInt32())
            firstReceiveTime = Int64(bitPattern: try reader.readLittleEndianUInt64())
            lastReceiveTime = Int64(bitPattern: try reader.readLittleEndianUInt64())
            timelineRawLength = Int(try reader.readLittleEndianUInt32())
            timelineStored = Int(try reader.readLittleEndianUInt32())
            payloadRawLength = Int(try reader.readLittleEndianUInt32())
            payloadStored = Int(try reader.readLittleEndianUInt32())
        } catch {
            throw .malformed("header: \(error)")
        }
        guard Self.headerSize + timelineStored + payloadStored + Self.trailerSize == value.count else {
            throw .malformed("checksum mismatch (section lengths do not add up to the value's size)")
        }
        let timelineEnd = Self.headerSize + timelineStored
        let sums = value.count - Self.trailerSize
        let storedFirst = UInt64(littleEndian: value.loadUnaligned(fromByteOffset: sums, as: UInt64.self))
        guard Checksum.xxh64(UnsafeRawBufferPointer(rebasing: value[0..<timelineEnd])) == storedFirst else {
            throw .malformed("checksum mismatch (header or timeline)")
        }
        payload = UnsafeRawBufferPointer(rebasing: value[timelineEnd..<sums])
        if checkPayload {
            let storedSecond = UInt64(littleEndian: value.loadUnaligned(fromByteOffset: sums + 8, as: UInt64.self))
            guard Checksum.xxh64(payload) == storedSecond else { throw .malformed("checksum mismatch (payload)") }
        }
        guard Array(value[0..<4]) == Self.magic else { throw .malformed("bad magic") }
        guard value[4] == Self.version else { throw .malformed("unknown block frame version \(value[4])") }
        flags = value[5]
        guard flags & ~(Self.timelineCompressed | Self.payloadCompressed) == 0, value[6] == 0, value[7] == 0 else {
            throw .malformed("unknown flags")
        }
        timeline = UnsafeRawBufferPointer(rebasing: value[Self.headerSize..<timelineEnd])
        guard count >= 1, firstReceiveTime <= lastReceiveTime else { throw .malformed("impossible header values") }
    }

    /// Appends the frame of an encoded block to `output`, compressing each section when that
    /// makes it smaller.
    static func write(
        firstSequence: UInt64, count: Int, firstReceiveTime: Int64, lastReceiveTime: Int64,
        timeline: ByteWriter, payload: ByteWriter, compressor: ZstdCompressor, into output: inout [UInt8]
    ) throws(JournalError) {
        output.removeAll(keepingCapacity: true)
        var header = ByteWriter(capacity: headerSize)
        header.write(contentsOf: magic)
        header.write(version)
        header.write(0)  // flags, patched below
        header.writeLittleEndian(UInt16(0))
        header.writeLittleEndian(firstSequence)
        header.writeLittleEndian(UInt32(count))
        header.writeLittleEndian(UInt64(bitPattern: firstReceiveTime))
        header.writeLittleEndian(UInt64(bitPattern: lastReceiveTime))
        header.withUnsafeBytes { output.append(contentsOf: $0) }
        output.append(contentsOf: repeatElement(0, count: 16))  // section lengths, patched below
        let (timelineStored, timelineZstd) = try appendSection(timeline, compressor: compressor, to: &output)
        let (payloadStored, payloadZstd) = try appendSection(payload, compressor: compressor, to: &output)
        output[5] = (timelineZstd ? timelineCompressed : 0) | (payloadZstd ? payloadCompressed : 0)
        for (index, length) in [timeline.count, timelineStored, payload.count, payloadStored].enumerated() {
            for byte in 0..<4 {
                output[36 + 4 * index + byte] = UInt8(truncatingIfNeeded: length >> (8 * byte))
            }
        }
        let timelineEnd = headerSize + timelineStored
        let sums = output.withUnsafeBytes { raw in
            (Checksum.xxh64(UnsafeRawBufferPointer(rebasing: raw[0..<timelineEnd])),
             Checksum.xxh64(UnsafeRawBufferPointer(rebasing: raw[timelineEnd...])))
        }
        for sum in [sums.0, sums.1] {
            for byte in 0..<8 {
                output.append(UInt8(truncatingIfNeeded: sum >> UInt64(8 * byte)))
            }
        }
    }

    /// Appends `section` compressed, or raw when compression does not pay; returns the stored
    /// length and whether it is compressed.
    static func appendSection(_ section: [UInt8], compressor: ZstdCompressor, to output: inout [UInt8]) throws(JournalError) -> (Int, Bool) {
        try section.withUnsafeBytes { bytes in Result { () throws(JournalError) in try appendSection(bytes, compressor: compressor, to: &output) } }.get()
    }

    /// The same, for the bytes a writer holds (lent, not copied).
    static func appendSection(_ section: ByteWriter, compressor: ZstdCompressor, to output: inout [UInt8]) throws(JournalError) -> (Int, Bool) {
        try section.withUnsafeBytes { bytes in Result { () throws(JournalError) in try appendSection(bytes, compressor: compressor, to: &output) } }.get()
    }

    /// The same, for bytes in memory.
    static func appendSection(_ section: UnsafeRawBufferPointer, compressor: ZstdCompressor, to output: inout [UInt8]) throws(JournalError) -> (Int, Bool) {
        let start = output.count
        let bound = ZstdCompressor.bound(section.count)
        output.append(contentsOf: repeatElement(0, count: bound))
        let result: Result<Int, JournalError> = output.withUnsafeMutableBytes { buffer in
            do throws(JournalError) {
                return .success(try compressor.compress(section, into: UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + bound)])))
            } catch {
                return .failure(error)
            }
        }
        let compressed = try result.get()
        if compressed < section.count {
            output.removeLast(bound - compressed)
            return (compressed, true)
        }
        output.removeLast(bound)
        output.append(contentsOf: section)
        return (section.count, false)
    }
}
