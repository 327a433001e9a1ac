// swift-tools-version: 6.1
import PackageDescription

/// Tape's benchmarks: an executable apart from the tests (see specs/benchmarks.md).
/// Run with `tools/bench` from the repository root (it builds this package in .build-bench).
let package = Package(
    name: "TapeBench",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Tape", path: "../..")],
    targets: [
        .executableTarget(
            name: "TapeBench",
            dependencies: [
                .product(name: "TapeCore", package: "Tape"),
                .product(name: "Events", package: "Tape"),
                .product(name: "Journal", package: "Tape"),
                .product(name: "Ingest", package: "Tape"),
                .product(name: "Projections", package: "Tape"),
                .product(name: "Engine", package: "Tape"),
                .product(name: "Backtest", package: "Tape"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
