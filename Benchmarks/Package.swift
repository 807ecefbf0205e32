// swift-tools-version: 6.1
import PackageDescription

import struct Foundation.URL

// A path dependency is identified by its folder's name, which is wherever the
// repository was cloned; read it rather than assume it.
let mainPackage = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

// Benchmarks live in their own package so the main package builds without them.
// Run with: swift package --disable-sandbox benchmark
let package = Package(
    name: "DeconflictBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "GeometryBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "DeconflictGeometry", package: mainPackage),
                .product(name: "DeconflictSpatialIndex", package: mainPackage),
                "BenchmarkWorkloads",
            ],
            path: "Benchmarks/GeometryBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "DeconflictGeometry", package: mainPackage),
                .product(name: "DeconflictEngine", package: mainPackage),
                "BenchmarkWorkloads",
                "EngineWorkload",
            ],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The seeded workloads, shared by the benchmarks and the PostGIS comparison.
        .target(
            name: "BenchmarkWorkloads",
            dependencies: [
                .product(name: "DeconflictGeometry", package: mainPackage),
                .product(name: "DeconflictSpatialIndex", package: mainPackage),
            ],
            path: "Sources/BenchmarkWorkloads"
        ),
        // The engine benchmark's units, zones and reports.
        .target(
            name: "EngineWorkload",
            dependencies: [
                "BenchmarkWorkloads",
                .product(name: "DeconflictEngine", package: mainPackage),
                .product(name: "DeconflictGeometry", package: mainPackage),
            ],
            path: "Sources/EngineWorkload"
        ),
        // Per-report latency percentiles and heap bytes per unit of the engine.
        .executableTarget(
            name: "engine-load",
            dependencies: [
                "EngineWorkload",
                "CHeapStats",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/engine-load"
        ),
        .target(name: "CHeapStats", path: "Sources/CHeapStats"),
        // Durable ingest into each store, and the PostGIS way, reports per second.
        .executableTarget(
            name: "store-ingest",
            dependencies: [
                "BenchmarkWorkloads",
                .product(name: "DeconflictStore", package: mainPackage),
                .product(name: "DeconflictEngine", package: mainPackage),
                .product(name: "DeconflictGeometry", package: mainPackage),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/store-ingest"
        ),
        // Writes the workload for PostGIS and times the same queries in-process and in
        // SQLite's R*Tree.
        .executableTarget(
            name: "compare-postgis",
            dependencies: [
                "BenchmarkWorkloads",
                "CSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/compare-postgis"
        ),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // The separation workload as Redis commands, and timed against the unit index.
        .executableTarget(
            name: "compare-redis",
            dependencies: [
                "BenchmarkWorkloads",
                .product(name: "DeconflictGeometry", package: mainPackage),
                .product(name: "DeconflictSpatialIndex", package: mainPackage),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/compare-redis"
        ),
        // The regression guard's fixed workloads, counted by callgrind.
        .executableTarget(
            name: "perf-guard",
            dependencies: [
                "BenchmarkWorkloads",
                "EngineWorkload",
                "CCallgrind",
                .product(name: "DeconflictCoT", package: mainPackage),
                .product(name: "DeconflictGeometry", package: mainPackage),
                .product(name: "DeconflictSpatialIndex", package: mainPackage),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/perf-guard"
        ),
        .target(name: "CCallgrind", path: "Sources/CCallgrind"),
        // HTTP batch ingest and end-to-end alert latency against a running `deconflict serve`.
        .executableTarget(
            name: "http-load",
            dependencies: [
                .product(name: "DeconflictGeometry", package: mainPackage),
                .product(name: "DeconflictCoT", package: mainPackage),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/http-load"
        ),
        // Operational intent creates through the DSS interface of a running `deconflict serve`.
        .executableTarget(
            name: "dss-load",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/dss-load"
        ),
    ]
)
