// swift-tools-version:6.2
// Throughput benchmarks of TierSync, each beside a baseline measured in the same run.
// A separate package so that the main package's build and tests never compile it:
// run it with `swift run -c release tiersync-bench` from this directory.

import PackageDescription

let package = Package(
    name: "TierSyncBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The main package, by path: the benchmarks measure the working tree as it is.
        .package(name: "TierSync", path: ".."),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Prints rows/s for capture, apply, wire coding and end-to-end replication, resync bytes and time, report times, and the national tree's convergence.
        .executableTarget(
            name: "tiersync-bench",
            dependencies: [
                .product(name: "TierSyncModel", package: "TierSync"),
                .product(name: "TierSyncStore", package: "TierSync"),
                .product(name: "TierSyncSQLite", package: "TierSync"),
                .product(name: "TierSyncWire", package: "TierSync"),
                .product(name: "TierSyncClient", package: "TierSync"),
                .product(name: "TierSyncAuth", package: "TierSync"),
                .product(name: "TierSyncEngine", package: "TierSync"),
                .product(name: "TierSyncTesting", package: "TierSync"),
                .product(name: "TierSyncNode", package: "TierSync"),
                .product(name: "TierSyncReports", package: "TierSync"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]),
    ]
)
