import CvatTestSupport
import Foundation
import Testing

/// Ctrl-C (SIGINT) and SIGTERM sent to the real binary at several moments: an export leaves no temporary folder
/// and no `--out`, a sync keeps a consistent cache with its resumable partial chunks and releases its lock; both
/// print one line saying so and exit 128 + the signal.
@Suite("SIGINT and SIGTERM", .serialized)
struct SignalTests {
    let server: TestServer
    let scratch: ScratchDirectory
    var home: URL { scratch.url }
    var cache: String { home.appendingPathComponent("cache").path }

    init() throws {
        server = try TestServer()
        scratch = try ScratchDirectory("cvat-ds-signals")
    }

    var environment: [String: String] {
        CLI.environment(home: home, adding: ["CVAT_ACCESS_TOKEN": TestServer.adminToken])
    }

    func run(_ arguments: [String]) throws -> CLI.Result {
        try CLI.run(arguments, environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
    }

    /// Starts `cvat-ds arguments...`, sends `signal` after `delay` seconds, and returns whether it was still
    /// running then, its exit status and its stderr.
    func runAndSignal(_ arguments: [String], _ signal: Int32, after delay: Double) throws
        -> (signalled: Bool, status: Int32, stderr: String)
    {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.environment = environment
        let err = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        usleep(useconds_t(delay * 1_000_000))
        let signalled = process.isRunning && kill(process.processIdentifier, signal) == 0
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (signalled, process.terminationStatus, String(decoding: errData, as: UTF8.self))
    }

    func check(_ mode: String, _ path: String) throws -> [String: Any] {
        let result = try PythonScript.run("soak/check_state.py", [mode, path])
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    @Test("an export interrupted by SIGINT or SIGTERM removes its temporary folder, leaves no --out, exits 130/143")
    func interruptedExport() throws {
        #expect(try run(["sync", "--server-host", server.url, "--cache-dir", cache, "--project", "1"]).status == 0)
        let parent = home.appendingPathComponent("exports")
        let out = parent.appendingPathComponent("big").path
        // Large bicubic output on one worker: long enough to be interrupted in planning, decoding and writing.
        let arguments = [
            "export", "--server-host", server.url, "--cache-dir", cache, "--offline", "--project", "1", "--resize",
            "1200x1200", "--filter", "bicubic", "--jobs", "1", "--out", out,
        ]
        let typical = try Self.seconds { () throws in
            let result = try run(arguments)
            #expect(result.status == 0, "\(result.stderr)")
        }
        try FileManager.default.removeItem(atPath: out)
        var interrupted = 0
        for (index, fraction) in [0.1, 0.4, 0.7].enumerated() {
            let signal = index % 2 == 0 ? SIGINT : SIGTERM
            let (signalled, status, stderr) = try runAndSignal(arguments, signal, after: typical * fraction)
            let context =
                "signal \(signal) at \(String(format: "%.2f", typical * fraction)) s of \(String(format: "%.2f", typical)) s"
            let left = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
            if signalled && status != 0 {
                interrupted += 1
                #expect(status == 128 + signal, "\(context): \(status) \(stderr)")
                #expect(
                    stderr.contains("interrupted by \(signal == SIGINT ? "SIGINT" : "SIGTERM")"),
                    "\(context): \(stderr)")
                #expect(stderr.split(separator: "\n").count == 1, "\(context): one line, not \(stderr)")
                #expect(left.isEmpty, "\(context): left beside --out: \(left)")
            } else {
                // Finished before the signal landed: a complete export, nothing beside it.
                #expect(status == 0, "\(context): \(status) \(stderr)")
                #expect(left == ["big"], "\(context): \(left)")
                try? FileManager.default.removeItem(atPath: out)
            }
        }
        #expect(interrupted >= 2, "only \(interrupted) of 3 runs were interrupted")
    }

    @Test(
        "a sync interrupted by SIGTERM or SIGINT keeps a consistent cache and its partial chunks, releases its lock, exits 143/130"
    )
    func interruptedSync() throws {
        func sync(into folder: String) -> [String] {
            ["sync", "--server-host", server.url, "--cache-dir", folder, "--project", "1", "--jobs", "1"]
        }
        let arguments = sync(into: cache)
        try server.control("/_test/faults", ["slow_bytes_per_sec": 300_000])
        let typical = try Self.seconds { () throws in
            let measured = try run(sync(into: home.appendingPathComponent("measure").path))
            #expect(measured.status == 0, "\(measured.stderr)")
        }
        var interrupted = 0
        for (index, fraction) in [0.2, 0.5, 0.8].enumerated() {
            let signal = index % 2 == 0 ? SIGTERM : SIGINT
            try server.control("/_test/faults", ["slow_bytes_per_sec": 300_000])
            let (signalled, status, stderr) = try runAndSignal(arguments, signal, after: typical * fraction)
            let context =
                "signal \(signal) at \(String(format: "%.2f", typical * fraction)) s of \(String(format: "%.2f", typical)) s"
            let state = try check("cache", cache)
            #expect((state["problems"] as? [String]) == [], "\(context): \(state)")
            if signalled && status != 0 {
                interrupted += 1
                #expect(status == 128 + signal, "\(context): \(status) \(stderr)")
                #expect(stderr.contains("interrupted by"), "\(context): \(stderr)")
            }
            // The lock is released: a sync right away neither waits nor fails, and fetches no complete chunk again.
            let complete = Set(state["complete_chunks"] as? [String] ?? [])
            try server.control("/_test/faults", [:])
            _ = try server.log()
            try server.resetLog()
            let rerun = try CLI.run(
                arguments, environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home, timeout: 30)
            #expect(rerun.status == 0, "\(context): \(rerun.stderr)")
            let refetched = try server.log().compactMap { entry -> String? in
                guard let query = entry["query"] as? String, query.contains("type=chunk"),
                    let path = entry["path"] as? String, let range = query.range(of: "number=")
                else { return nil }
                let task = path.split(separator: "/").dropFirst(2).first ?? ""
                return "\(task)/\(query[range.upperBound...].prefix { $0.isNumber })"
            }
            #expect(complete.isDisjoint(with: refetched), "\(context): complete chunks fetched again: \(refetched)")
            try FileManager.default.removeItem(atPath: cache)
        }
        #expect(interrupted >= 2, "only \(interrupted) of 3 runs were interrupted")
    }
}
