public import TapeCore

/// An event a run writes, before the engine stamps its times: its instrument and payload.
public struct RunEvent: Sendable, Equatable {
    public var instrument: InstrumentID
    public var body: Event.Body

    public init(instrument: InstrumentID, body: Event.Body) {
        self.instrument = instrument
        self.body = body
    }
}
