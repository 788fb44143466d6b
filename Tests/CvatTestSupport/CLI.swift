public import Foundation

/// Runs the built `cvat-ds` binary, as a user or a script would.
public enum CLI {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        /// stdout parsed as JSON (for `--json` runs).
        public func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
                throw TestServerError(message: "stdout is not a JSON object: \(stdout)")
            }
            return object
        }
    }

    /// The binary next to the test bundle (`swift build` puts both in the same folder).
    public static var executable: URL {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDirectory, TestPaths.packageRoot.appendingPathComponent(".build/debug")] {
            let url = candidate.appendingPathComponent("cvat-ds")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return TestPaths.packageRoot.appendingPathComponent(".build/debug/cvat-ds")
    }

    /// The sanitizer runtime's settings of this test run (`make test-sanitize`), passed on to the binaries it runs.
    public static var sanitizerEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter {
            ["ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"].contains($0.key)
        }
    }

    /// Runs `cvat-ds arguments...` with `environment` added to a clean environment (HOME and XDG dirs point into
    /// a scratch folder so the user's real cache and profiles are never touched).
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], home: URL? = nil, timeout: Double = 120
    ) throws -> Result {
        try runProcess(
            executable, arguments, environment: Self.environment(home: home, adding: environment), timeout: timeout,
            what: "cvat-ds \(arguments.joined(separator: " "))")
    }

    /// The environment `run` gives cvat-ds: a clean one with HOME and the XDG folders in `home` (a scratch folder
    /// when nil), `adding` on top, and the sanitizer settings of this run; for tests that start the binary
    /// themselves (to signal or trace it).
    public static func environment(home: URL?, adding: [String: String] = [:]) -> [String: String] {
        let scratchHome = home ?? TestPaths.processScratch.appendingPathComponent("home-none")
        var env: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": scratchHome.path,
            "XDG_CACHE_HOME": scratchHome.appendingPathComponent("cache").path,
            "XDG_CONFIG_HOME": scratchHome.appendingPathComponent("config").path,
        ]
        env.merge(adding) { _, new in new }
        env.merge(sanitizerEnvironment) { own, _ in own }
        return env
    }

    /// Runs a program to completion with stdin closed, collecting stdout and stderr.
    ///
    /// Both pipes are drained while the process runs, so a chatty one cannot block on a full pipe.
    static func runProcess(
        _ executable: URL, _ arguments: [String], environment: [String: String]?, timeout: Double, what: String
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            throw TestServerError(message: "\(what) did not finish in \(timeout) s")
        }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
