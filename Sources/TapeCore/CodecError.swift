/// A failure to decode bytes that were supposed to hold a Tape encoding.
///
/// Decoders never trap on bad input and never return partial values: every malformed,
/// truncated or out-of-range input ends in one of these cases, with the byte offset where the
/// decoder stopped. The offset is relative to the buffer the decoder was given.
public enum CodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before the value was complete.
    case truncated(offset: Int)
    /// A varint ran past 10 bytes or past 64 bits.
    case malformedVarint(offset: Int)
    /// A field held a value its type does not allow (an unknown enum code, an impossible length).
    case invalidValue(field: String, offset: Int)
    /// The encoding names a version this build does not know.
    case unsupportedVersion(what: String, version: Int)
    /// The input had bytes left over after the value it was supposed to hold.
    case trailingBytes(offset: Int)

    public var description: String {
        switch self {
        case .truncated(let offset): "input ends early at byte \(offset)"
        case .malformedVarint(let offset): "malformed varint at byte \(offset)"
        case .invalidValue(let field, let offset): "invalid \(field) at byte \(offset)"
        case .unsupportedVersion(let what, let version): "unsupported \(what) version \(version)"
        case .trailingBytes(let offset): "unexpected bytes after the value, from byte \(offset)"
        }
    }
}
