public import TapeCore

/// A large transfer seen on a blockchain. The instrument is the chain (kind `chain`); amounts
/// are at its size scale (satoshis for Bitcoin at 8 decimals).
public struct OnChainTransfer: EventPayload, Hashable {
    public static let eventType = EventType.onChainTransfer
    public static let fieldKinds: [FieldKind] = Array(repeating: .int, count: 9)

    /// The transaction id.
    public var transactionID: Hash256
    /// The value moved.
    public var amount: Quantity
    /// The fee paid.
    public var fee: Quantity
    /// Whether the coins moved into or out of known exchange wallets.
    public var flow: ExchangeFlow
    /// The number of inputs and outputs of the transaction.
    public var inputCount: UInt32
    public var outputCount: UInt32

    public init(transactionID: Hash256, amount: Quantity, fee: Quantity, flow: ExchangeFlow, inputCount: UInt32, outputCount: UInt32) {
        self.transactionID = transactionID
        self.amount = amount
        self.fee = fee
        self.flow = flow
        self.inputCount = inputCount
        self.outputCount = outputCount
    }

    @inlinable
    public func write<Writer: FieldWriter>(to writer: inout Writer) {
        writer.writeHash(transactionID)
        writer.writeInt(amount.units)
        writer.writeInt(fee.units)
        writer.writeCode(flow)
        writer.writeInt(Int64(inputCount))
        writer.writeInt(Int64(outputCount))
    }

    @inlinable
    public static func read<Reader: FieldReader>(from reader: inout Reader, version: UInt8) throws(CodecError) -> OnChainTransfer {
        try check(version: version)
        return OnChainTransfer(
            transactionID: try reader.readHash(),
            amount: Quantity(units: try reader.readInt()),
            fee: Quantity(units: try reader.readInt()),
            flow: try reader.readCode(ExchangeFlow.self, field: "flow"),
            inputCount: try reader.readUInt32(field: "input count"),
            outputCount: try reader.readUInt32(field: "output count")
        )
    }
}
