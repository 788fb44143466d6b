// swift-tools-version:6.0
import PackageDescription

/// The module map, bottom to top (docs/architecture.md says each module's job and what it may import):
///   C: CCurl, CTurboJPEG, CPNG, CSystemZlib, CCrypto (system libraries, pkg-config); CCurlShims, CPNGShims, CSystemShims (typed
///      wrappers for what Swift cannot call); CCvatResample (the resize kernels)
///   CvatErrors (the error shape and its categories) <- CvatSystem (POSIX calls); CvatJSON (reading JSON in place)
///   CvatHTTP <- CvatAPI <- CvatCache (with CvatArchive)
///   CvatImage <- CvatCodecs;  CvatGeometry;  CvatTensors;  CvatTargets (API annotations + geometry -> targets)
///   CvatExport (cache + codecs + targets + tensors) and CvatPreview (tensors + image + codecs) <- CvatDSCommands
///   <- cvat-ds
/// Every dependency below is imported by the target that declares it, and no lower module imports a higher one.
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
        .systemLibrary(name: "CSystemZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Typed C wrappers for what Swift cannot call or import (variadic functions, function-like macros).
        .target(name: "CCurlShims", dependencies: ["CCurl"]),
        .target(name: "CPNGShims", dependencies: ["CPNG"]),
        .target(name: "CSystemShims"),
        .target(name: "CCvatResample"),

        .target(name: "CvatErrors", swiftSettings: swiftSettings),
        .target(name: "CvatJSON", swiftSettings: swiftSettings),
        .target(name: "CvatSystem", dependencies: ["CvatErrors", "CSystemShims"], swiftSettings: swiftSettings),
        .target(
            name: "CvatHTTP", dependencies: ["CvatErrors", "CvatSystem", "CCurl", "CCurlShims"],
            swiftSettings: swiftSettings),
        .target(
            name: "CvatAPI", dependencies: ["CvatErrors", "CvatSystem", "CvatHTTP", "CvatJSON"],
            swiftSettings: swiftSettings),
        .target(
            name: "CvatArchive",
            dependencies: ["CvatErrors", "CSystemZlib", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: swiftSettings),
        .target(
            name: "CvatCache", dependencies: ["CvatErrors", "CvatSystem", "CvatAPI", "CvatArchive", "CvatJSON"],
            swiftSettings: swiftSettings),
        .target(name: "CvatImage", dependencies: ["CvatErrors", "CCvatResample"], swiftSettings: swiftSettings),
        .target(
            name: "CvatCodecs", dependencies: ["CvatErrors", "CvatImage", "CTurboJPEG", "CPNGShims"],
            swiftSettings: swiftSettings),
        .target(name: "CvatGeometry", dependencies: ["CvatErrors", "CvatSystem"], swiftSettings: swiftSettings),
        .target(
            name: "CvatTensors", dependencies: ["CvatErrors", "CvatSystem", "CvatJSON", "CCrypto"],
            swiftSettings: swiftSettings),
        .target(
            name: "CvatTargets", dependencies: ["CvatErrors", "CvatAPI", "CvatGeometry"], swiftSettings: swiftSettings),
        .target(
            name: "CvatExport",
            dependencies: [
                "CvatErrors", "CvatSystem", "CvatAPI", "CvatCache", "CvatArchive", "CvatImage", "CvatCodecs",
                "CvatGeometry", "CvatTargets", "CvatTensors",
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "CvatPreview", dependencies: ["CvatErrors", "CvatImage", "CvatCodecs", "CvatTensors"],
            swiftSettings: swiftSettings),
        .target(
            name: "CvatDSCommands",
            dependencies: [
                "CvatErrors", "CvatSystem", "CvatHTTP", "CvatAPI", "CvatCache", "CvatExport", "CvatPreview",
                "CvatImage",
                "CvatCodecs", "CvatGeometry", "CvatTargets", "CvatTensors",
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
            name: "fuzz-json-models", dependencies: ["CvatAPI", "CvatJSON", "FuzzSupport"],
            path: "Sources/FuzzJSONModels",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "fuzz-mask-rle", dependencies: ["CvatGeometry", "FuzzSupport"], path: "Sources/FuzzMaskRLE",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "fuzz-npy", dependencies: ["CvatTensors", "FuzzSupport"], path: "Sources/FuzzNPY",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "fuzz-annotations", dependencies: ["CvatAPI", "CvatGeometry", "CvatTargets", "FuzzSupport"],
            path: "Sources/FuzzAnnotations", swiftSettings: swiftSettings),
        .executableTarget(
            name: "fuzz-manifest", dependencies: ["CvatTensors", "CvatPreview", "CvatExport", "FuzzSupport"],
            path: "Sources/FuzzManifest", swiftSettings: swiftSettings),

        .target(name: "CvatTestSupport", path: "Tests/CvatTestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatHTTPTests", dependencies: ["CvatHTTP", "CvatTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatAPITests", dependencies: ["CvatAPI", "CvatJSON", "CvatTestSupport"], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CvatCacheTests", dependencies: ["CvatCache", "CvatAPI", "CvatHTTP", "CvatTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatCodecsTests", dependencies: ["CvatCodecs", "CvatImage", "CvatTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatArchiveTests", dependencies: ["CvatArchive", "CvatTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatImageTests", dependencies: ["CvatImage", "CvatTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatGeometryTests", dependencies: ["CvatGeometry", "CvatTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatTargetsTests", dependencies: ["CvatTargets", "CvatAPI", "CvatGeometry"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatTensorsTests", dependencies: ["CvatTensors", "CvatSystem", "CvatTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatPreviewTests", dependencies: ["CvatPreview", "CvatImage", "CvatTensors", "CvatTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatExportTests",
            dependencies: [
                "CvatExport", "CvatAPI", "CvatCache", "CvatGeometry", "CvatTargets", "CvatTensors", "CvatTestSupport",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CvatDSCommandsTests",
            dependencies: [
                "CvatDSCommands", "CvatErrors", "CvatSystem", "CvatHTTP", "CvatAPI", "CvatCache", "CvatArchive",
                "CvatExport", "CvatCodecs", "CvatImage", "CvatGeometry", "CvatTargets", "CvatTensors",
                "CvatTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),
    ]
)
