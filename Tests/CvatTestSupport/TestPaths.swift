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

    /// A fresh, empty folder inside `processScratch`. The caller removes it when done (`ScratchDirectory` does
    /// that by itself); what a test leaves behind goes when the test process exits.
    public static func makeTemporaryDirectory(_ prefix: String = "cvat-ds-test") throws -> URL {
        let url = processScratch.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// This test process's own folder in the system's temporary directory, holding every scratch folder the tests
    /// make, and removed with its contents when the process exits, so a test that forgets to clean up (or fails
    /// half-way) leaves nothing in /tmp. Only a killed test process leaves it, and the next process with that pid
    /// removes it.
    static let processScratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cvat-ds-tests-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestPaths.processScratch) }
        return url
    }()
}
