import CvatTestSupport
import Foundation
import Testing

/// A power loss right after a successful command must not lose what it wrote: every file is flushed to the disk
/// before the rename that publishes it, and the folder that holds the rename after it. A power loss cannot be
/// simulated here, so the tests watch the system calls themselves with strace(1) (installed by `make deps`).
@Suite("durability", .serialized)
struct DurabilityTests {
    let server: TestServer
    let home: URL

    init() throws {
        server = try TestServer()
        home = try TestPaths.makeTemporaryDirectory("cvat-ds-durability")
    }

    /// One system call strace saw, in order: `fsync` of a path, or `rename` from one path to another.
    enum Call: Equatable {
        case fsync(String)
        case rename(String, String)
    }

    /// Runs `cvat-ds arguments...` under `strace -f -y` and returns its fsync and rename calls in order.
    func traced(_ arguments: [String]) throws -> (status: Int32, calls: [Call]) {
        let log = home.appendingPathComponent("strace-\(UUID().uuidString).log")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/strace")
        process.arguments =
            [
                "-f", "-qq", "-y", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2", "-o", log.path,
                CLI.executable.path,
            ] + arguments
        process.environment = CLI.environment(home: home, adding: ["CVAT_ACCESS_TOKEN": TestServer.adminToken])
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        #expect(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
            "strace is missing: `make deps` installs it")
        try process.run()
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: log) }
        let text = try String(contentsOf: log, encoding: .utf8)
        var calls: [Call] = []
        let fsync = try Regex(#"f(?:data)?sync\(\d+<([^>]+)>"#)
        let rename = try Regex(
            #"rename(?:at2?)?\((?:AT_FDCWD(?:<[^>]*>)?, )?"([^"]+)", (?:AT_FDCWD(?:<[^>]*>)?, )?"([^"]+)""#)
        for line in text.split(separator: "\n") where !line.contains("= -1") {
            if let match = line.firstMatch(of: fsync), let path = match.output[1].substring {
                calls.append(.fsync(String(path)))
            } else if let match = line.firstMatch(of: rename), let from = match.output[1].substring,
                let to = match.output[2].substring
            {
                calls.append(.rename(String(from), String(to)))
            }
        }
        return (process.terminationStatus, calls)
    }

    @Test("an export flushes each file and its folder before the rename into --out, and the parent after it")
    func exportIsFlushedBeforeItIsPublished() throws {
        let cache = home.appendingPathComponent("cache").path
        let sync = try CLI.run(
            ["sync", "--server-host", server.url, "--cache-dir", cache, "--task", "1"],
            environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
        #expect(sync.status == 0, "\(sync.stderr)")
        let parent = home.appendingPathComponent("exports").path
        let out = parent + "/flowers"
        let (status, calls) = try traced(
            [
                "export", "--server-host", server.url, "--cache-dir", cache, "--offline", "--task", "1", "--transform",
                "label", "--resize", "32x32", "--out", out,
            ])
        #expect(status == 0)
        guard let publish = calls.firstIndex(where: { if case .rename(_, out) = $0 { true } else { false } }),
            case .rename(let temporary, _) = calls[publish]
        else {
            Issue.record("no rename into \(out): \(calls)")
            return
        }
        let before = calls[..<publish]
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(files.contains("manifest.json") && files.contains("images.npy"), "\(files)")
        for file in files {
            #expect(before.contains(.fsync(temporary + "/" + file)), "\(file) is not flushed before the rename")
        }
        #expect(before.contains(.fsync(temporary)), "the export folder is not flushed before the rename")
        #expect(calls[publish...].contains(.fsync(parent)), "the parent folder is not flushed after the rename")
    }

    @Test("a sync flushes every cached file before renaming it into place, and its folder after")
    func syncIsFlushedBeforeItIsPublished() throws {
        let cache = home.appendingPathComponent("cache").path
        let (status, calls) = try traced(
            ["sync", "--server-host", server.url, "--cache-dir", cache, "--task", "1", "--task", "4"])
        #expect(status == 0)
        var published: Set<String> = []
        for (index, call) in calls.enumerated() {
            guard case .rename(let from, let to) = call, to.hasPrefix(cache + "/") else { continue }
            published.insert(to)
            #expect(calls[..<index].contains(.fsync(from)), "\(to) is renamed into place before it is flushed")
            let folder = (to as NSString).deletingLastPathComponent
            #expect(calls[index...].contains(.fsync(folder)), "\(folder) is not flushed after \(to) is renamed in")
        }
        // Every file the cache holds got there that way (the lock files are empty and never renamed).
        let enumerator = FileManager.default.enumerator(atPath: cache)
        var files: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = cache + "/" + relative
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                !relative.hasSuffix(".cvat-ds.lock")
            {
                files.append(full)
            }
        }
        #expect(files.count > 8 && files.contains { $0.hasSuffix("chunks/0.zip") }, "\(files)")
        for file in files { #expect(published.contains(file), "\(file) was not written through a flushed rename") }
    }
}
