public import Events
public import TapeCore

/// A projection: a deterministic fold over journal events into a state with a canonical
/// encoding (`StateCodable`), whose SHA-256 is the projection's state hash.
///
/// Projections read events straight from decoded blocks (`apply` in `ProjectionSet`), never
/// the wall clock or an unseeded random source, and reduce floating point in a fixed order;
/// the same events and configuration give the same state bytes in every process, whatever
/// the block size or the snapshot it started from (specs/projections.md, specs/determinism.md).
public protocol Projection: StateCodable {
    /// The projection's name in configurations, outputs and snapshots.
    static var name: String { get }
    /// The state as JSON, for `tape replay`.
    func summary(_ context: ProjectionContext) -> JSONValue
}

extension Projection {
    /// `body` applied to the projection where it lies. Reached through the projection set's
    /// optional (`projections.risk?.inPlace { $0.drawdown }`) it reads the projection without
    /// the copy that reading the optional's payload makes (every array of it retained, its
    /// bytes moved): Swift makes a mutation through an optional in place.
    @inline(__always)
    public mutating func inPlace<Result>(_ body: (inout Self) -> Result) -> Result { body(&self) }
}

/// What projections need to know about the journal to present their state.
public struct ProjectionContext: Sendable {
    public let instruments: InstrumentTable

    public init(instruments: InstrumentTable) {
        self.instruments = instruments
    }

    /// The instrument's name, or its id when the table does not hold it.
    public func name(_ id: InstrumentID) -> String {
        instruments.instrument(id)?.name ?? id.description
    }

    /// A price as exact decimal text.
    public func price(_ units: Int64, _ id: InstrumentID) -> JSONValue {
        guard let instrument = instruments.instrument(id) else { return .integer(units) }
        return .string(FixedPoint.format(units, scale: instrument.priceScale, minimumFractionDigits: instrument.priceDisplayDecimals))
    }

    /// A size as exact decimal text.
    public func size(_ units: Int64, _ id: InstrumentID) -> JSONValue {
        guard let instrument = instruments.instrument(id) else { return .integer(units) }
        return .string(FixedPoint.format(units, scale: instrument.sizeScale, minimumFractionDigits: instrument.sizeDisplayDecimals))
    }
}

/// The version of the projections' code: part of every snapshot, and a snapshot made by another
/// version is never used. Raise it with any change that can change a projection's state.
public enum ProjectionCode {
    public static let version = "4"
}
