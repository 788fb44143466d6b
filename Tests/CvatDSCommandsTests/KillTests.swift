import CvatTestSupport
import Foundation
import Testing

/// `kill -9` at seeded random moments of sync and export, and a disk that fills up during an export: the cache is
/// never corrupt, a rerun finishes without fetching again what was complete, and `--out` is either absent or a
/// complete export (Fixtures/soak/check_state.py judges both). `make soak` runs the same at a larger scale.
@Suite("kill -9 and disk full", .serialized)
struct KillTests {
    static let killPoints = 20
    let server: TestServer
    let scratch: ScratchDirectory
    var home: URL { scratch.url }

    init() throws {
        server = try TestServer()
        scratch = try ScratchDirectory("cvat-ds-kill")
    }

    // MARK: - Helpers

    /// SplitMix64: the same seed gives the same kill points on every machine.
    struct SeededRandom {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform(_ upper: Double) -> Double { Double(next() >> 11) / Double(1 << 53) * upper }
    }

    var environment: [String: String] {
        CLI.environment(home: home, adding: ["CVAT_ACCESS_TOKEN": TestServer.adminToken])
    }

    func run(_ arguments: [String]) throws -> CLI.Result {
        try CLI.run(arguments, environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
    }

    /// Starts `cvat-ds arguments...`, sends SIGKILL after `delay` seconds, and returns whether it was still
    /// running then (false: it finished first, with the status given).
    func runAndKill(_ arguments: [String], after delay: Double) throws -> (killed: Bool, status: Int32) {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(useconds_t(delay * 1_000_000))
        let killed = process.isRunning && kill(process.processIdentifier, SIGKILL) == 0
        process.waitUntilExit()
        let wasKilled = killed && process.terminationReason == .uncaughtSignal
        return (wasKilled, process.terminationStatus)
    }

    /// Fixtures/soak/check_state.py's verdict on a cache root or an export folder.
    func check(_ mode: String, _ path: URL) throws -> [String: Any] {
        let result = try PythonScript.run("soak/check_state.py", [mode, path.path])
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw TestServerError(message: "check_state.py \(mode) said: \(result.stdout) \(result.stderr)")
        }
        return object
    }

    /// Every file under `root` (relative path -> bytes), lock files aside.
    static func snapshot(_ root: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey])
        while let url = enumerator?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory == false,
                url.lastPathComponent != ".cvat-ds.lock"
            else { continue }
            files[String(url.path.dropFirst(root.path.count))] = try Data(contentsOf: url)
        }
        return files
    }

    /// Chunk requests in the server log since the last reset, as "task/number".
    func chunkRequests() throws -> [String] {
        try server.log().compactMap { entry -> String? in
            guard let query = entry["query"] as? String, query.contains("type=chunk"),
                let path = entry["path"] as? String, let range = query.range(of: "number=")
            else { return nil }
            let task = path.split(separator: "/").dropFirst(2).first ?? ""
            return "\(task)/\(query[range.upperBound...].prefix { $0.isNumber })"
        }
    }

    static func seconds(_ body: () throws -> Void) throws -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    // MARK: - kill -9 during sync

    @Test(
        "kill -9 at 20 seeded moments of a project sync: the cache is never corrupt, the rerun refetches nothing complete"
    )
    func killSync() throws {
        let syncArguments = ["sync", "--server-host", server.url, "--project", "1", "--jobs", "2", "--cache-dir"]
        let clean = home.appendingPathComponent("clean")
        #expect(try run(syncArguments + [clean.path]).status == 0)
        let reference = try Self.snapshot(clean)
        let cleanState = try check("cache", clean)
        #expect(
            (cleanState["problems"] as? [String]) == [] && (cleanState["temporaries"] as? [String]) == [],
            "\(cleanState)")
        #expect(reference.keys.contains { $0.hasSuffix("chunks/1.zip") })

        // Slow enough that the run spends most of its time inside chunk bodies, where partial files exist.
        let slow: [String: Any] = ["slow_bytes_per_sec": 500_000, "latency_ms": 20]
        try server.control("/_test/faults", slow)
        let typical = try Self.seconds { () throws in
            let measured = try run(syncArguments + [home.appendingPathComponent("measure").path])
            #expect(measured.status == 0, "\(measured.stderr)")
        }
        var random = SeededRandom(state: 20_250_301)
        var killedRuns = 0
        var keptChunks = 0
        for point in 0..<Self.killPoints {
            let cache = home.appendingPathComponent("kill-\(point)")
            let delay = random.uniform(typical)
            try server.control("/_test/faults", slow)
            let (killed, status) = try runAndKill(syncArguments + [cache.path], after: delay)
            if killed { killedRuns += 1 } else { #expect(status == 0, "point \(point): finished before the kill") }
            let context =
                "kill point \(point) at \(String(format: "%.3f", delay)) s of \(String(format: "%.3f", typical)) s"

            let afterKill = try check("cache", cache)
            #expect((afterKill["problems"] as? [String]) == [], "\(context): \(afterKill)")
            let complete = Set(afterKill["complete_chunks"] as? [String] ?? [])
            keptChunks += complete.count

            // Let the server finish answering the killed run, so its last requests are not counted as the rerun's.
            _ = try server.log()
            try server.control("/_test/faults", [:])
            try server.resetLog()
            let rerun = try run(syncArguments + [cache.path])
            #expect(rerun.status == 0, "\(context): the rerun failed: \(rerun.stderr)")
            let refetched = Set(try chunkRequests()).intersection(complete)
            #expect(refetched.isEmpty, "\(context): chunks \(refetched.sorted()) were complete and fetched again")
            // Byte-identical to a clean sync (which check_state.py found valid), with no file more: no temporary.
            let files = try Self.snapshot(cache)
            #expect(files.keys.sorted() == reference.keys.sorted(), "\(context)")
            for (path, bytes) in reference where files[path] != bytes { Issue.record("\(context): \(path) differs") }
            try? FileManager.default.removeItem(at: cache)
        }
        // The points must actually interrupt runs, and at moments where some chunks were already complete.
        #expect(killedRuns >= Self.killPoints / 2, "only \(killedRuns) of \(Self.killPoints) runs were interrupted")
        #expect(keptChunks > 0, "no kill point came after a finished chunk")
        print(
            "killSync: \(Self.killPoints) points over \(String(format: "%.2f", typical)) s, \(killedRuns) interrupted, \(keptChunks) complete chunks kept and not refetched"
        )
    }

    @Test("a sync killed while annotations.json downloads: the rerun removes the dead run's temporary file")
    func killDuringAnnotations() throws {
        let cache = home.appendingPathComponent("cache")
        let arguments = ["sync", "--server-host", server.url, "--cache-dir", cache.path, "--task", "4"]
        // annotations.json of task 4 is about 10 KB: at 4 KB/s its download takes seconds, the files before it less.
        try server.control("/_test/faults", ["slow_bytes_per_sec": 4_000])
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let serverName = Data(server.url.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let taskDirectory = cache.appendingPathComponent("servers/\(serverName)/tasks/4")
        func temporaries() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: taskDirectory.path)) ?? []).filter {
                $0.contains(".tmp-cvat-ds-")
            }
        }
        // Wait for the annotations' own temporary: the small files before it (data_meta.json, ...) are written
        // atomically through short-lived temporaries of their own, which a poll can catch first.
        func downloading() -> Bool { temporaries().contains { $0.hasPrefix("annotations.json.tmp-cvat-ds-") } }
        let deadline = Date().addingTimeInterval(60)
        while !downloading() && process.isRunning && Date() < deadline { usleep(10_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let left = temporaries()
        #expect(left.contains { $0.hasPrefix("annotations.json.tmp-cvat-ds-") }, "killed during the download: \(left)")
        #expect(!FileManager.default.fileExists(atPath: taskDirectory.appendingPathComponent("annotations.json").path))

        try server.control("/_test/faults", [:])
        let rerun = try run(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(temporaries().isEmpty, "the dead run's temporaries stay forever: \(temporaries())")
        let state = try check("cache", cache)
        #expect((state["problems"] as? [String]) == [] && (state["temporaries"] as? [String]) == [], "\(state)")
    }

    // MARK: - kill -9 during export

    @Test("kill -9 at 20 seeded moments of an export: --out is absent or complete, the rerun succeeds and cleans up")
    func killExport() throws {
        let cache = home.appendingPathComponent("cache")
        #expect(
            try run(["sync", "--server-host", server.url, "--cache-dir", cache.path] + Self.exportTasks).status == 0)
        let cacheBefore = try Self.snapshot(cache)
        let parent = home.appendingPathComponent("exports")
        let out = parent.appendingPathComponent("flowers")
        let exportArguments =
            [
                "export", "--server-host", server.url, "--cache-dir", cache.path, "--offline", "--transform", "bboxes",
                "--resize", "128x128", "--jobs", "1", "--force", "--out", out.path, "--task", "3", "--task", "4",
                // Whole exports: a replacing one would otherwise reuse the previous export's images and finish
                // before most kill points, which are drawn over the time of a whole export.
                "--no-reuse",
            ]
        var samples = 0
        let typical = try Self.seconds { () throws in
            let result = try run(exportArguments)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let first = try check("export", out)
        samples = first["samples"] as? Int ?? 0
        #expect(first["state"] as? String == "complete" && samples == 28, "\(first)")

        var random = SeededRandom(state: 20_250_302)
        var outcomes: [String: Int] = [:]
        for point in 0..<Self.killPoints {
            // Even points export into an empty place, odd ones replace the previous export (--force).
            let hadOutput = point % 2 == 1
            if !hadOutput { try? FileManager.default.removeItem(at: out) }
            let delay = random.uniform(typical)
            let (killed, status) = try runAndKill(exportArguments, after: delay)
            let context =
                "kill point \(point) at \(String(format: "%.3f", delay)) s of \(String(format: "%.3f", typical)) s"
            if !killed { #expect(status == 0, "\(context): finished before the kill with status \(status)") }

            let state =
                FileManager.default.fileExists(atPath: out.path) ? try check("export", out) : ["state": "absent"]
            let verdict = state["state"] as? String ?? "?"
            #expect(verdict == "absent" || verdict == "complete", "\(context): \(state)")
            if verdict == "complete" { #expect(state["samples"] as? Int == samples, "\(context): \(state)") }
            outcomes["\(killed ? "killed" : "finished"), \(hadOutput ? "replacing" : "new"): \(verdict)", default: 0] +=
                1

            let rerun = try run(exportArguments)
            #expect(rerun.status == 0, "\(context): the rerun failed: \(rerun.stderr)")
            let after = try check("export", out)
            #expect(
                after["state"] as? String == "complete" && after["samples"] as? Int == samples, "\(context): \(after)")
            let beside = try FileManager.default.contentsOfDirectory(atPath: parent.path)
            #expect(beside == ["flowers"], "\(context): the rerun left \(beside) beside the export")
        }
        #expect(try Self.snapshot(cache) == cacheBefore, "an export never writes to the cache")
        #expect(
            outcomes.filter { $0.key.hasPrefix("killed") }.values.reduce(0, +) >= Self.killPoints / 2, "\(outcomes)")
        print("killExport: \(Self.killPoints) points over \(String(format: "%.2f", typical)) s: \(outcomes)")
    }

    @Test(
        "kill -9 at 20 seeded moments of a re-export that reuses the images: --out is the earlier export or the new one, and the earlier image file is never written"
    )
    func killReusingExport() throws {
        let cache = home.appendingPathComponent("cache")
        #expect(
            try run(["sync", "--server-host", server.url, "--cache-dir", cache.path, "--task", "3", "--task", "4"])
                .status == 0)
        let parent = home.appendingPathComponent("exports")
        let out = parent.appendingPathComponent("flowers")
        let exportArguments = [
            "export", "--server-host", server.url, "--cache-dir", cache.path, "--offline", "--transform", "bboxes",
            "--resize", "128x128", "--force", "--out", out.path, "--task", "3", "--task", "4",
        ]
        #expect(try run(exportArguments + ["--no-reuse"]).status == 0)
        let images = out.appendingPathComponent("images.npy")
        let earlierImages = try Data(contentsOf: images)
        let samples = try check("export", out)["samples"] as? Int
        // It takes a few tens of milliseconds, so the points are drawn over 0.8 of the shortest of three runs (a
        // run's time includes the test's own launching and reading): over the whole of it, half the kills would
        // come too late.
        var shortest = Double.infinity
        for _ in 0..<3 {
            shortest = min(
                shortest,
                try Self.seconds { () throws in
                    let result = try run(exportArguments)
                    #expect(result.status == 0, "\(result.stderr)")
                })
        }
        let typical = 0.8 * shortest
        func reused() throws -> Bool {
            let manifest = try JSONSerialization.jsonObject(
                with: Data(contentsOf: out.appendingPathComponent("manifest.json")))
            return (manifest as? [String: Any])?["reused"] != nil
        }
        #expect(try reused(), "the measured run must be a reusing one")

        var random = SeededRandom(state: 20_261_204)
        var killedRuns = 0
        for point in 0..<Self.killPoints {
            let delay = random.uniform(typical)
            let (killed, status) = try runAndKill(exportArguments, after: delay)
            let context =
                "kill point \(point) at \(String(format: "%.3f", delay)) s of \(String(format: "%.3f", typical)) s"
            if killed { killedRuns += 1 } else { #expect(status == 0, "\(context): finished with status \(status)") }
            // Moved aside and back, or replaced by the new export: always a whole export, never absent here.
            let state = try check("export", out)
            #expect(
                state["state"] as? String == "complete" && state["samples"] as? Int == samples, "\(context): \(state)")
            #expect(try Data(contentsOf: images) == earlierImages, "\(context): the images changed")

            let rerun = try run(exportArguments)
            #expect(rerun.status == 0, "\(context): the rerun failed: \(rerun.stderr)")
            #expect(try reused(), "\(context): the rerun did not reuse the images")
            let beside = try FileManager.default.contentsOfDirectory(atPath: parent.path)
            #expect(beside == ["flowers"], "\(context): the rerun left \(beside) beside the export")
        }
        #expect(killedRuns >= Self.killPoints / 2, "only \(killedRuns) of \(Self.killPoints) runs were interrupted")
        print(
            "killReusingExport: \(Self.killPoints) points over \(String(format: "%.3f", typical)) s, \(killedRuns) interrupted"
        )
    }

    static let exportTasks = ["--task", "1", "--task", "2", "--task", "3", "--task", "4"]

    @Test("stale temporaries of dead runs beside --out (.tmp and .old folders) are removed by the next export")
    func staleTemporaries() throws {
        let cache = home.appendingPathComponent("cache")
        #expect(try run(["sync", "--server-host", server.url, "--cache-dir", cache.path, "--task", "1"]).status == 0)
        let parent = home.appendingPathComponent("exports")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        // A process that has exited: its pid names the leftovers of a killed run.
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let pid = dead.processIdentifier
        let leftovers = [".out.tmp-cvat-ds-\(pid)", ".out.old-cvat-ds-\(pid)"]
        for name in leftovers {
            let folder = parent.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(count: 4096).write(to: folder.appendingPathComponent("images.npy"))
        }
        // Another export's leftovers and a live run's folder are not this export's to remove.
        let others = [".other.tmp-cvat-ds-\(pid)", ".out.tmp-cvat-ds-\(getpid())"]
        for name in others {
            try FileManager.default.createDirectory(
                at: parent.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        let result = try run(
            [
                "export", "--server-host", server.url, "--cache-dir", cache.path, "--offline", "--task", "1",
                "--resize",
                "32x32", "--out", parent.appendingPathComponent("out").path,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let beside = Set(try FileManager.default.contentsOfDirectory(atPath: parent.path))
        #expect(beside == Set(["out"] + others), "left beside the export: \(beside.sorted())")
    }

    // MARK: - disk full

    /// Mounts a tmpfs of `kilobytes` at `directory`; false when this machine does not allow it (not root, no
    /// mount(8), a container without CAP_SYS_ADMIN).
    static func mountTmpfs(_ directory: URL, kilobytes: Int) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/mount")
        process.arguments = ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    static func unmount(_ directory: URL) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/umount")
        process.arguments = [directory.path]
        try? process.run()
        process.waitUntilExit()
    }

    /// Runs `cvat-ds arguments...` under RLIMIT_FSIZE of `kilobytes` with SIGXFSZ ignored, so an oversized write
    /// fails with EFBIG ("File too large") instead of killing the process.
    func runWithFileSizeLimit(_ kilobytes: Int, _ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments =
            ["-c", "trap '' XFSZ; ulimit -f \(kilobytes); exec \"$0\" \"$@\"", CLI.executable.path]
            + arguments
        process.environment = environment
        let err = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stderr: String(decoding: errData, as: UTF8.self))
    }

    /// What a failed export must look like: exit 74, the file and the reason named, nothing left in the output's
    /// place or beside it.
    struct Outcome {
        var status: Int32
        var stderr: String
    }

    func expectCleanFailure(_ result: Outcome, reason: String, parent: URL, context: String) throws -> String? {
        #expect(result.status == 74, "\(context): \(result.status) \(result.stderr)")
        #expect(result.stderr.contains(reason), "\(context): \(result.stderr)")
        let named = result.stderr.range(of: parent.path + "/").map { range in
            String(result.stderr[range.upperBound...].prefix { !$0.isWhitespace && $0 != ":" })
        }
        #expect(named != nil, "\(context): the error names no file under \(parent.path): \(result.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: parent.path)
        #expect(left.isEmpty, "\(context): left behind \(left)")
        return named
    }

    @Test("disk full during an export (a small tmpfs; RLIMIT_FSIZE where mounting is not allowed): exit 74, clean")
    func diskFull() throws {
        let cache = home.appendingPathComponent("cache")
        #expect(
            try run(["sync", "--server-host", server.url, "--cache-dir", cache.path] + Self.exportTasks).status == 0)
        let cacheBefore = try Self.snapshot(cache)
        func arguments(_ out: URL) -> [String] {
            [
                "export", "--server-host", server.url, "--cache-dir", cache.path, "--offline", "--transform", "bboxes",
                "--resize", "32x32", "--out", out.path,
            ] + Self.exportTasks
        }
        // The export's size in 4 KiB pages, as tmpfs counts it.
        let full = home.appendingPathComponent("full")
        #expect(try run(arguments(full)).status == 0)
        let sizes = try FileManager.default.contentsOfDirectory(atPath: full.path).map {
            try FileManager.default.attributesOfItem(atPath: full.appendingPathComponent($0).path)[.size] as! Int
        }
        let totalKB = sizes.map { ($0 + 4095) / 4096 * 4 }.reduce(0, +)
        let largestKB = (sizes.max()! + 1023) / 1024

        let mountPoint = home.appendingPathComponent("mnt")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        var failedFiles: Set<String> = []
        var succeeded = 0
        // Sizes that run out in the images, in the small arrays, in the manifest, and one that is enough.
        let steps = [4, totalKB / 2, totalKB - 24, totalKB - 16, totalKB - 8, totalKB - 4, totalKB + 16]
        if Self.mountTmpfs(mountPoint, kilobytes: 4) {
            Self.unmount(mountPoint)
            for kilobytes in steps {
                #expect(Self.mountTmpfs(mountPoint, kilobytes: kilobytes))
                defer { Self.unmount(mountPoint) }
                let out = mountPoint.appendingPathComponent("out")
                let result = try run(arguments(out))
                let context = "tmpfs of \(kilobytes) KiB (export \(totalKB) KiB)"
                if result.status == 0 {
                    succeeded += 1
                    #expect(try check("export", out)["state"] as? String == "complete", "\(context)")
                    continue
                }
                if let file = try expectCleanFailure(
                    Outcome(status: result.status, stderr: result.stderr), reason: "No space left on device",
                    parent: mountPoint, context: context)
                {
                    failedFiles.insert(URL(fileURLWithPath: file).lastPathComponent)
                }
            }
            #expect(succeeded >= 1, "a tmpfs 16 KiB larger than the export holds it")
            #expect(succeeded < steps.count - 1, "most sizes are too small")
            print(
                "diskFull (tmpfs): \(steps.count) sizes, \(succeeded) succeeded, failures named \(failedFiles.sorted())"
            )
        } else {
            // No tmpfs here: the per-file size limit stands in for a full disk.
            for kilobytes in [4, largestKB / 2, largestKB - 4] {
                let parent = home.appendingPathComponent("limited-\(kilobytes)")
                let result = try runWithFileSizeLimit(kilobytes, arguments(parent.appendingPathComponent("out")))
                if let file = try expectCleanFailure(
                    result, reason: "File too large", parent: parent, context: "RLIMIT_FSIZE \(kilobytes) KiB")
                {
                    failedFiles.insert(URL(fileURLWithPath: file).lastPathComponent)
                }
            }
            print("diskFull (RLIMIT_FSIZE fallback, no tmpfs): failures named \(failedFiles.sorted())")
        }
        #expect(!failedFiles.isEmpty)
        #expect(try Self.snapshot(cache) == cacheBefore, "the cache is untouched")
    }

    @Test(
        "disk full during a sync (a small tmpfs; RLIMIT_FSIZE where mounting is not allowed): exit 74, complete chunks kept, the next sync refetches none"
    )
    func diskFullDuringSync() throws {
        let syncArguments = ["sync", "--server-host", server.url, "--project", "1", "--jobs", "1", "--cache-dir"]
        let clean = home.appendingPathComponent("clean")
        #expect(try run(syncArguments + [clean.path]).status == 0)
        let reference = try Self.snapshot(clean)
        let sizes = reference.values.map(\.count)
        let totalKB = sizes.map { ($0 + 4095) / 4096 * 4 }.reduce(0, +)
        let largestKB = (sizes.max()! + 1023) / 1024

        let mountPoint = home.appendingPathComponent("sync-mnt")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let cache: URL
        let failure: Outcome
        let mounted = Self.mountTmpfs(mountPoint, kilobytes: totalKB / 2)
        defer { if mounted { Self.unmount(mountPoint) } }
        if mounted {
            // Half the cache fits: the sync runs out of space in the middle of the chunks.
            cache = mountPoint.appendingPathComponent("cache")
            let result = try run(syncArguments + [cache.path])
            failure = Outcome(status: result.status, stderr: result.stderr)
            #expect(result.stderr.contains("No space left on device"), "\(result.stderr)")
        } else {
            // No tmpfs here: a per-file size limit below the largest chunk stands in for a full disk.
            cache = home.appendingPathComponent("limited-cache")
            failure = try runWithFileSizeLimit(largestKB / 2, syncArguments + [cache.path])
            #expect(failure.stderr.contains("File too large"), "\(failure.stderr)")
        }
        #expect(failure.status == 74, "\(failure.status): \(failure.stderr)")
        #expect(failure.stderr.contains(cache.path + "/"), "the error names the file: \(failure.stderr)")

        let afterFailure = try check("cache", cache)
        #expect((afterFailure["problems"] as? [String]) == [], "nothing corrupt: \(afterFailure)")
        let complete = Set(afterFailure["complete_chunks"] as? [String] ?? [])
        #expect(!complete.isEmpty, "some chunks were complete before the disk filled: \(afterFailure)")

        // With space again, the next sync finishes without fetching a complete chunk again.
        if mounted {
            let remount = Process()
            remount.executableURL = URL(fileURLWithPath: "/bin/mount")
            remount.arguments = ["-o", "remount,size=\(totalKB * 2 + 64)k", mountPoint.path]
            try remount.run()
            remount.waitUntilExit()
            #expect(remount.terminationStatus == 0)
        }
        try server.resetLog()
        let rerun = try run(syncArguments + [cache.path])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let refetched = Set(try chunkRequests()).intersection(complete)
        #expect(refetched.isEmpty, "chunks \(refetched.sorted()) were complete and fetched again")
        let files = try Self.snapshot(cache)
        #expect(files.keys.sorted() == reference.keys.sorted())
        for (path, bytes) in reference where files[path] != bytes { Issue.record("\(path) differs from a clean sync") }
        print(
            "diskFullDuringSync (\(mounted ? "tmpfs of \(totalKB / 2) KiB" : "RLIMIT_FSIZE \(largestKB / 2) KiB")): \(complete.count) complete chunks kept, 0 refetched"
        )
    }

    @Test("a file size limit (RLIMIT_FSIZE, SIGXFSZ ignored) during an export: exit 74, File too large, clean")
    func fileSizeLimit() throws {
        let cache = home.appendingPathComponent("cache")
        #expect(try run(["sync", "--server-host", server.url, "--cache-dir", cache.path, "--task", "4"]).status == 0)
        let cacheBefore = try Self.snapshot(cache)
        let parent = home.appendingPathComponent("limited")
        let result = try runWithFileSizeLimit(
            64,
            [
                "export", "--server-host", server.url, "--cache-dir", cache.path, "--offline", "--task", "4",
                "--resize",
                "224x224", "--out", parent.appendingPathComponent("out").path,
            ])
        let file = try expectCleanFailure(result, reason: "File too large", parent: parent, context: "64 KiB limit")
        #expect(file?.hasSuffix("images.npy.partial") == true, "\(result.stderr)")
        #expect(try Self.snapshot(cache) == cacheBefore, "the cache is untouched")
    }
}
