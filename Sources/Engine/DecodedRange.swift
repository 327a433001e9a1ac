public import Events
public import Journal

/// A range of a source journal read and decoded once and held in memory, for many backtests
/// of that range: a walk-forward fold's candidates all run on its training slice, and each
/// would otherwise read, decompress, check and decode the same blocks again.
///
/// It holds the blocks as the journal's own reader makes them, with the payloads of `types`
/// decoded; a backtest uses it when its range is the same and it needs no other payloads.
public final class DecodedRange: Sendable {
    public let range: ClosedRange<UInt64>
    public let types: Set<EventType>
    let blocks: [DecodedBlock]

    /// Reads `range` of `source`, decoding the payloads of `types`.
    public init(_ source: Journal, range: ClosedRange<UInt64>, types: Set<EventType>) throws {
        self.range = range
        self.types = types
        var blocks: [DecodedBlock] = []
        try source.read { snapshot in
            var reader = BlockReader()
            try snapshot.scan(from: range.lowerBound, through: range.upperBound, filter: EventFilter(types: types, instruments: nil), using: &reader) { block in
                blocks.append(block)
                return true
            }
        }
        self.blocks = blocks
    }

    /// Whether a backtest of `range` that decodes `types` can read its source from here.
    func serves(_ range: ClosedRange<UInt64>, types needed: Set<EventType>) -> Bool {
        range == self.range && needed.isSubset(of: types)
    }
}
