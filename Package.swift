// swift-tools-version: 6.1
import PackageDescription

let upcomingFeatures: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "deconflict",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "deconflict", targets: ["deconflict"]),
        .library(name: "DeconflictGeometry", targets: ["DeconflictGeometry"]),
        .library(name: "DeconflictSpatialIndex", targets: ["DeconflictSpatialIndex"]),
        .library(name: "DeconflictEngine", targets: ["DeconflictEngine"]),
        .library(name: "DeconflictStore", targets: ["DeconflictStore"]),
        .library(name: "DeconflictLedger", targets: ["DeconflictLedger"]),
        .library(name: "DeconflictF3548", targets: ["DeconflictF3548"]),
        .library(name: "DeconflictNode", targets: ["DeconflictNode"]),
        .library(name: "DeconflictGeoJSON", targets: ["DeconflictGeoJSON"]),
        .library(name: "DeconflictAccess", targets: ["DeconflictAccess"]),
        .library(name: "DeconflictCoTService", targets: ["DeconflictCoTService"]),
        .library(name: "DeconflictCoT", targets: ["DeconflictCoT"]),
        // For the fuzzing package (Fuzz/), which reaches the server's decoders.
        .library(name: "DeconflictAPI", targets: ["DeconflictAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target DeconflictGeometry`
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        // The REST API's types and server stubs, generated from its OpenAPI document
        // (scripts/generate-openapi; the generated code is committed).
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // Karney's geodesic routines from PROJ (`libproj-dev`), plain C.
        .systemLibrary(
            name: "CGeodesic",
            pkgConfig: "proj",
            providers: [.apt(["libproj-dev"])]
        ),
        // A small extern "C" wrapper around Google's S2 (`libs2-dev`): the tests' independent
        // oracle for great-circle polygon predicates, and the server's cell coverings of
        // the DSS interface (the reference DSS's S2 cells at level 13).
        .target(
            name: "CS2Shim",
            linkerSettings: [.linkedLibrary("s2")]
        ),
        // The C allocator's bytes in use (glibc's mallinfo2), for the server's metrics.
        .target(name: "CHeapInUse"),
        .target(
            name: "DeconflictGeometry",
            dependencies: ["CGeodesic"],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "DeconflictSpatialIndex",
            dependencies: ["DeconflictGeometry"],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "DeconflictEngine",
            dependencies: ["DeconflictGeometry", "DeconflictSpatialIndex"],
            swiftSettings: upcomingFeatures
        ),
        // Durable storage and the hash-chained ledger: SQLite (GRDB) by default.
        .target(
            name: "DeconflictStore",
            dependencies: [
                "DeconflictEngine",
                "DeconflictGeometry",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures
        ),
        // What the ledger's entries mean: typed commands and their records, every version
        // ever written (docs/ledger.md); events as JSON; the situation at an instant.
        .target(
            name: "DeconflictLedger",
            dependencies: ["DeconflictEngine", "DeconflictGeometry", "DeconflictStore"],
            swiftSettings: upcomingFeatures
        ),
        // The ASTM F3548-21 DSS model: operational intents, constraints, subscriptions and
        // availability, the OVN key check, S2 cell coverings; no I/O.
        .target(
            name: "DeconflictF3548",
            dependencies: [
                "DeconflictEngine", "DeconflictGeometry", "DeconflictSpatialIndex", "DeconflictStore", "DeconflictLedger", "CS2Shim",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures
        ),
        // The node: the state rebuilt from the ledger and kept in step with it, the only way
        // requests change it (apply, group commit, following other writers, checkpoints,
        // replay), visibility and credentials. No HTTP, no NIO.
        .target(
            name: "DeconflictNode",
            dependencies: [
                "DeconflictEngine", "DeconflictGeometry", "DeconflictStore", "DeconflictLedger", "DeconflictF3548",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcomingFeatures
        ),
        // Zones as declared (the REST API's zone bodies) and read from GeoJSON files
        // (RFC 7946), checked into the engine's zones: for the API and the command line.
        .target(
            name: "DeconflictGeoJSON",
            dependencies: ["DeconflictEngine", "DeconflictGeometry", "DeconflictStore", "DeconflictNode"],
            swiftSettings: upcomingFeatures
        ),
        // Who may ask and how often, for every listener: API keys and bearer tokens
        // verified, rate limits, the TLS policy, the server's metrics. No HTTP.
        .target(
            name: "DeconflictAccess",
            dependencies: [
                "DeconflictEngine", "DeconflictLedger", "DeconflictStore", "DeconflictNode",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: upcomingFeatures
        ),
        // The network service: the node (engine, store, ledger following), the HTTP API,
        // authentication, visibility and live streams.
        .target(
            name: "DeconflictAPI",
            dependencies: [
                "DeconflictEngine",
                "DeconflictGeometry",
                "CS2Shim",
                "CHeapInUse",
                "DeconflictStore",
                "DeconflictLedger",
                "DeconflictF3548",
                "DeconflictNode",
                "DeconflictGeoJSON",
                "DeconflictAccess",
                "DeconflictCoT",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            // The web console (plain HTML, CSS and JavaScript modules, and the basemap) and
            // the API's OpenAPI document.
            exclude: ["openapi-generator-config.yaml"],
            resources: [.copy("Console"), .copy("openapi.json")],
            swiftSettings: upcomingFeatures
        ),
        // The Cursor-on-Target listeners (TCP, TLS with client certificates, UDP): TAK
        // clients' reports into the node, zones and alerts back as CoT.
        .target(
            name: "DeconflictCoTService",
            dependencies: [
                "DeconflictEngine", "DeconflictGeometry", "DeconflictStore", "DeconflictLedger", "DeconflictNode", "DeconflictCoT",
                "DeconflictAccess",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "deconflict",
            dependencies: [
                "DeconflictGeometry",
                "DeconflictSpatialIndex",
                "DeconflictEngine",
                "DeconflictStore",
                "DeconflictLedger",
                "DeconflictNode",
                "DeconflictGeoJSON",
                "DeconflictAccess",
                "DeconflictAPI",
                "DeconflictCoTService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            resources: [.copy("Scenarios")],
            swiftSettings: upcomingFeatures
        ),
        // Writes to a store until killed: the crash tests' victim.
        .executableTarget(
            name: "deconflict-store-writer",
            dependencies: ["DeconflictStore", "DeconflictEngine", "DeconflictGeometry"],
            swiftSettings: upcomingFeatures
        ),
        // Cursor-on-Target: the events TAK clients send and receive, in XML and in TAK
        // protocol version 1 (protobuf; the generated code is committed, see
        // scripts/generate-protobuf), and how they map to Deconflict's units, zones and
        // alerts.
        .target(
            name: "DeconflictCoT",
            dependencies: ["DeconflictEngine", "DeconflictGeometry", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "DeconflictCoTTests",
            dependencies: ["DeconflictCoT", "DeconflictEngine", "DeconflictGeometry", "DeconflictTestSupport"],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "DeconflictTestSupport",
            dependencies: ["DeconflictGeometry"],
            path: "Tests/DeconflictTestSupport",
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "DeconflictGeometryTests",
            dependencies: ["DeconflictGeometry", "DeconflictTestSupport", "CS2Shim"],
            resources: [.copy("Fixtures")],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "DeconflictSpatialIndexTests",
            dependencies: ["DeconflictSpatialIndex", "DeconflictGeometry", "DeconflictTestSupport"],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "DeconflictEngineTests",
            dependencies: ["DeconflictEngine", "DeconflictGeometry", "DeconflictTestSupport"],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "DeconflictLedgerTests",
            dependencies: ["DeconflictLedger", "DeconflictStore", "DeconflictEngine", "DeconflictGeometry", "DeconflictTestSupport"],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "DeconflictStoreTests",
            dependencies: [
                "DeconflictStore", "DeconflictEngine", "DeconflictGeometry", "DeconflictTestSupport", "deconflict-store-writer",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "DeconflictServerTests",
            dependencies: [
                "DeconflictAPI", "DeconflictCoTService", "DeconflictStore", "DeconflictLedger", "DeconflictF3548", "DeconflictNode", "DeconflictEngine", "DeconflictGeometry", "DeconflictTestSupport", "deconflict",
                "DeconflictCoT",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "DeconflictCLITests",
            dependencies: ["deconflict", "DeconflictGeometry", "DeconflictStore", "DeconflictTestSupport"],
            swiftSettings: upcomingFeatures
        ),
    ],
    cxxLanguageStandard: .cxx17
)
