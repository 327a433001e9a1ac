import Crypto
import Events
public import Journal
import Projections
public import TapeCore

/// What a run did (`tape backtest --json`; specs/runs.md).
public struct RunSummary: Sendable {
    public struct PositionSummary: Sendable {
        public var instrument: String
        public var size: Int64
        public var sizeScale: Int
        public var fills: UInt64
        public var entryPrice: Double
        public var currency: String
        /// 10⁻¹⁸ of the settlement currency.
        public var realized: Int128
        public var unrealized: Int128
        public var fees: Int128
        public var funding: Int128
    }

    public var sourceEvents: UInt64
    /// Events of the run journal by kind, filled in once it is committed.
    public var signals = 0
    public var orders = 0
    public var fills = 0
    public var liquidations = 0
    public var fundingPayments = 0
    /// Decisions by verdict label, in verdict-code order.
    public var decisions: [(verdict: String, count: Int)]
    public var positions: [PositionSummary]
    /// Account totals per currency (10⁻¹⁸ units): fees paid, funding received, realized.
    public var totals: [(currency: String, fees: Int128, funding: Int128, realized: Int128)]
    public var equity: Double
    public var valuationCurrency: String
    /// Filled in once the run journal is committed.
    public var runEvents: UInt64 = 0
    public var runHash: Hash256 = .zero
    public var runID: JournalID = .none

    init(decisions: [Int], sourceEvents: UInt64, ledger: LedgerProjection, table: InstrumentTable) {
        self.sourceEvents = sourceEvents
        self.decisions = RiskVerdict.allCases.map { ($0.label, decisions[Int($0.rawValue)]) }
        positions = (1..<ledger.positions.count).compactMap { raw in
            let position = ledger.positions[raw]
            guard position.fills > 0 || position.size != 0 || position.funding != 0 else { return nil }
            let instrument = table.instruments[raw - 1]
            return PositionSummary(
                instrument: instrument.name, size: position.size, sizeScale: instrument.sizeScale, fills: position.fills,
                entryPrice: position.size != 0 ? ledger.entryPrice(raw) / Double(FixedPoint.powersOfTen[instrument.priceScale]) : 0,
                currency: instrument.settlementCurrency, realized: position.realized, unrealized: ledger.unrealized(raw), fees: position.fees,
                funding: position.funding)
        }
        totals = ledger.currencies.indices.map { (ledger.currencies[$0], ledger.cash[$0].fees, ledger.cash[$0].funding, ledger.cash[$0].realized) }
        equity = ledger.valuation().equity
        valuationCurrency = ledger.currency
    }

    /// The summary with the committed run journal's id, counts and `hash` (its events'
    /// `ContentHasher` digest, taken as they were appended).
    func sealed(by run: Journal, hash: Hash256) throws -> RunSummary {
        var sealed = self
        let head = try run.head()
        sealed.runID = run.id
        sealed.runHash = hash
        sealed.runEvents = head.eventCount
        sealed.signals = Int(head.count(of: .signal))
        sealed.orders = Int(head.count(of: .orderSubmitted))
        sealed.fills = Int(head.count(of: .fill))
        sealed.liquidations = Int(head.count(of: .liquidation))
        sealed.fundingPayments = Int(head.count(of: .fundingPayment))
        return sealed
    }

    /// The journal's content hash, read back from it (`ContentHasher`).
    public static func contentHash(of journal: Journal) throws -> Hash256 {
        try journal.read { snapshot in
            var hasher = ContentHasher()
            try snapshot.forEachEvent { _, event in
                hasher.add(event)
                return true
            }
            return hasher.digest
        }
    }
}

/// A journal's content hash: SHA-256 over its events, each as its codec frame, so two journals
/// with the same events have the same hash whatever their block sizes. The engine takes it
/// as it appends (reading a run journal back to hash it cost a tenth of a walk-forward).
struct ContentHasher {
    private var hasher = SHA256()
    private var frame = ByteWriter()

    mutating func add(_ event: Event) {
        frame.removeAll()
        EventCodec.appendFrame(event, to: &frame)
        frame.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }

    var digest: Hash256 { Hash256(bytes: Array(hasher.finalize()))! }
}
