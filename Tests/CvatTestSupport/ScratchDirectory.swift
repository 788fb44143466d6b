public import Foundation

/// A fresh, empty folder for one test's files, removed with everything in it when the value goes away.
///
/// Keep it as a stored property of the suite (each test gets its own suite value, so its own folder) or in a
/// local that is used to the end of the test: the folder goes when the last reference does.
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
