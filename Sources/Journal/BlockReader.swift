public import Events
import TapeCore

/// The reusable state for reading blocks: decompression buffers, a decoder and the decoded
/// block. One reader per thread; `block` is overwritten by each load.
public struct BlockReader {
    private let decompressor = ZstdDecompressor()
    private var timelineBuffer: [UInt8] = []
    private var payloadBuffer: [UInt8] = []
    private var decoder = BlockDecoder()
    /// The block loaded last.
    public private(set) var block = DecodedBlock()

    public init() {}

    /// Checks, decompresses and decodes a stored block into `block`.
    mutating func load(frame value: UnsafeRawBufferPointer, key: UInt64, filter: EventFilter, journalPath: String) throws(JournalError) {
        let frame = try parse(value, key: key, journalPath: journalPath)
        let last = frame.firstSequence + UInt64(frame.count) - 1
        func damaged(_ reason: String) -> JournalError {
            .corrupt(path: journalPath, firstSequence: key, lastSequence: last, reason: reason)
        }
        if let problem = Self.expand(frame.timeline, compressed: frame.flags & BlockFrame.timelineCompressed != 0, rawLength: frame.timelineRawLength, into: &timelineBuffer, decompressor: decompressor) {
            throw damaged("timeline: \(problem)")
        }
        if let problem = Self.expand(frame.payload, compressed: frame.flags & BlockFrame.payloadCompressed != 0, rawLength: frame.payloadRawLength, into: &payloadBuffer, decompressor: decompressor) {
            throw damaged("payload: \(problem)")
        }
        let result: Result<Void, CodecError> = timelineBuffer.withUnsafeBytes { timeline in
            payloadBuffer.withUnsafeBytes { payload in
                do throws(CodecError) {
                    try decoder.decode(timeline: timeline, payload: payload, into: &block, filter: filter)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
        }
        if case .failure(let error) = result { throw damaged("undecodable: \(error)") }
        guard block.count == frame.count,
              block.receiveTimes.first == frame.firstReceiveTime, block.receiveTimes.last == frame.lastReceiveTime else {
            throw damaged("header disagrees with contents")
        }
        block.firstSequence = key
    }

    /// The index in a stored block of its first event received at or after `time` (its event
    /// count when none); checks and decompresses only the header and timeline.
    mutating func firstIndex(atOrAfter time: Timestamp, frame value: UnsafeRawBufferPointer, key: UInt64, journalPath: String) throws(JournalError) -> Int {
        let frame = try parse(value, key: key, journalPath: journalPath, checkPayload: false)
        let last = frame.firstSequence + UInt64(frame.count) - 1
        if let problem = Self.expand(frame.timeline, compressed: frame.flags & BlockFrame.timelineCompressed != 0, rawLength: frame.timelineRawLength, into: &timelineBuffer, decompressor: decompressor) {
            throw .corrupt(path: journalPath, firstSequence: key, lastSequence: last, reason: "timeline: \(problem)")
        }
        let found: (index: Int, count: Int)
        do {
            found = try timelineBuffer.withBytes { (timeline: UnsafeRawBufferPointer) throws(CodecError) in
                try decoder.firstIndex(atOrAfter: time, timeline: timeline)
            }
        } catch {
            throw .corrupt(path: journalPath, firstSequence: key, lastSequence: last, reason: "undecodable timeline: \(error)")
        }
        guard found.count == frame.count else {
            throw .corrupt(path: journalPath, firstSequence: key, lastSequence: last, reason: "header disagrees with contents")
        }
        return found.index
    }

    private func parse(_ value: UnsafeRawBufferPointer, key: UInt64, journalPath: String, checkPayload: Bool = true) throws(JournalError) -> BlockFrame {
        let frame: BlockFrame
        do {
            frame = try BlockFrame(parsing: value, checkPayload: checkPayload)
        } catch {
            guard case .malformed(let reason) = error else { preconditionFailure() }
            throw .corrupt(path: journalPath, firstSequence: key, lastSequence: key, reason: reason)
        }
        guard frame.firstSequence == key else {
            throw .corrupt(path: journalPath, firstSequence: key, lastSequence: key, reason: "block says it starts at \(frame.firstSequence)")
        }
        return frame
    }

    /// Copies or decompresses a section into `buffer`; returns a reason when it is damaged.
    private static func expand(_ stored: UnsafeRawBufferPointer, compressed: Bool, rawLength: Int, into buffer: inout [UInt8], decompressor: ZstdDecompressor) -> String? {
        guard compressed else {
            guard stored.count == rawLength else { return "stored length differs from raw length" }
            buffer.removeAll(keepingCapacity: true)
            buffer.append(contentsOf: stored)
            return nil
        }
        guard rawLength <= 1 << 30 else { return "impossible raw length" }
        // Resize without clearing what is kept: zstd overwrites all of it, or fails.
        if buffer.count < rawLength {
            buffer.append(contentsOf: repeatElement(0, count: rawLength - buffer.count))
        } else {
            buffer.removeLast(buffer.count - rawLength)
        }
        return buffer.withUnsafeMutableBytes { decompressor.decompress(stored, into: $0) }
    }
}
