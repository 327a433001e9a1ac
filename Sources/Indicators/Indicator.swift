public import TapeCore

/// One step of input as indicators read it: a bar (or a single value in `close`), and a
/// second series at the same step for pair statistics (another instrument's close).
public struct IndicatorInput: Sendable, Equatable {
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double
    /// The second series (correlation, beta); NaN when the indicator does not use one.
    public var other: Double

    public init(open: Double, high: Double, low: Double, close: Double, volume: Double = 0, other: Double = .nan) {
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.other = other
    }

    /// A single value (open, high, low and close all equal to it).
    public init(value: Double, other: Double = .nan) {
        self.init(open: value, high: value, low: value, close: value, volume: 0, other: other)
    }
}

/// Up to six output values of one update, NaN where not (yet) defined.
public struct IndicatorOutput: Sendable, Equatable {
    public var first = Double.nan
    public var second = Double.nan
    public var third = Double.nan
    public var fourth = Double.nan
    public var fifth = Double.nan
    public var sixth = Double.nan

    public init() {}

    /// The most outputs an indicator has.
    public static let capacity = 6

    public subscript(index: Int) -> Double {
        get {
            switch index {
            case 0: first
            case 1: second
            case 2: third
            case 3: fourth
            case 4: fifth
            case 5: sixth
            default: preconditionFailure("an indicator has at most \(Self.capacity) outputs")
            }
        }
        set {
            switch index {
            case 0: first = newValue
            case 1: second = newValue
            case 2: third = newValue
            case 3: fourth = newValue
            case 4: fifth = newValue
            case 5: sixth = newValue
            default: preconditionFailure("an indicator has at most \(Self.capacity) outputs")
            }
        }
    }

    /// All outputs undefined.
    public static let undefined = IndicatorOutput()
}

/// A streaming indicator: fed one input at a time, each update O(1) or O(log n) in its window,
/// with no allocation after it is made. Outputs are NaN until defined: for the indicators
/// TA-Lib has, exactly where TA-Lib's arrays have no value (its lookback), and equal to
/// TA-Lib's values from there on.
public protocol Indicator: StateCodable, Sendable {
    /// The names of the outputs, in order (`["value"]` for single-output indicators).
    var outputNames: [String] { get }
    /// The inputs consumed before the first defined output.
    var lookback: Int { get }
    /// Feeds the next input and returns the outputs.
    mutating func update(_ input: IndicatorInput) -> IndicatorOutput
}
