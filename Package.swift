// swift-tools-version:6.0
import PackageDescription

/// Data flows one way: CvatHTTP -> CvatAPI -> CvatCache -> (CvatCodecs, CvatImage, CvatTransforms) -> CvatTensors,
/// with CvatDSCommands on top and `cvat-ds` as a thin executable. No lower module imports a higher one.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "cvat-ds",
    products: [
        .executable(name: "cvat-ds", targets: ["cvat-ds"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // System libraries, found with pkg-config.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        // Typed C wrappers for what Swift cannot call or import (variadic functions, function-like macros).
        .target(name: "CCvatShims", dependencies: ["CCurl", "CPNG"]),

        .target(name: "CvatHTTP", dependencies: ["CCurl", "CCvatShims"], swiftSettings: swiftSettings),
        .target(name: "CvatAPI", dependencies: ["CvatHTTP"], swiftSettings: swiftSettings),
        .target(
            name: "CvatArchive", dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: swiftSettings),
        .target(name: "CvatCache", dependencies: ["CvatAPI", "CvatArchive"], swiftSettings: swiftSettings),
        .target(name: "CCvatResample"),
        .target(name: "CvatImage", dependencies: ["CCvatResample"], swiftSettings: swiftSettings),
        .target(
            name: "CvatCodecs",
            dependencies: [
"CvatImage", "CTurboJPEG", "CPNG", "CCvatShims"],
            swiftSettings: swiftSettings),
        .target(name: "CvatTransforms", dependencies: ["CvatImage"], swiftSettings: swiftSettings),
        .target(name: "CvatTensors", swiftSettings: swiftSettings),
        .target(
            name: "CvatExport",
            dependencies: ["CvatAPI", "CvatCache", "CvatArchive", "CvatImage", "CvatCodecs", "CvatTransforms", "CvatTensors"],
            swiftSettings: swiftSettings),
        .target(
            name: "CvatDSCommands",
            dependencies: [
                "CvatHTTP", "CvatAPI", "CvatCache", "CvatArchive", "CvatExport", "CvatImage", "CvatCodecs", "CvatTransforms", "CvatTensors",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(name: "cvat-ds", dependencies: ["CvatDSCommands"], swiftSettings: swiftSettings),

        // libFuzzer targets (`make fuzz`, built with -sanitize=fuzzer,address -D FUZZING); in a normal build each
        // is a small program that replays the inputs named on its command line (FuzzSupport's shared driver).
        .target(name: "FuzzSupport", path: "Sources/FuzzSupport", swiftSettings: swiftSettings),
        .executableTarget(
            name: "fuzz-jpeg", dependencies: ["CvatCodecs", "CvatImage", "FuzzSupport"], path: "Sources/FuzzJPEG",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "fuzz-png", dependencies: ["CvatCodecs", "CvatImage", "FuzzSupport"], path: "Sources/FuzzPNG",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "fuzz-chunk-zip", dependencies: ["CvatArchive", "FuzzSupport"], path: "Sources/FuzzChunkZip",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "fuzz-json-models", dependencies: ["CvatAPI", "FuzzSupport"], path: "Sources/FuzzJSONModels",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "fuzz-mask-rle", dependencies: ["CvatTransforms", "FuzzSupport"], path: "Sources/FuzzMaskRLE",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "fuzz-npy", dependencies: ["CvatTensors", "FuzzSupport"], path: "Sources/FuzzNPY", swiftSettings: swiftSettings),

        .target(name: "CvatTestSupport", path: "Tests/CvatTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "CvatHTTPTests", dependencies: ["CvatHTTP", "CvatTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "CvatAPITests", dependencies: ["CvatAPI", "CvatTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatCacheTests", dependencies: ["CvatCache", "CvatTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatCodecsTests", dependencies: ["CvatCodecs", "CvatImage", "CvatTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatArchiveTests", dependencies: ["CvatArchive", "CvatTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatImageTests", dependencies: ["CvatImage", "CvatTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatTransformsTests", dependencies: ["CvatTransforms", "CvatTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatTensorsTests", dependencies: ["CvatTensors", "CvatTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatDSCommandsTests",
            dependencies: ["CvatDSCommands", "CvatCodecs", "CvatImage", "CvatTensors", "CvatTestSupport"],
            swiftSettings: swiftSettings),
    ]
)
