public import TapeCore

/// The kill switch acted: trading halted (and positions flattened), or resumed.
public struct KillSwitchTripped: EventPayload, Hashable {
    public static let eventType = EventType.killSwitch
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int]

    /// The sequence number of the source event that tripped it.
    public var causation: UInt64
    public var action: KillSwitchAction
    /// The rule code that tripped it (see the risk catalogue in specs/).
    public var reason: UInt16
    /// When trading may resume on its own; `.epoch` means only by an operator.
    public var until: Timestamp

    public init(causation: UInt64, action: KillSwitchAction, reason: UInt16, until: Timestamp) {
        self.causation = causation
        self.action = action
        self.reason = reason
        self.until = until
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(causation)
        writer.writeCode(action)
        writer.writeInt(Int64(reason))
        writer.writeTime(until)
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> KillSwitchTripped {
        try check(version: version)
        return KillSwitchTripped(causation: try reader.readUInt(), action: try reader.readCode(KillSwitchAction.self, field: "action"), reason: try reader.readUInt16(field: "reason"), until: try reader.readTime())
    }
}
