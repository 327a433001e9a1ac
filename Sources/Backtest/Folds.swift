/// One walk-forward fold by receive time, each slice end-exclusive (specs/walkforward.md):
/// `[train][purge][test][embargo]`.
public struct Fold: Sendable, Equatable {
    public var index: Int
    public var train: Range<Int64>
    public var purge: Range<Int64>
    public var test: Range<Int64>
    public var embargo: Range<Int64>

    /// The folds of a source spanning `span` (first receive time ..< last + 1 ns): test slices
    /// of `test` one after another with an `embargo` gap between them, the first starting once
    /// a training slice and its purge fit; each trained on the `train` before its purge
    /// (rolling) or on everything before it (anchored). Only whole test slices are made.
    public static func plan(
        span: Range<Int64>, scheme: WalkForwardConfiguration.Scheme, train: Int64, test: Int64, purge: Int64, embargo: Int64, maximum: Int? = nil
    ) -> [Fold] {
        precondition(train > 0 && test > 0 && purge >= 0 && embargo >= 0, "slices are positive, gaps not negative")
        var folds: [Fold] = []
        var start = span.lowerBound + train + purge
        while start + test <= span.upperBound && folds.count < (maximum ?? .max) {
            let trainEnd = start - purge
            folds.append(Fold(
                index: folds.count + 1, train: (scheme == .rolling ? trainEnd - train : span.lowerBound)..<trainEnd, purge: trainEnd..<start,
                test: start..<(start + test), embargo: (start + test)..<(start + test + embargo)))
            start += test + embargo
        }
        return folds
    }
}
