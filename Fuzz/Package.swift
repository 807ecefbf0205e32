// swift-tools-version: 6.1
import PackageDescription

import struct Foundation.URL

// A path dependency is identified by its folder's name, which is wherever the
// repository was cloned; read it rather than assume it.
let mainPackage = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

// Fuzzing of the decoders that take outside input, with libFuzzer and AddressSanitizer.
// In its own package so the main package builds without it; built and run by
// scripts/fuzz (a debug build with `--sanitize fuzzer --sanitize address`, which
// reaches the server's internal decoders through `@testable import`).
let package = Package(
    name: "DeconflictFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
    ],
    targets: [
        .executableTarget(
            name: "deconflict-fuzz",
            dependencies: [
                .product(name: "DeconflictAPI", package: mainPackage),
                .product(name: "DeconflictCoT", package: mainPackage),
                .product(name: "DeconflictEngine", package: mainPackage),
                .product(name: "DeconflictGeometry", package: mainPackage),
                .product(name: "DeconflictLedger", package: mainPackage),
                .product(name: "DeconflictF3548", package: mainPackage),
                .product(name: "DeconflictNode", package: mainPackage),
                .product(name: "DeconflictGeoJSON", package: mainPackage),
                .product(name: "DeconflictAccess", package: mainPackage),
                .product(name: "DeconflictCoTService", package: mainPackage),
                .product(name: "DeconflictStore", package: mainPackage),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            path: "Sources/deconflict-fuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    ]
)
