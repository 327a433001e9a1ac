/// Where a run is in its source: the source event it reacts to (its sequence names the
/// causation of everything the run writes now) and that event's receive time.
public struct RunStep: Sendable, Equatable {
    public var sequence: UInt64
    public var time: Int64

    public init(sequence: UInt64, time: Int64) {
        self.sequence = sequence
        self.time = time
    }
}
