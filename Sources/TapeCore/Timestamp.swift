/// A point in time: nanoseconds since 1970-01-01T00:00:00Z, UTC, no leap seconds.
///
/// Inside the pure modules time only ever comes from events; nothing reads the wall clock.
public struct Timestamp: Hashable, Comparable, Sendable {
    /// Nanoseconds since the Unix epoch.
    public var nanosSinceEpoch: Int64

    /// Creates a timestamp from nanoseconds since the epoch.
    @inlinable public init(nanosSinceEpoch: Int64) { self.nanosSinceEpoch = nanosSinceEpoch }

    /// The Unix epoch.
    public static let epoch = Timestamp(nanosSinceEpoch: 0)
    /// The earliest representable time (1677-09-21).
    public static let min = Timestamp(nanosSinceEpoch: .min)
    /// The latest representable time (2262-04-11).
    public static let max = Timestamp(nanosSinceEpoch: .max)

    public static let nanosPerSecond: Int64 = 1_000_000_000
    public static let nanosPerDay: Int64 = 86_400 * nanosPerSecond

    @inlinable public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanosSinceEpoch < rhs.nanosSinceEpoch
    }

    /// The start (00:00:00Z) of the UTC day that holds this time.
    public var startOfDay: Timestamp {
        Timestamp(nanosSinceEpoch: TimeGrid.days.start(of: TimeGrid.days.index(of: nanosSinceEpoch)))
    }
}

/// Equal periods of time laid from the epoch (UTC days, volume buckets): which one a time falls
/// in, and where each starts. Integer arithmetic only; a period's start beyond the range of
/// `Int64` is clamped to it.
public struct TimeGrid: Sendable, Equatable {
    /// Nanoseconds in a period (at least 1).
    public let period: Int64

    public init(period: Int64) {
        precondition(period >= 1, "a time grid needs a positive period")
        self.period = period
    }

    /// UTC days.
    public static let days = TimeGrid(period: Timestamp.nanosPerDay)

    /// The period holding `time`: floor division, so the periods before the epoch are negative.
    @inlinable public func index(of time: Int64) -> Int64 {
        time >= 0 ? time / period : (time + 1) / period - 1
    }

    /// The first time of period `index`, clamped to the range of `Int64`.
    @inlinable public func start(of index: Int64) -> Int64 {
        let (start, overflow) = index.multipliedReportingOverflow(by: period)
        return overflow ? (index < 0 ? .min : .max) : start
    }
}

/// The unit of an integer count of time since the epoch.
public enum EpochUnit: String, Sendable, CaseIterable {
    case seconds = "s", milliseconds = "ms", microseconds = "us", nanoseconds = "ns"

    /// Nanoseconds in one of this unit.
    public var nanos: Int64 {
        switch self {
        case .seconds: 1_000_000_000
        case .milliseconds: 1_000_000
        case .microseconds: 1_000
        case .nanoseconds: 1
        }
    }

    /// The unit a positive epoch count most plausibly has, by its magnitude: counts for times
    /// after 1973-03-03 are below 10^11 in seconds, 10^14 in milliseconds, 10^17 in microseconds.
    @inlinable
    public static func guess(_ value: Int64) -> EpochUnit {
        let magnitude = value.magnitude
        if magnitude < 100_000_000_000 { return .seconds }
        if magnitude < 100_000_000_000_000 { return .milliseconds }
        if magnitude < 100_000_000_000_000_000 { return .microseconds }
        return .nanoseconds
    }
}

extension Timestamp {
    /// The time `count` units after the epoch, or nil when it does not fit.
    @inlinable
    public init?(epoch count: Int64, unit: EpochUnit) {
        let (nanos, overflow) = count.multipliedReportingOverflow(by: unit.nanos)
        if overflow { return nil }
        self.init(nanosSinceEpoch: nanos)
    }
}
