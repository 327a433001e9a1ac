public import Events
public import Projections
public import TapeCore

/// A signal with the instrument it is for (the event's instrument when journaled).
public struct StrategySignal: Sendable, Equatable {
    public var instrument: InstrumentID
    public var signal: SignalEmitted

    public init(instrument: InstrumentID, signal: SignalEmitted) {
        self.instrument = instrument
        self.signal = signal
    }
}

/// A trading strategy (specs/strategies.md): after each source event has been applied to the
/// projections it looks at the event and the projections and may emit signals — a target
/// position or an order intent, with a strength and the values that drove it. It never places
/// orders: the risk engine decides every signal. A strategy is a pure fold over the events it
/// sees, so a replay of its journal makes the same signals.
public protocol Strategy: Sendable {
    /// The event types whose payloads it reads.
    var readTypes: Set<EventType> { get }

    /// Reacts to the current event of `view`, with the projections as of that event;
    /// `strategy` is its index in the run's strategies (the signals' `strategy`). Throws only
    /// when it reads past the current event.
    mutating func react(
        to view: borrowing MarketView, projections: ProjectionSet, strategy: UInt32, into signals: inout [StrategySignal]
    ) throws(LookAheadError)

    /// What tells this strategy apart from another in a run's id (two runs that differ only in
    /// a strategy written in Swift get different ids). By default its type and stored values
    /// as `String(reflecting:)` prints them when the run starts; give one of your own when that
    /// text is not stable from process to process.
    var identity: String { get }
}

extension Strategy {
    public var identity: String { String(reflecting: self) }
}

/// Where a strategy's prices come from.
public enum PriceInput: Sendable, Equatable {
    /// Every trade of the instrument.
    case trades
    /// The closes of a bar series of the bars projection (its index), as each bar closes.
    case bars(Int)

    /// The price of instrument `raw` the current event brings (units of its price scale), if any.
    @inline(__always)
    func price(of raw: UInt32, in view: borrowing MarketView, projections: ProjectionSet) -> Int64? {
        switch self {
        case .trades:
            guard view.type == .trade, view.instrument.rawValue == raw else { return nil }
            return view.trade.price.units
        case .bars(let series):
            guard let closed = projections.bars?.closed, !closed.isEmpty else { return nil }
            for bar in closed where bar.series == series && bar.instrument.rawValue == raw && !bar.isEmpty { return bar.close }
            return nil
        }
    }
}

/// What every built-in strategy shares: its instrument, the position it takes, and the target
/// it last asked for (it signals only when the target changes).
struct Position: Sendable {
    let instrument: InstrumentID
    /// Size units of the position taken, positive.
    let size: Int64
    /// Whether it only goes long (a short target becomes flat).
    let longOnly: Bool
    /// The sign of the last target: 1, −1 or 0 (none yet is `Int8.min`).
    var last: Int8 = .min
    /// 10^price scale, for reporting prices as decimals.
    let priceUnit: Double

    init(instrument: InstrumentID, size: Int64, longOnly: Bool, table: InstrumentTable) {
        self.instrument = instrument
        self.size = size
        self.longOnly = longOnly
        priceUnit = Double(FixedPoint.powersOfTen[table[instrument].priceScale])
    }

    /// Emits a target-position signal for `direction` when it differs from the last one.
    mutating func target(
        _ direction: Int8, strength: Double = 1, causation: UInt64, strategy: UInt32, features: @autoclosure () -> [SignalEmitted.FeatureValue],
        into signals: inout [StrategySignal]
    ) {
        let direction = longOnly && direction < 0 ? 0 : direction
        guard direction != last else { return }
        last = direction
        let signal = SignalEmitted(strategy: strategy, causation: causation, kind: .targetPosition, quantity: Quantity(units: Int64(direction) * size),
                                   price: .zero, strength: strength, features: features())
        signals.append(StrategySignal(instrument: instrument, signal: signal))
    }
}
