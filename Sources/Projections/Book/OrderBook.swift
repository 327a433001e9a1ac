public import Events
public import TapeCore

/// The level-2 book of one instrument, rebuilt from the venue's snapshots and diff messages
/// under its sequencing rules (specs/projections.md §3):
///
/// - A snapshot replaces the book; the book waits for the first diff that spans the
///   snapshot's update id (Binance USD-M: `U ≤ lastUpdateId ≤ u`; venues without a previous
///   id: `U ≤ lastUpdateId + 1 ≤ u`), dropping older diffs.
/// - Then every diff must continue the last one: `pu` equal to the last `u` when the venue
///   sends `pu`, else `U` equal to the last `u + 1`.
/// - Anything else is a gap: the book becomes invalid, the fault is counted with its sequence,
///   and it stays invalid until the next snapshot. An invalid book is never read as valid.
/// - Diffs without update ids (`U = u = 0`) are applied as they come once a snapshot is in.
public struct OrderBook: Sendable {
    /// Where the book stands.
    public enum Status: UInt8, Sendable {
        /// No snapshot yet: diffs are dropped.
        case empty = 0
        /// A snapshot is in; waiting for the diff that spans it.
        case syncing = 1
        /// In sequence: readable.
        case valid = 2
        /// A gap was seen: unreadable until the next snapshot.
        case invalid = 3

        public var label: String {
            switch self {
            case .empty: "empty"
            case .syncing: "syncing"
            case .valid: "valid"
            case .invalid: "invalid"
            }
        }
    }

    public private(set) var status = Status.empty
    /// The update id the book reflects.
    public private(set) var lastUpdateID: UInt64 = 0
    /// Gaps seen.
    public private(set) var faults: UInt64 = 0
    /// The sequence and reason of the last gap.
    public private(set) var lastFaultSequence: UInt64 = 0
    public private(set) var lastFaultReason = ""
    /// Diffs applied, and diffs dropped (before a snapshot, stale after one, or while invalid).
    public private(set) var applied: UInt64 = 0
    public private(set) var dropped: UInt64 = 0
    /// The receive time of the last change.
    public private(set) var updatedAt: Int64 = 0
    var bids: BookSide
    var asks: BookSide

    /// A book on the grid of `tick` price units with a ladder of at least `window` ticks per side.
    public init(tick: Int64, window: Int = 16_384) {
        bids = BookSide(isBid: true, tick: tick, window: window)
        asks = BookSide(isBid: false, tick: tick, window: window)
    }

    /// Whether the book can be read.
    public var isValid: Bool { status == .valid }

    /// Replaces the book with a snapshot.
    public mutating func apply(_ snapshot: BookSnapshot, receiveTime: Int64) {
        // Size the ladder to hold the snapshot's whole range (and a quarter more) when it is
        // wider than the ladder, up to its most ticks a side (2²⁰): updates then rarely fall
        // outside it.
        var low = Int64.max
        var high = Int64.min
        for level in snapshot.bids { low = min(low, level.price.units); high = max(high, level.price.units) }
        for level in snapshot.asks { low = min(low, level.price.units); high = max(high, level.price.units) }
        let reference: Int64? = low <= high ? low + (high - low) / 2 : nil
        let span = low <= high ? Int((high - low) / bids.grid.tick) + 1 : 0
        let window = min((span + span / 4).nextPowerOfTwo, bids.maximumWindow)
        bids.reset(around: reference, window: window)
        asks.reset(around: reference, window: window)
        for level in snapshot.bids where level.size.units != 0 { bids.set(price: level.price.units, size: level.size.units) }
        for level in snapshot.asks where level.size.units != 0 { asks.set(price: level.price.units, size: level.size.units) }
        lastUpdateID = snapshot.lastUpdateID
        status = snapshot.lastUpdateID == 0 ? .valid : .syncing
        updatedAt = receiveTime
    }

    /// Applies a diff message under the sequencing rules; `sequence` names it in a fault.
    public mutating func apply(_ delta: BookDelta, sequence: UInt64, receiveTime: Int64) {
        delta.withView { apply($0, sequence: sequence, receiveTime: receiveTime) }
    }

    /// Applies a diff message lent as a view (by a decoded block).
    public mutating func apply(_ delta: BookDeltaView, sequence: UInt64, receiveTime: Int64) {
        switch status {
        case .empty, .invalid:
            dropped += 1
            return
        case .syncing:
            let (first, last) = (delta.firstUpdateID, delta.lastUpdateID)
            if first == 0 && last == 0 { break }
            // With `pu` (Binance futures) the diff holding lastUpdateId itself is the first
            // to apply; without it (spot), the one holding lastUpdateId + 1.
            let target = delta.previousUpdateID != 0 ? lastUpdateID : lastUpdateID + 1
            if last < target {
                dropped += 1
                return
            }
            guard first <= target else {
                fault(sequence: sequence, "the first diff after the snapshot starts at \(first), after the snapshot's \(lastUpdateID)")
                return
            }
        case .valid:
            if delta.firstUpdateID == 0 && delta.lastUpdateID == 0 { break }
            if delta.previousUpdateID != 0 {
                guard delta.previousUpdateID == lastUpdateID else {
                    fault(sequence: sequence, "diff continues \(delta.previousUpdateID), the book is at \(lastUpdateID)")
                    return
                }
            } else {
                guard delta.firstUpdateID == lastUpdateID + 1 else {
                    fault(sequence: sequence, "diff starts at \(delta.firstUpdateID), the book is at \(lastUpdateID)")
                    return
                }
            }
        }
        bids.apply(delta.bids)
        asks.apply(delta.asks)
        if delta.lastUpdateID != 0 { lastUpdateID = delta.lastUpdateID }
        status = .valid
        applied += 1
        updatedAt = receiveTime
        if bids.needsRecentring || asks.needsRecentring, let top = bids.best?.price ?? asks.best?.price {
            bids.recentreIfNeeded(reference: top)
            asks.recentreIfNeeded(reference: top)
        }
    }

    private mutating func fault(sequence: UInt64, _ reason: String) {
        status = .invalid
        faults += 1
        lastFaultSequence = sequence
        lastFaultReason = reason
        dropped += 1
    }

    // MARK: Reading (valid books only; nil otherwise)

    /// The best bid, nil when the book is not valid or the side is empty.
    public var bestBid: (price: Int64, size: Int64)? { isValid ? bids.best : nil }
    /// The best ask, nil when the book is not valid or the side is empty.
    public var bestAsk: (price: Int64, size: Int64)? { isValid ? asks.best : nil }

    /// The number of levels per side.
    public var levelCounts: (bids: Int, asks: Int) { (bids.count, asks.count) }

    /// The mid price in price units (a double: the mean of two prices need not be a unit).
    public var mid: Double? {
        guard let bid = bestBid, let ask = bestAsk else { return nil }
        return (Double(bid.price) + Double(ask.price)) / 2
    }

    /// The spread in price units.
    public var spread: Int64? {
        guard let bid = bestBid, let ask = bestAsk else { return nil }
        return ask.price - bid.price
    }

    /// The size-weighted mid of the top levels: `(bid × askSize + ask × bidSize) / (bidSize + askSize)`.
    public var microprice: Double? {
        guard let bid = bestBid, let ask = bestAsk, bid.size + ask.size > 0 else { return nil }
        let bidSize = Double(bid.size)
        let askSize = Double(ask.size)
        return (Double(bid.price) * askSize + Double(ask.price) * bidSize) / (bidSize + askSize)
    }

    /// `(bidSize − askSize) / (bidSize + askSize)` of the top levels, in [−1, 1].
    public var topImbalance: Double? {
        guard let bid = bestBid, let ask = bestAsk, bid.size + ask.size > 0 else { return nil }
        return Double(bid.size - ask.size) / Double(bid.size + ask.size)
    }

    /// The size on each side within `bps` basis points of the mid (bids at or above
    /// `mid × (1 − bps/10⁴)`, asks at or below `mid × (1 + bps/10⁴)`), in size units.
    public func depth(withinBasisPoints bps: Int) -> (bids: Int64, asks: Int64)? {
        guard let mid else { return nil }
        let bidLimit = Int64((mid * (1 - Double(bps) / 10_000)).rounded(.up))
        let askLimit = Int64((mid * (1 + Double(bps) / 10_000)).rounded(.down))
        return (bids.size(within: bidLimit), asks.size(within: askLimit))
    }

    /// Calls `body` with each level of the bids (`.buy`) or asks (`.sell`), best first, until
    /// it returns false; nothing when the book is not valid.
    /// - Complexity: O(levels visited), plus the empty ladder slots between them.
    public func forEachLevel(of side: OrderSide, _ body: (_ price: Int64, _ size: Int64) -> Bool) {
        guard isValid else { return }
        (side == .buy ? bids : asks).forEachLevel(body)
    }

    /// The size resting at `price` on the bids (`.buy`) or asks (`.sell`); nil when the book
    /// is not valid.
    public func size(at price: Int64, of side: OrderSide) -> Int64? {
        guard isValid else { return nil }
        return (side == .buy ? bids : asks).size(at: price)
    }

    /// The levels of each side, best first, at most `limit` per side.
    public func levels(limit: Int) -> (bids: [(price: Int64, size: Int64)], asks: [(price: Int64, size: Int64)]) {
        func take(_ side: BookSide) -> [(price: Int64, size: Int64)] {
            var taken: [(price: Int64, size: Int64)] = []
            side.forEachLevel { price, size in
                guard taken.count < limit else { return false }
                taken.append((price, size))
                return true
            }
            return taken
        }
        return (take(bids), take(asks))
    }
}

extension OrderBook: StateCodable {
    /// The canonical state: status, ids, counters, then every level of each side best first,
    /// so that the encoding does not depend on where the ladder happens to be.
    public mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        var statusCode = UInt64(status.rawValue)
        try coder.code(&statusCode)
        guard let decoded = Status(rawValue: UInt8(truncatingIfNeeded: statusCode)), statusCode < 4 else {
            throw .invalidValue(field: "book status", offset: 0)
        }
        status = decoded
        try coder.code(&lastUpdateID)
        try coder.code(&faults)
        try coder.code(&lastFaultSequence)
        try coder.code(&lastFaultReason)
        try coder.code(&applied)
        try coder.code(&dropped)
        try coder.code(&updatedAt)
        try Self.code(&bids, &coder)
        try Self.code(&asks, &coder)
    }

    private static func code(_ side: inout BookSide, _ coder: inout StateCoder) throws(CodecError) {
        var levels = side.allLevels()
        var count = levels.count
        try coder.code(&count)
        if coder.isEncoding {
            for index in levels.indices {
                try coder.code(&levels[index].0)
                try coder.code(&levels[index].1)
            }
            return
        }
        guard count >= 0 && count <= 1 << 22 else { throw .invalidValue(field: "book level count", offset: 0) }
        var decoded: [(Int64, Int64)] = []
        for _ in 0..<count {
            var price: Int64 = 0
            var size: Int64 = 0
            try coder.code(&price)
            try coder.code(&size)
            decoded.append((price, size))
        }
        side.reset(around: decoded.first?.0)
        for (price, size) in decoded { side.set(price: price, size: size) }
    }
}
