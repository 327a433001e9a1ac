public import TapeCore
import Foundation

/// The seed of randomized tests: `TAPE_TEST_SEED` when set, else a fixed default, so every run
/// is reproducible and a failing run can be replayed exactly.
public func testSeed(_ salt: String = #function) -> UInt64 {
    let base = ProcessInfo.processInfo.environment["TAPE_TEST_SEED"].flatMap { UInt64($0) } ?? 20_261_121
    return SeededGenerator(seed: base).subGenerator(for: salt).seed
}

/// A generator for a randomized test, with a description that names its seed in failures.
public func testGenerator(_ salt: String = #function) -> (generator: SeededGenerator, note: String) {
    let seed = testSeed(salt)
    return (SeededGenerator(seed: seed), "seed \(seed) (set TAPE_TEST_SEED to vary; this test's salt is '\(salt)')")
}
