// swift-tools-version: 6.1
import PackageDescription

/// Tape: an event-sourced ledger and replay engine for systematic trading.
/// Module layering follows ../shared/DESIGN.md: lower targets never import higher ones,
/// and `tape` is the only composition root.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Tape",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tape", targets: ["tape"]),
        .library(name: "TapeCore", targets: ["TapeCore"]),
        .library(name: "Events", targets: ["Events"]),
        .library(name: "Journal", targets: ["Journal"]),
        .library(name: "Ingest", targets: ["Ingest"]),
        .library(name: "Indicators", targets: ["Indicators"]),
        .library(name: "Projections", targets: ["Projections"]),
        .library(name: "Risk", targets: ["Risk"]),
        .library(name: "Execution", targets: ["Execution"]),
        .library(name: "Strategies", targets: ["Strategies"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Backtest", targets: ["Backtest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "TapeCore", swiftSettings: strict),
        .target(name: "Events", dependencies: ["TapeCore"], swiftSettings: strict),
        .target(name: "Journal", dependencies: ["TapeCore", "Events", "CLMDB", "CZstd"], swiftSettings: strict),
        .target(
            name: "Configuration",
            dependencies: ["TapeCore", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "Ingest",
            dependencies: [
                "TapeCore", "Events", "Journal", "Configuration", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(name: "Indicators", dependencies: ["TapeCore", .product(name: "RealModule", package: "swift-numerics")], swiftSettings: strict),
        .target(
            name: "Projections",
            dependencies: [
                "TapeCore", "Events", "Journal", "Configuration", "Indicators",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "RealModule", package: "swift-numerics"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Risk",
            dependencies: [
                "TapeCore", "Events", "Configuration", "Projections",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Execution",
            dependencies: ["TapeCore", "Events", "Configuration", "Projections"],
            swiftSettings: strict
        ),
        .target(
            name: "Strategies",
            dependencies: [
                "TapeCore", "Events", "Configuration", "Indicators", "Projections",
                .product(name: "RealModule", package: "swift-numerics"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Engine",
            dependencies: [
                "TapeCore", "Events", "Journal", "Configuration", "Projections", "Risk", "Execution", "Strategies",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Backtest",
            dependencies: ["TapeCore", "Events", "Journal", "Projections", "Engine", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "tape",
            dependencies: [
                "TapeCore", "Events", "Journal", "Configuration", "Ingest", "Indicators", "Projections", "Risk", "Execution", "Strategies", "Engine",
                "Backtest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        .target(name: "TestSupport", dependencies: ["TapeCore", "Events", "Journal", "Ingest"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "TapeCoreTests", dependencies: ["TapeCore", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "EventsTests", dependencies: ["TapeCore", "Events", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "JournalTests", dependencies: ["TapeCore", "Events", "Journal", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "IngestTests",
            dependencies: ["TapeCore", "Events", "Journal", "Ingest", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(name: "ConfigurationTests", dependencies: ["TapeCore", "Configuration"], swiftSettings: strict),
        .testTarget(name: "IndicatorsTests", dependencies: ["TapeCore", "Indicators", "TestSupport"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "ProjectionsTests",
            dependencies: [
                "TapeCore", "Events", "Journal", "Ingest", "Configuration", "Indicators", "Projections", "TestSupport",
                .product(name: "BigInt", package: "BigInt"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(name: "RiskTests", dependencies: ["TapeCore", "Events", "Configuration", "Projections", "Risk", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "EngineTests",
            dependencies: ["TapeCore", "Events", "Journal", "Ingest", "Configuration", "Projections", "Risk", "Execution", "Strategies", "Engine", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BacktestTests",
            dependencies: ["TapeCore", "Events", "Journal", "Ingest", "Configuration", "Projections", "Strategies", "Engine", "Backtest", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(name: "ExecutionTests", dependencies: ["TapeCore", "Events", "Projections", "Execution", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TapeCLITests",
            dependencies: ["tape", "TapeCore", "Events", "Journal", "TestSupport"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
