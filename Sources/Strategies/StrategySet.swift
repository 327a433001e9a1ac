public import Configuration
public import Events
public import Projections
public import TapeCore

/// The strategies of a run, in configuration order (specs/strategies.md): the `strategies`
/// list of a run configuration, resolved against the journal's instruments and the
/// projections' bar series.
///
/// Each kind is kept in its own list, so that a strategy reacts in place (an enum of them
/// would copy each one out and back at every event).
public struct StrategySet: Sendable {
    @usableFromInline enum Kind: Sendable {
        case movingAverageCross, rsiReversion, breakout, fundingCarry, pairs, added
    }

    /// Configuration order: each strategy's kind and its index in that kind's list.
    @usableFromInline var order: [(kind: Kind, index: Int)] = []
    @usableFromInline var crosses: [MovingAverageCross] = []
    @usableFromInline var reversions: [RSIReversion] = []
    @usableFromInline var breakouts: [Breakout] = []
    @usableFromInline var carries: [FundingCarry] = []
    @usableFromInline var pairs: [PairsReversion] = []
    /// The signals of the last `react`, in order; the caller empties it.
    public var signals: [StrategySignal] = []
    /// Strategies written in Swift, after the configured ones (`adding`).
    @usableFromInline var added: [any Strategy] = []
    /// Each strategy's `type` as configured; an added one's Swift type name.
    public private(set) var names: [String]

    /// Reads the `strategies` list (none: no strategy); `bars` names the bar series a strategy
    /// may read.
    public init(_ node: ConfigNode?, instruments table: InstrumentTable, bars: BarsOptions?) throws(ConfigError) {
        var names: [String] = []
        for item in try node?.list("strategies") ?? [] {
            let fields = try item.mapping(allowed: [
                "type", "instrument", "instruments", "size", "sizes", "long_only", "on", "fast", "slow", "period", "lower", "upper",
                "channel", "k", "entry", "exit", "ratio",
            ], what: "a strategy")
            let type = try fields.required("type").text("strategy type")
            func instrument(_ node: ConfigNode) throws(ConfigError) -> InstrumentID {
                let name = try node.text("instrument")
                guard let id = table.id(named: name) else { throw node.error("instrument \(name) is not in the journal") }
                return id
            }
            func position(_ id: InstrumentID, _ node: ConfigNode) throws(ConfigError) -> Position {
                let text = try node.text("size")
                let size: Int64
                do {
                    size = try Quantity(parsingSize: text, scale: table[id].sizeScale).units
                } catch {
                    throw node.error("size '\(text)' of \(table[id].name): \(error)")
                }
                guard size > 0, size % table[id].sizeIncrement.units == 0 else { throw node.error("size '\(text)' must be a positive whole number of lots of \(table[id].name)") }
                return Position(instrument: id, size: size, longOnly: try fields["long_only"]?.bool("long_only") ?? false, table: table)
            }
            func input() throws(ConfigError) -> PriceInput {
                guard let node = fields["on"] else { return .trades }
                let name = try node.text("on")
                if name == "trades" { return .trades }
                guard let series = bars?.series.firstIndex(where: { $0.name == name }) else {
                    throw node.error("'on: \(name)' is neither trades nor a bar series of the projections (\((bars?.series ?? []).map(\.name).joined(separator: ", ")))")
                }
                return .bars(series)
            }
            func period(_ key: String, default value: Int) throws(ConfigError) -> Int {
                try fields[key]?.integer(key, in: 1...1_000_000) ?? value
            }
            switch type {
            case "ema_cross":
                let fast = try period("fast", default: 10)
                let slow = try period("slow", default: 50)
                guard fast < slow else { throw fields.owner.error("ema_cross needs fast < slow (\(fast), \(slow))") }
                let id = try instrument(fields.required("instrument"))
                Self.add(.movingAverageCross, to: &crosses, order: &order, MovingAverageCross(position: try position(id, fields.required("size")), input: try input(), fast: fast, slow: slow))
            case "rsi_reversion":
                let lower = try fields["lower"]?.number("lower", in: 0...100) ?? 30
                let upper = try fields["upper"]?.number("upper", in: 0...100) ?? 70
                guard lower < 50, upper > 50 else { throw fields.owner.error("rsi_reversion needs lower < 50 < upper") }
                let id = try instrument(fields.required("instrument"))
                Self.add(.rsiReversion, to: &reversions, order: &order, RSIReversion(position: try position(id, fields.required("size")), input: try input(),
                                                             period: try period("period", default: 14), lower: lower, upper: upper))
            case "breakout":
                let text = try fields["channel"]?.text("channel") ?? "donchian"
                guard let channel = Breakout.Channel(rawValue: text) else { throw fields.owner.error("channel '\(text)' is not donchian or bollinger") }
                let id = try instrument(fields.required("instrument"))
                Self.add(.breakout, to: &breakouts, order: &order, Breakout(position: try position(id, fields.required("size")), input: try input(), channel: channel,
                                                     period: try period("period", default: 20), k: try fields["k"]?.number("k", in: 0...100) ?? 2))
            case "funding_carry":
                let entry = try fields["entry"]?.number("entry", in: 0...1) ?? 0.0001
                let exit = try fields["exit"]?.number("exit", in: 0...1) ?? entry / 2
                guard exit <= entry else { throw fields.owner.error("funding_carry needs exit ≤ entry") }
                let id = try instrument(fields.required("instrument"))
                Self.add(.fundingCarry, to: &carries, order: &order, FundingCarry(position: try position(id, fields.required("size")), entry: entry, exit: exit))
            case "pairs":
                let legs = try fields.required("instruments").list("instruments")
                let sizes = try fields.required("sizes").list("sizes")
                guard legs.count == 2, sizes.count == 2 else { throw fields.owner.error("pairs needs two instruments and two sizes") }
                let a = try instrument(legs[0])
                let b = try instrument(legs[1])
                guard a != b else { throw legs[1].error("pairs needs two different instruments") }
                let entry = try fields["entry"]?.number("entry", in: 0...100) ?? 2
                let exit = try fields["exit"]?.number("exit", in: 0...100) ?? 0.5
                guard exit < entry else { throw fields.owner.error("pairs needs exit < entry") }
                Self.add(.pairs, to: &pairs, order: &order, PairsReversion(first: try position(a, sizes[0]), second: try position(b, sizes[1]), input: try input(),
                                                        ratio: try fields["ratio"]?.number("ratio", in: -100...100) ?? 1,
                                                        period: try period("period", default: 100), entry: entry, exit: exit))
            default:
                throw fields.owner.error("strategy type '\(type)' is not ema_cross, rsi_reversion, breakout, funding_carry or pairs")
            }
            names.append(type)
        }
        self.names = names
    }

    private static func add<S: Strategy>(_ kind: Kind, to list: inout [S], order: inout [(kind: Kind, index: Int)], _ strategy: S) {
        order.append((kind, list.count))
        list.append(strategy)
    }

    /// Adds strategies written in Swift after the configured ones: a library user's own.
    public mutating func adding(_ strategies: [any Strategy]) {
        for strategy in strategies {
            order.append((.added, added.count))
            added.append(strategy)
            names.append(String(describing: type(of: strategy)))
        }
    }

    /// The event types whose payloads the strategies read.
    public var readTypes: Set<EventType> {
        var types = Set<EventType>()
        for strategy in added { types.formUnion(strategy.readTypes) }
        for strategy in crosses { types.formUnion(strategy.readTypes) }
        for strategy in reversions { types.formUnion(strategy.readTypes) }
        for strategy in breakouts { types.formUnion(strategy.readTypes) }
        for strategy in carries { types.formUnion(strategy.readTypes) }
        for strategy in pairs { types.formUnion(strategy.readTypes) }
        return types
    }

    /// Every strategy reacts to the current event of `view`, in configuration order, adding
    /// its signals to `signals`. A look-ahead names the strategy that made it. (Inlinable: the
    /// engine's loop runs it in place, without a call and its set-up at every event.)
    @inlinable
    public mutating func react(to view: borrowing MarketView, projections: inout ProjectionSet) throws(LookAheadError) {
        for number in order.indices {
            let entry = order[number]
            // (Fewer strategies than UInt32 can count: `init` and `adding` make them one by one.)
            let strategy = UInt32(truncatingIfNeeded: number)
            if entry.kind == .added {
                try Self.react(&added, entry.index, view, projections: &projections, strategy: strategy, into: &signals)
            } else {
                reactBuiltIn(entry.kind, entry.index, view, projections: &projections, strategy: strategy)
            }
        }
    }

    /// Built-in strategy `index` of its kind's list reacts, in place. (Out of line, with each
    /// kind's step inlined here; each case checks only its own list is uniquely held. The
    /// projections come `inout`, though only read: lent from the engine's loop as a value,
    /// they were copied at every event.)
    @usableFromInline @inline(never)
    mutating func reactBuiltIn(_ kind: Kind, _ index: Int, _ view: borrowing MarketView, projections: inout ProjectionSet, strategy: UInt32) {
        switch kind {
        case .movingAverageCross: crosses[index].react(to: view, projections: projections, strategy: strategy, into: &signals)
        case .rsiReversion: reversions[index].react(to: view, projections: projections, strategy: strategy, into: &signals)
        case .breakout: breakouts[index].react(to: view, projections: projections, strategy: strategy, into: &signals)
        case .fundingCarry: carries[index].react(to: view, projections: projections, strategy: strategy, into: &signals)
        case .pairs: pairs[index].react(to: view, projections: projections, strategy: strategy, into: &signals)
        case .added: preconditionFailure("a strategy written in Swift reacts through react(_:_:…)")
        }
    }

    /// Strategy `index` of the added ones reacts; a look-ahead names it. (Out of line, as
    /// the built-ins' call: in the loop, the list's uniqueness was checked at every event.)
    @usableFromInline @inline(never)
    static func react(
        _ list: inout [any Strategy], _ index: Int, _ view: borrowing MarketView, projections: inout ProjectionSet, strategy: UInt32,
        into signals: inout [StrategySignal]
    ) throws(LookAheadError) {
        do {
            try list[index].react(to: view, projections: projections, strategy: strategy, into: &signals)
        } catch {
            var error = error
            error.strategy = strategy
            throw error
        }
    }
}
