// swift-tools-version:6.2
// TierSync: keeps a tree of SQLite stores (group, provinces, cities) in agreement.

import PackageDescription

// Every target of TierSync's own builds with no warning: one is an error, here and in CI.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .treatAllWarnings(as: .error),
]
let testSettings: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "TierSync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tiersync", targets: ["tiersync"]),
        .library(name: "TierSyncModel", targets: ["TierSyncModel"]),
        .library(name: "TierSyncStore", targets: ["TierSyncStore"]),
        .library(name: "TierSyncAuth", targets: ["TierSyncAuth"]),
        .library(name: "TierSyncSQLite", targets: ["TierSyncSQLite"]),
        .library(name: "TierSyncWire", targets: ["TierSyncWire"]),
        .library(name: "TierSyncEngine", targets: ["TierSyncEngine"]),
        .library(name: "TierSyncServer", targets: ["TierSyncServer"]),
        .library(name: "TierSyncClient", targets: ["TierSyncClient"]),
        .library(name: "TierSyncNode", targets: ["TierSyncNode"]),
        .library(name: "TierSyncReports", targets: ["TierSyncReports"]),
        .library(name: "TierSyncTesting", targets: ["TierSyncTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // Pure model: clocks, versions, node paths, scope routing, schema rules. No I/O.
        .target(name: "TierSyncModel", swiftSettings: strict),
        // Node credentials and request signatures (Ed25519), with replay protection.
        .target(
            name: "TierSyncAuth",
            dependencies: ["TierSyncModel", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // The store interface that the sync engine talks to.
        .target(name: "TierSyncStore", dependencies: ["TierSyncModel"], swiftSettings: strict),
        // The SQLite backend: schema install, capture triggers, change log, apply, cursors.
        .target(
            name: "TierSyncSQLite",
            dependencies: [
                "TierSyncModel", "TierSyncStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The C API, for the digest scans that read every row of a table.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        // Protocol messages and their JSON encoding, shared by server and client.
        .target(name: "TierSyncWire", dependencies: ["TierSyncModel", "TierSyncStore"], swiftSettings: strict),
        // The sync logic: what to push, what to serve on pull, how to apply. Backend-agnostic.
        .target(
            name: "TierSyncEngine",
            dependencies: [
                "TierSyncModel", "TierSyncStore", "TierSyncWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict),
        // Consolidation reports (customers, revenue, ARPU/ARPA, top customers, growth) over a
        // node's SQLite file, from aggregates that triggers keep current.
        .target(
            name: "TierSyncReports",
            dependencies: [
                "TierSyncModel", "TierSyncStore", "TierSyncSQLite",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        // The HTTP server every node runs (Hummingbird).
        .target(
            name: "TierSyncServer",
            dependencies: [
                "TierSyncModel", "TierSyncStore", "TierSyncWire", "TierSyncEngine", "TierSyncAuth", "TierSyncReports",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),
        // The HTTP client a child uses to reach its parent (AsyncHTTPClient over SwiftNIO).
        .target(
            name: "TierSyncClient",
            dependencies: [
                "TierSyncModel", "TierSyncStore", "TierSyncWire", "TierSyncEngine", "TierSyncAuth",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // glibc's malloc arena limit, which Swift's Glibc module does not export.
        .target(name: "CMallocArenas"),
        // The daemon: configuration, sync loop, scheduling, backoff, lifecycle.
        .target(
            name: "TierSyncNode",
            dependencies: [
                "TierSyncModel", "TierSyncStore", "TierSyncSQLite", "TierSyncWire",
                "TierSyncEngine", "TierSyncServer", "TierSyncClient", "TierSyncAuth", "TierSyncReports", "CMallocArenas",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // For tests only, never linked into `tiersync`: a temporary SQLite store, an in-process
        // parent link that can drop, duplicate, replay or fail requests, and the conformance
        // suite every ChangeStore backend must pass.
        .target(
            name: "TierSyncTesting",
            dependencies: [
                "TierSyncModel", "TierSyncStore", "TierSyncSQLite", "TierSyncWire", "TierSyncEngine", "TierSyncServer",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // For test targets only: the traits that give a test a thread of its own and bound how
        // many daemon-driving tests run at once.
        .target(name: "TierSyncTestTraits", dependencies: ["TierSyncTesting"], swiftSettings: strict),
        // The `tiersync` command: one file per subcommand.
        .executableTarget(
            name: "tiersync",
            dependencies: [
                "TierSyncModel", "TierSyncStore", "TierSyncSQLite", "TierSyncWire",
                "TierSyncEngine", "TierSyncClient", "TierSyncNode", "TierSyncAuth", "TierSyncReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),

        .testTarget(name: "TierSyncModelTests", dependencies: ["TierSyncModel"], swiftSettings: testSettings),
        .testTarget(name: "TierSyncAuthTests", dependencies: ["TierSyncModel", "TierSyncAuth"], swiftSettings: testSettings),
        .testTarget(
            name: "TierSyncSQLiteTests",
            dependencies: [
                "TierSyncModel", "TierSyncStore", "TierSyncSQLite", "TierSyncEngine", "TierSyncWire", "TierSyncTesting", "TierSyncTestTraits",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: testSettings),
        .testTarget(
            name: "TierSyncWireTests",
            dependencies: ["TierSyncModel", "TierSyncStore", "TierSyncWire"],
            swiftSettings: testSettings),
        .testTarget(
            name: "TierSyncReportsTests",
            dependencies: [
                "TierSyncModel", "TierSyncStore", "TierSyncSQLite", "TierSyncReports",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: testSettings),
        .testTarget(
            name: "TierSyncNodeTests",
            dependencies: [
                "TierSyncModel", "TierSyncStore", "TierSyncNode", "tiersync",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: testSettings),
        // Starts real `tiersync serve` daemons on loopback and drives them with sqlite3.
        .testTarget(
            name: "MultiProcessTests",
            dependencies: ["tiersync", "TierSyncModel", "TierSyncAuth", "TierSyncTesting", "TierSyncTestTraits"],
            swiftSettings: testSettings),
    ]
)
