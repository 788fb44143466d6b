public import Foundation

/// A fresh, empty folder for one test's files, removed with everything in it when the value goes away.
///
/// Keep it as a stored property of the suite: each test gets its own suite value, so its own folder, removed when
/// the test is done. A local may be released right after its last use, before the test ends; one held in a local
/// needs `withExtendedLifetime`.
public final class ScratchDirectory: Sendable {
    public let url: URL
    public var path: String { url.path }

    public init(_ prefix: String = "cvat-ds-test") throws {
        url = try TestPaths.makeTemporaryDirectory(prefix)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
