import TapeCore

/// An instrument's recent trades, with running totals, so that a sample reads any trade window
/// in constant time instead of summing it again.
///
/// The totals are exact integers (sizes in units, notional in price units × size units) that
/// wrap as two's complement, so the difference of two is a window's sum whenever that sum fits:
/// a window comes out the same whatever trades came before it, and a state restored from a
/// snapshot (only the trades are encoded) gives the same features as the run that wrote it.
struct TradeWindows: Sendable {
    /// The trades, oldest first (receive times do not decrease); those before `head` have left
    /// every window and are dropped in bulk now and then.
    private var marks: [TradeMark] = []
    /// `totals[i]`: the sums of every trade up to and including `marks[i]`, from `base`.
    private var totals: [TradeSums] = []
    private var base = TradeSums()
    private var head = 0
    /// The windows, in nanoseconds, longest last.
    let spans: [Int64]
    /// Per window: the index of its oldest trade as of the last `advance`.
    private var starts: [Int]

    init(spans: [Int64]) {
        self.spans = spans
        starts = Array(repeating: 0, count: spans.count)
    }

    /// The latest trade.
    var last: TradeMark? { head < marks.count ? marks[marks.count - 1] : nil }

    /// Adds a trade received at `mark.time`, dropping those older than the longest window.
    mutating func append(_ mark: TradeMark) {
        keep(mark)
        let cut = mark.time - (spans.last ?? 0)
        while head < marks.count && marks[head].time <= cut { head += 1 }
        if head >= 1 << 12 && head * 2 >= marks.count {
            base = totals[head - 1]
            marks.removeFirst(head)
            totals.removeFirst(head)
            for window in starts.indices { starts[window] = max(starts[window] - head, 0) }
            head = 0
        }
    }

    /// Moves each window to the trades received within its span before `now`.
    mutating func advance(to now: Int64) {
        for window in spans.indices {
            let cut = now - spans[window]
            var start = max(starts[window], head)
            while start < marks.count && marks[start].time <= cut { start += 1 }
            starts[window] = start
        }
    }

    /// The sums of window `window` (an index of `spans`) as of the last `advance`.
    func sums(_ window: Int) -> TradeSums {
        let start = starts[window]
        guard start < marks.count else { return TradeSums() }
        return totals[marks.count - 1].minus(start > 0 ? totals[start - 1] : base)
    }

    mutating func code(_ coder: inout StateCoder) throws(CodecError) {
        var count = marks.count - head
        try coder.code(&count)
        if coder.isEncoding {
            for index in head..<marks.count { try marks[index].code(&coder) }
        } else {
            guard count >= 0 && count < 1 << 28 else { throw .invalidValue(field: "window length", offset: 0) }
            var decoded = [TradeMark](repeating: .empty, count: count)
            for index in decoded.indices { try decoded[index].code(&coder) }
            self = TradeWindows(spans: spans)
            for mark in decoded { keep(mark) }
        }
    }

    /// Adds `mark` after the last trade, with its running total.
    private mutating func keep(_ mark: TradeMark) {
        var total = totals.last ?? base
        total.add(mark)
        marks.append(mark)
        totals.append(total)
    }
}

/// The trades of a window, summed exactly.
struct TradeSums: Sendable {
    /// Sizes bought and sold by the aggressor, in size units.
    var bought: Int64 = 0
    var sold: Int64 = 0
    var count: Int64 = 0
    /// Σ price × size, in price units × size units.
    var notional: Int128 = 0

    mutating func add(_ mark: TradeMark) {
        if mark.buy { bought &+= mark.size } else { sold &+= mark.size }
        count &+= 1
        notional &+= Int128(mark.price) &* Int128(mark.size)
    }

    /// The sums of the trades after `earlier`'s and up to this one's.
    func minus(_ earlier: TradeSums) -> TradeSums {
        TradeSums(bought: bought &- earlier.bought, sold: sold &- earlier.sold, count: count &- earlier.count, notional: notional &- earlier.notional)
    }
}
