public import Foundation

/// Where the package's files are, found from this file's own path so tests need no bundle resources.
public enum TestPaths {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // CvatTestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `Fixtures/` at the package root.
    public static let fixtures: URL = packageRoot.appendingPathComponent("Fixtures")

    /// The Python interpreter the tests use for the test server and for cvat-sdk.
    ///
    /// `make test` creates `.venv` with cvat-sdk, numpy and Pillow and exports `CVAT_DS_PYTHON`; a bare
    /// `swift test` falls back to `.venv/bin/python` when it exists, else `python3` on the PATH.
    public static var python: String {
        if let explicit = ProcessInfo.processInfo.environment["CVAT_DS_PYTHON"], !explicit.isEmpty {
            return explicit
        }
        let venv = packageRoot.appendingPathComponent(".venv/bin/python").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        return "/usr/bin/env python3"
    }

    /// A fresh, empty temporary directory; the caller removes it.
    public static func makeTemporaryDirectory(_ prefix: String = "cvat-ds-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
