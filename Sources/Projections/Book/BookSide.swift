import Events
import Glibc
import TapeCore

/// One side of a level-2 book: the size resting at each price, in the instrument's units.
///
/// Prices near the top of the book live in a ladder, a dense array with one slot per tick, so
/// an update is an index computation and a store; levels outside the ladder's window (far from
/// the top) or off the tick grid live in a sorted list. When that list grows crowded the
/// ladder widens to take its levels, up to `maximumWindow` ticks: deep books (thousands of
/// levels, far from the top) then stay in the ladder. Which store holds a level never shows in
/// results or in the encoded state: only performance depends on it.
struct BookSide: Sendable {
    /// The most ticks a ladder spans unless a side is created with another limit: 8 MB of sizes.
    static let defaultMaximumWindow = 1 << 20
    /// Levels outside the ladder below this many never widen it.
    static let crowdMinimum = 64
    /// Bids rank high prices first, asks low prices first.
    let isBid: Bool
    private(set) var grid: TickGrid
    /// Sizes for prices `base + i × tick`, 0 where there is no level.
    private var ladder: LadderSlots
    private var base: Int64 = 0
    private var ladderLevels = 0
    /// The ladder slots levels were stored in since the last reset lie within these bounds
    /// (low > high: none), so that a reset clears only them.
    private var occupied = (low: Int.max, high: -1)
    /// The ladder index of the best level, -1 when the ladder is empty.
    private var bestIndex = -1
    /// Levels outside the ladder, by ascending price.
    private var outsidePrices: [Int64] = []
    private var outsideSizes: [Int64] = []
    /// The most ticks the ladder may widen to.
    let maximumWindow: Int
    /// The number of outside levels at which the ladder next tries to widen: it doubles after
    /// a try that leaves them outside (off the grid, or farther than `maximumWindow`
    /// allows), so crowded sides are not rescanned at every message.
    private var crowdLimit = Self.crowdMinimum

    init(isBid: Bool, tick: Int64, window: Int, maximumWindow: Int = Self.defaultMaximumWindow) {
        self.isBid = isBid
        self.maximumWindow = max(window, maximumWindow)
        grid = TickGrid(tick: tick, window: window)
        ladder = LadderSlots(count: window)
    }

    /// The number of ticks the ladder spans.
    var window: Int { ladder.count }

    /// The number of price levels.
    var count: Int { ladderLevels + outsidePrices.count }

    var isEmpty: Bool { count == 0 }

    /// The best price and its size, nil when the side is empty.
    var best: (price: Int64, size: Int64)? {
        let ladderBest: (Int64, Int64)? = bestIndex >= 0 ? (base + Int64(bestIndex) * grid.tick, ladder[bestIndex]) : nil
        let outsideBest: (Int64, Int64)? = isBid
            ? outsidePrices.last.map { ($0, outsideSizes[outsideSizes.count - 1]) }
            : outsidePrices.first.map { ($0, outsideSizes[0]) }
        switch (ladderBest, outsideBest) {
        case (nil, nil): return nil
        case (let level?, nil), (nil, let level?): return level
        case (let inside?, let outside?): return isBid == (inside.0 > outside.0) ? inside : outside
        }
    }

    /// Removes every level and centres the ladder on `price` (the next reference price); with
    /// `window`, the ladder first widens to that many ticks (a snapshot's whole range fits). A
    /// ladder never narrows: a deep book stays deep after a snapshot.
    mutating func reset(around price: Int64?, window: Int? = nil) {
        if let window, window > ladder.count {
            grid = TickGrid(tick: grid.tick, window: window)
            ladder = LadderSlots(count: window)
        } else if !isKnownUniquelyReferenced(&ladder) {
            ladder = LadderSlots(count: ladder.count)
        } else if occupied.low <= occupied.high {
            (ladder.base + occupied.low).update(repeating: 0, count: occupied.high - occupied.low + 1)
        }
        crowdLimit = Self.crowdMinimum
        occupied = (Int.max, -1)
        ladderLevels = 0
        bestIndex = -1
        outsidePrices.removeAll(keepingCapacity: true)
        outsideSizes.removeAll(keepingCapacity: true)
        if let price { base = grid.base(centredOn: price) }
    }

    /// The size resting at `price`, 0 when there is no level.
    func size(at price: Int64) -> Int64 {
        if let index = grid.index(of: price, base: base) { return ladder[index] }
        var low = 0
        var high = outsidePrices.count
        while low < high {
            let middle = (low + high) / 2
            if outsidePrices[middle] < price { low = middle + 1 } else { high = middle }
        }
        return low < outsidePrices.count && outsidePrices[low] == price ? outsideSizes[low] : 0
    }

    /// Sets the size at `price`; 0 removes the level (removing an absent level is not an error:
    /// venues send such removals).
    @inline(__always)
    mutating func set(price: Int64, size: Int64) {
        place(price: price, size: size)
        if outsidePrices.count > crowdLimit { widen() }
    }

    /// Applies a venue message's levels for this side: one pass over the ladder's storage.
    mutating func apply(_ levels: UnsafeBufferPointer<BookLevel>) {
        var outside = 0
        let base = base
        let grid = grid
        let isBid = isBid
        var count = ladderLevels
        var best = bestIndex
        var occupied = occupied
        var emptiedBest = false
        let slots = mutableSlots()
        for level in levels {
            guard let index = grid.index(of: level.price.units, base: base) else {
                outside += 1
                continue
            }
            if Self.store(level.size.units, at: index, in: slots, isBid: isBid, count: &count, best: &best, occupied: &occupied) {
                emptiedBest = true
            }
        }
        ladderLevels = count
        bestIndex = best
        self.occupied = occupied
        if emptiedBest && ladder[best] == 0 { bestIndex = nextBest(after: best) }
        if outside > 0 {
            for level in levels where grid.index(of: level.price.units, base: base) == nil {
                setOutside(price: level.price.units, size: level.size.units)
            }
            if outsidePrices.count > crowdLimit { widen() }
        }
    }

    /// Widens the ladder, centred on the best price, to take in the farthest outside level with
    /// a quarter to spare on each side, within `maximumWindow`, when that is wider than it is;
    /// levels then move into it. The slots between the market and far levels are never
    /// touched, so they take no memory (`LadderSlots`).
    private mutating func widen() {
        defer { crowdLimit = max(Self.crowdMinimum, 2 * outsidePrices.count) }
        guard ladder.count < maximumWindow, let top = best?.price else { return }
        var farthest: UInt64 = 0
        for price in outsidePrices { farthest = max(farthest, (price &- top).magnitude) }
        let ticks = min(Int(clamping: farthest / UInt64(grid.tick)), maximumWindow)
        let window = min((ticks * 5 / 2).nextPowerOfTwo, maximumWindow)
        guard window > ladder.count else { return }
        let levels = allLevels()
        reset(around: top, window: window)
        for (price, size) in levels { place(price: price, size: size) }
    }

    /// Sets the size at `price` in the store that holds it, without widening.
    private mutating func place(price: Int64, size: Int64) {
        if let index = grid.index(of: price, base: base) {
            setLadder(index, size)
        } else {
            setOutside(price: price, size: size)
        }
    }

    private mutating func setLadder(_ index: Int, _ size: Int64) {
        let isBid = isBid
        var count = ladderLevels
        var best = bestIndex
        var occupied = occupied
        let emptiedBest = Self.store(size, at: index, in: mutableSlots(), isBid: isBid, count: &count, best: &best, occupied: &occupied)
        ladderLevels = count
        self.occupied = occupied
        bestIndex = emptiedBest ? nextBest(after: index) : best
    }

    /// The ladder's slots to write, copied first when another copy of this side shares them.
    @inline(__always)
    private mutating func mutableSlots() -> UnsafeMutableBufferPointer<Int64> {
        if !isKnownUniquelyReferenced(&ladder) { ladder = ladder.copy(occupied: occupied) }
        return UnsafeMutableBufferPointer(start: ladder.base, count: ladder.count)
    }

    /// Stores `size` in ladder slot `index`, keeping the level count, the best index (a new
    /// level better than the best becomes it) and the occupied bounds; true when this emptied
    /// the best slot (the caller then finds the next best).
    @inline(__always)
    private static func store(
        _ size: Int64, at index: Int, in slots: UnsafeMutableBufferPointer<Int64>, isBid: Bool,
        count: inout Int, best: inout Int, occupied: inout (low: Int, high: Int)
    ) -> Bool {
        let old = slots[index]
        slots[index] = size
        if size != 0 {
            if old == 0 {
                count += 1
                if best < 0 || (isBid ? index > best : index < best) { best = index }
                occupied = (min(occupied.low, index), max(occupied.high, index))
            }
            return false
        }
        guard old != 0 else { return false }
        count -= 1
        return index == best
    }

    /// The ladder index of the best level after `index` was emptied.
    private func nextBest(after index: Int) -> Int {
        guard ladderLevels > 0 else { return -1 }
        // Levels lie within the occupied bounds: the scan stops there, not at the ladder's end.
        if isBid {
            var candidate = index - 1
            while candidate >= occupied.low && ladder[candidate] == 0 { candidate -= 1 }
            return candidate >= occupied.low ? candidate : -1
        }
        var candidate = index + 1
        while candidate <= occupied.high && ladder[candidate] == 0 { candidate += 1 }
        return candidate <= occupied.high ? candidate : -1
    }

    private mutating func setOutside(price: Int64, size: Int64) {
        var low = 0
        var high = outsidePrices.count
        while low < high {
            let middle = (low + high) / 2
            if outsidePrices[middle] < price { low = middle + 1 } else { high = middle }
        }
        let present = low < outsidePrices.count && outsidePrices[low] == price
        switch (present, size != 0) {
        case (true, true): outsideSizes[low] = size
        case (true, false):
            outsidePrices.remove(at: low)
            outsideSizes.remove(at: low)
        case (false, true):
            outsidePrices.insert(price, at: low)
            outsideSizes.insert(size, at: low)
        case (false, false): break
        }
    }

    /// Whether the top of the book is near or past the ladder's edge (cheap: integer compares).
    @inline(__always)
    var needsRecentring: Bool {
        let margin = ladder.count / 8
        if bestIndex >= 0 { return bestIndex < margin || bestIndex >= ladder.count - margin }
        return !outsidePrices.isEmpty
    }

    /// Moves the ladder so that it is centred on `price` when the top of the book has drifted
    /// near or past its edge; levels move between the ladder and the outside list.
    mutating func recentreIfNeeded(reference price: Int64) {
        let margin = Int64(ladder.count / 8) * grid.tick
        let low = base + margin
        let high = base + Int64(ladder.count) * grid.tick - margin
        guard price < low || price > high else { return }
        let levels = allLevels()
        reset(around: price)
        for (levelPrice, size) in levels { place(price: levelPrice, size: size) }
    }

    /// Every level, best first.
    func allLevels() -> [(Int64, Int64)] {
        var levels: [(Int64, Int64)] = []
        levels.reserveCapacity(count)
        forEachLevel { price, size in
            levels.append((price, size))
            return true
        }
        return levels
    }

    /// Calls `body` with each level, best first, until it returns false.
    func forEachLevel(_ body: (Int64, Int64) -> Bool) {
        // Merge the ladder and the outside list in rank order.
        var outside = isBid ? outsidePrices.count - 1 : 0
        let outsideEnd = isBid ? -1 : outsidePrices.count
        var index = bestIndex
        let step = isBid ? -1 : 1
        func nextLadder(_ from: Int) -> Int {
            var candidate = from
            while candidate >= occupied.low && candidate <= occupied.high && ladder[candidate] == 0 { candidate += step }
            return candidate >= occupied.low && candidate <= occupied.high ? candidate : -1
        }
        while index >= 0 || outside != outsideEnd {
            let ladderPrice = index >= 0 ? base + Int64(index) * grid.tick : nil
            let outsidePrice = outside != outsideEnd ? outsidePrices[outside] : nil
            let takeLadder: Bool
            switch (ladderPrice, outsidePrice) {
            case (let inside?, let other?): takeLadder = isBid ? inside > other : inside < other
            case (_?, nil): takeLadder = true
            default: takeLadder = false
            }
            if takeLadder {
                guard body(ladderPrice!, ladder[index]) else { return }
                index = nextLadder(index + step)
            } else {
                guard body(outsidePrice!, outsideSizes[outside]) else { return }
                outside += step
            }
        }
    }

    /// The total size of the levels priced at least as well as `limit` (at or above it for
    /// bids, at or below for asks).
    func size(within limit: Int64) -> Int64 {
        var total: Int64 = 0
        forEachLevel { price, size in
            guard isBid ? price >= limit : price <= limit else { return false }
            total += size
            return true
        }
        return total
    }
}

/// A ladder's sizes, zeroed by `calloc`: the C library takes a large zeroed block straight
/// from the kernel as untouched pages, so a wide ladder holds memory only where levels were
/// stored. Shared by copies of a side until one writes (`BookSide.mutableSlots`).
final class LadderSlots: @unchecked Sendable {
    let base: UnsafeMutablePointer<Int64>
    let count: Int

    init(count: Int) {
        guard let memory = calloc(count, MemoryLayout<Int64>.stride) else {
            fatalError("out of memory for a book ladder of \(count) ticks")
        }
        base = memory.bindMemory(to: Int64.self, capacity: count)
        self.count = count
    }

    subscript(index: Int) -> Int64 { base[index] }

    /// A copy holding the slots in `occupied` (every other slot is zero).
    func copy(occupied: (low: Int, high: Int)) -> LadderSlots {
        let copy = LadderSlots(count: count)
        if occupied.low <= occupied.high {
            (copy.base + occupied.low).update(from: base + occupied.low, count: occupied.high - occupied.low + 1)
        }
        return copy
    }

    deinit { free(base) }
}

/// Maps prices on a tick grid to ladder slots with one multiply (the tick's inverse modulo
/// 2^64) instead of a division; a price off the grid or outside the window maps to nil.
struct TickGrid: Sendable {
    let tick: Int64
    let window: Int
    private let shift: Int64
    private let inverse: UInt64

    init(tick: Int64, window: Int) {
        precondition(tick >= 1 && window >= 16, "a tick grid needs a positive tick and a window")
        self.tick = tick
        self.window = window
        shift = Int64(tick.trailingZeroBitCount)
        let odd = UInt64(tick) >> UInt64(shift)
        var inverse = odd
        for _ in 0..<5 { inverse &*= 2 &- odd &* inverse }  // Newton: 3 → 96 correct bits
        self.inverse = inverse
    }

    /// The slot of `price` in a ladder starting at `base`, nil when off the grid or window.
    @inline(__always)
    func index(of price: Int64, base: Int64) -> Int? {
        let offset = price &- base
        let quotient = Int64(bitPattern: UInt64(bitPattern: offset &>> shift) &* inverse)
        guard quotient &* tick == offset, UInt64(bitPattern: quotient) < UInt64(window) else { return nil }
        return Int(quotient)
    }

    /// The base of a ladder centred on `price`, on the grid.
    func base(centredOn price: Int64) -> Int64 {
        let onGrid = price - ((price % tick) + tick) % tick
        return onGrid - Int64(window / 2) * tick
    }
}

extension Int {
    /// The smallest power of two at or above this (1 for 0).
    var nextPowerOfTwo: Int {
        self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
