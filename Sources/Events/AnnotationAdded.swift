public import TapeCore

/// A free-text note in a journal: an operator's remark, a research comment.
public struct AnnotationAdded: EventPayload, Hashable {
    public static let eventType = EventType.annotation
    public static let fieldKinds: [FieldKind] = [.bytes]

    public var text: String

    public init(text: String) { self.text = text }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeString(text)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> AnnotationAdded {
        try check(version: version)
        return AnnotationAdded(text: try reader.readString(field: "text"))
    }
}
