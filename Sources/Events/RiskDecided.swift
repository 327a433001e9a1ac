public import TapeCore

/// The risk engine's verdict on a signal or order intent, with everything needed to
/// re-derive it: each rule with its measured value and limit, the sizing inputs, and the
/// state hash of the projections it read.
public struct RiskDecided: EventPayload, Hashable {
    public static let eventType = EventType.riskDecision
    public static let fieldKinds: [FieldKind] = [.int, .int, .int, .int, .int, .bytes, .bytes, .int, .int, .int, .int]

    /// One rule as evaluated.
    public struct RuleCheck: Hashable, Sendable {
        /// The rule's code (see the risk catalogue in specs/).
        public var rule: UInt16
        public var passed: Bool
        public var measured: Double
        public var limit: Double
        /// The most bytes one takes encoded: its code's varint, passed, two doubles.
        public static let maximumBytes = 3 + 1 + 16
        public init(rule: UInt16, passed: Bool, measured: Double, limit: Double) {
            self.rule = rule
            self.passed = passed
            self.measured = measured
            self.limit = limit
        }
    }

    /// One input of the sizing policy.
    public struct SizingInput: Hashable, Sendable {
        public var input: UInt16
        public var value: Double
        /// The most bytes one takes encoded: its code's varint and a double.
        public static let maximumBytes = 3 + 8
        public init(input: UInt16, value: Double) {
            self.input = input
            self.value = value
        }
    }

    /// The sequence number of the source event that led to the decision.
    public var causation: UInt64
    /// The order intent judged, 0 when the decision is about a signal or the account.
    public var orderID: UInt64
    public var verdict: RiskVerdict
    public var requestedQuantity: Quantity
    public var approvedQuantity: Quantity
    public var rules: [RuleCheck]
    public var sizing: [SizingInput]
    /// The SHA-256 of the canonical state of the projections the decision read.
    public var stateHash: Hash256

    public init(causation: UInt64, orderID: UInt64, verdict: RiskVerdict, requestedQuantity: Quantity, approvedQuantity: Quantity, rules: [RuleCheck], sizing: [SizingInput], stateHash: Hash256) {
        self.causation = causation
        self.orderID = orderID
        self.verdict = verdict
        self.requestedQuantity = requestedQuantity
        self.approvedQuantity = approvedQuantity
        self.rules = rules
        self.sizing = sizing
        self.stateHash = stateHash
    }

    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeUInt(causation)
        writer.writeUInt(orderID)
        writer.writeCode(verdict)
        writer.writeInt(requestedQuantity.units)
        writer.writeInt(approvedQuantity.units)
        writer.writeList(rules, entryBytes: RuleCheck.maximumBytes, Self.write)
        writer.writeList(sizing, entryBytes: SizingInput.maximumBytes, Self.write)
        writer.writeHash(stateHash)
    }

    /// Writes `rules` at `position` of `output` (at most `RuleCheck.maximumBytes` each): per rule
    /// its code, whether it passed, the measured value and the limit (little-endian bits);
    /// returns the position after them. The encoding of the rules field, after its count, and
    /// of the rules in a decision's state hash.
    @inlinable
    public static func write(_ rules: [RuleCheck], into output: RawOutput, at position: Int) -> Int {
        var position = position
        for check in rules {
            position = output.writeVarint(UInt64(check.rule), at: position)
            output.bytes(from: position, count: 1).pointee = check.passed ? 1 : 0
            output.storeLittleEndian(check.measured.bitPattern, at: position + 1)
            output.storeLittleEndian(check.limit.bitPattern, at: position + 9)
            position += 17
        }
        return position
    }

    /// Writes `inputs` at `position` of `output` (at most `SizingInput.maximumBytes` each): per
    /// input its code and value; returns the position after them. As `write(_:into:at:)` of rules.
    @inlinable
    public static func write(_ inputs: [SizingInput], into output: RawOutput, at position: Int) -> Int {
        output.writeCodedValues(inputs, at: position) { (UInt64($0.input), $0.value) }
    }

    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> RiskDecided {
        try check(version: version)
        let causation = try reader.readUInt()
        let orderID = try reader.readUInt()
        let verdict = try reader.readCode(RiskVerdict.self, field: "verdict")
        let requested = Quantity(units: try reader.readInt())
        let approved = Quantity(units: try reader.readInt())
        var list = ByteReader(try reader.readBytes())
        var rules: [RuleCheck] = []
        for _ in 0..<(try list.readCount(limit: maximumFieldBytes / 18, field: "rule count")) {
            let rule = try list.readCount(limit: Int(UInt16.max), field: "rule")
            let passedOffset = list.offset
            let passed = try list.readByte()
            guard passed <= 1 else { throw .invalidValue(field: "rule passed", offset: passedOffset) }
            let measured = Double(bitPattern: try list.readLittleEndianUInt64())
            let limit = Double(bitPattern: try list.readLittleEndianUInt64())
            rules.append(RuleCheck(rule: UInt16(rule), passed: passed == 1, measured: measured, limit: limit))
        }
        try list.expectEnd()
        list = ByteReader(try reader.readBytes())
        var sizing: [SizingInput] = []
        for _ in 0..<(try list.readCount(limit: maximumFieldBytes / 9, field: "sizing input count")) {
            let input = try list.readCount(limit: Int(UInt16.max), field: "sizing input")
            sizing.append(SizingInput(input: UInt16(input), value: Double(bitPattern: try list.readLittleEndianUInt64())))
        }
        try list.expectEnd()
        return RiskDecided(causation: causation, orderID: orderID, verdict: verdict, requestedQuantity: requested, approvedQuantity: approved, rules: rules, sizing: sizing, stateHash: try reader.readHash())
    }
}
