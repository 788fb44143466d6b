import CvatTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The built `cvat-ds` against a hostile or changing server: secrets, TLS, permissions, concurrent runs,
/// server-side changes between syncs and malformed answers.
@Suite("hardening", .serialized)
struct HardeningTests {
    let server: TestServer
    let scratch: ScratchDirectory
    var home: URL { scratch.url }
    var cache: String { home.appendingPathComponent("cache").path }

    static let password = "admin-password"

    init() throws {
        server = try TestServer()
        scratch = try ScratchDirectory("cvat-ds-harden")
    }

    // MARK: - Helpers

    func sync(_ arguments: [String], token: String? = TestServer.adminToken, env: [String: String] = [:]) throws
        -> CLI.Result
    {
        var environment = env
        if let token { environment["CVAT_ACCESS_TOKEN"] = token }
        return try CLI.run(
            ["sync", "--server-host", server.url, "--cache-dir", cache] + arguments, environment: environment,
            home: home)
    }

    var serverDirectory: URL {
        let name = Data(server.url.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return URL(fileURLWithPath: cache).appendingPathComponent("servers/\(name)")
    }

    func taskDirectory(_ id: Int) -> URL { serverDirectory.appendingPathComponent("tasks/\(id)") }

    func exists(_ id: Int, _ file: String) -> Bool {
        FileManager.default.fileExists(atPath: taskDirectory(id).appendingPathComponent(file).path)
    }

    /// Every regular file under `root`, relative path → bytes.
    static func files(under root: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            files[String(url.path.dropFirst(root.path.count))] = try Data(contentsOf: url)
        }
        return files
    }

    static func mode(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_mode) & 0o7777 : -1
    }

    /// Chunk requests in the server's log, as "task/number".
    func chunkRequests() throws -> [String] {
        try server.log().compactMap { entry -> String? in
            guard let query = entry["query"] as? String, query.contains("type=chunk"),
                let path = entry["path"] as? String, let range = query.range(of: "number=")
            else { return nil }
            let task = path.split(separator: "/").dropFirst(2).first ?? ""
            return "\(task)/\(query[range.upperBound...].prefix { $0.isNumber })"
        }
    }

    /// The outcome of a `Running` process.
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String

        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        }
    }

    struct Timeout: Error {}

    /// A running `cvat-ds`, its output collected in the background and its `/proc/PID/cmdline` sampled.
    final class Running: @unchecked Sendable {
        let process = Process()
        private let out = Pipe()
        private let err = Pipe()
        private var outData = Data()
        private var errData = Data()
        private let group = DispatchGroup()
        private(set) var cmdlines: [[String]] = []

        init(_ executable: URL, _ arguments: [String], environment: [String: String]) throws {
            process.executableURL = executable
            process.arguments = arguments
            process.environment = environment
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            try process.run()
            group.enter()
            DispatchQueue.global().async {
                self.outData = self.out.fileHandleForReading.readDataToEndOfFile()
                self.group.leave()
            }
            group.enter()
            DispatchQueue.global().async {
                self.errData = self.err.fileHandleForReading.readDataToEndOfFile()
                self.group.leave()
            }
        }

        /// Waits for the exit, reading the argument vector `ps` would show every few milliseconds meanwhile.
        func finish(timeout: Double = 120) throws -> Output {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline {
                if let data = FileManager.default.contents(atPath: "/proc/\(process.processIdentifier)/cmdline"),
                    !data.isEmpty
                {
                    let vector = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                    if !cmdlines.contains(vector) { cmdlines.append(vector) }
                }
                usleep(5_000)
            }
            if process.isRunning {
                process.terminate()
                throw Timeout()
            }
            process.waitUntilExit()
            group.wait()
            return Output(
                status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                stderr: String(decoding: errData, as: UTF8.self))
        }
    }

    func start(_ arguments: [String], env: [String: String]) throws -> Running {
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home.path,
            "XDG_CACHE_HOME": home.appendingPathComponent("xdg-cache").path,
            "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
        ]
        environment.merge(env) { _, new in new }
        environment.merge(CLI.sanitizerEnvironment) { own, _ in own }
        return try Running(
            CLI.executable, ["sync", "--server-host", server.url, "--cache-dir", cache] + arguments,
            environment: environment)
    }

    /// Logs in as admin with a password and returns the answer's token key and Set-Cookie values.
    func login() throws -> (key: String, cookies: [String]) {
        var request = URLRequest(url: URL(string: server.url + "/api/auth/login")!)
        request.httpMethod = "POST"
        request.httpBody = try JSONSerialization.data(withJSONObject: ["username": "admin", "password": Self.password])
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let semaphore = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Data?, HTTPURLResponse?) = (nil, nil)
        URLSession.shared.dataTask(with: request) { data, response, _ in
            result = (data, response as? HTTPURLResponse)
            semaphore.signal()
        }.resume()
        semaphore.wait()
        let object = try JSONSerialization.jsonObject(with: result.0 ?? Data()) as? [String: Any]
        let key = try #require(object?["key"] as? String)
        let cookie = result.1?.value(forHTTPHeaderField: "Set-Cookie") ?? ""
        return (key, [cookie])
    }

    /// What must never appear anywhere the user or another local user can read: the secrets themselves and the
    /// names that would carry them.
    static func secretMarkers(tokenKey: String) -> [String] {
        [
            password, Data("admin:\(password)".utf8).base64EncodedString(), tokenKey, TestServer.adminToken,
            "sessionid", "csrftoken", "X-CSRFToken", "Authorization", "Cookie:", "Bearer ", "Token ",
        ]
    }

    /// Each marker found in `text`, plus anything shaped like the test server's session ids (32 of [a-z0-9]).
    static func leaks(in text: String, markers: [String]) -> [String] {
        var found = markers.filter { text.contains($0) }
        if let match = text.firstMatch(of: /(?:^|[^A-Za-z0-9])([a-z0-9]{32})(?![A-Za-z0-9])/) {
            found.append("a session-id-shaped value '\(match.output.1)'")
        }
        return found
    }

    static func leaks(inCache root: URL, markers: [String]) throws -> [String] {
        var found: [String] = []
        for (path, bytes) in try files(under: root) {
            if path.hasSuffix(".zip") {
                // Image bytes: only the exact secrets are meaningful, not shapes.
                for marker in markers where bytes.range(of: Data(marker.utf8)) != nil {
                    found.append("\(path): \(marker)")
                }
            } else {
                found += leaks(in: String(decoding: bytes, as: UTF8.self), markers: markers).map { "\(path): \($0)" }
            }
        }
        return found
    }

    // MARK: - Credentials

    @Test(
        "no password, token, cookie or CSRF value reaches the cache, stdout, stderr (--verbose) or ps",
        arguments: [
            ("session", ["--auth", "admin", "--auth-method", "session"], ["PASS": password]),
            ("token", ["--auth", "admin", "--auth-method", "token"], ["PASS": password]),
            ("basic", ["--auth", "admin", "--auth-method", "basic"], ["PASS": password]),
            ("bearer", [String](), ["CVAT_ACCESS_TOKEN": TestServer.adminToken]),
        ])
    func secretsFromEnvironment(name: String, arguments: [String], env: [String: String]) throws {
        // Slow answers keep the process alive long enough for many looks at its arguments.
        try server.control("/_test/faults", ["latency_ms": 40])
        let running = try start(["--task", "1", "--verbose", "--json"] + arguments, env: env)
        let result = try running.finish()
        #expect(result.status == 0, "\(name): \(result.stderr)")
        #expect(result.stderr.contains("GET "), "--verbose logs each request")
        #expect(!running.cmdlines.isEmpty)
        try server.control("/_test/faults", [:])
        let markers = Self.secretMarkers(tokenKey: try login().key)
        #expect(Self.leaks(in: result.stdout, markers: markers) == [], "\(name): stdout")
        #expect(Self.leaks(in: result.stderr, markers: markers) == [], "\(name): stderr")
        for vector in running.cmdlines {
            #expect(Self.leaks(in: vector.joined(separator: " "), markers: markers) == [], "\(name): cmdline")
        }
        #expect(try Self.leaks(inCache: URL(fileURLWithPath: cache), markers: markers) == [], "\(name): cache")
        #expect(exists(1, "chunks/1.zip"))
    }

    @Test("a password typed at the prompt is not echoed and leaks nowhere")
    func secretsFromPrompt() throws {
        try server.control("/_test/faults", ["latency_ms": 40])
        let process = Process()
        let python = TestPaths.python.split(separator: " ").map(String.init)
        process.executableURL = URL(fileURLWithPath: python[0])
        process.arguments =
            Array(python.dropFirst()) + [
                TestPaths.fixtures.appendingPathComponent("pty/answer_prompt.py").path, "--timeout", "30", "--",
                CLI.executable.path, "sync", "--server-host", server.url, "--cache-dir", cache, "--task", "1",
                "--auth", "admin", "--verbose",
            ]
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home.path,
            "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
        ].merging(CLI.sanitizerEnvironment) { own, _ in own }
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data((Self.password + "\n").utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let terminal = report["output"] as? String ?? ""
        #expect(report["prompted"] as? Bool == true, "\(terminal)")
        #expect(report["status"] as? Int == 0, "\(terminal)")
        #expect(terminal.contains("Password for admin at \(server.url)"))
        try server.control("/_test/faults", [:])
        let markers = Self.secretMarkers(tokenKey: try login().key)
        #expect(Self.leaks(in: terminal, markers: markers) == [], "the terminal shows no secret (no echo)")
        let cmdlines = report["cmdlines"] as? [[String]] ?? []
        let ours = cmdlines.filter { $0.first == CLI.executable.path }
        #expect(!ours.isEmpty, "cvat-ds was seen running")
        for vector in cmdlines {
            #expect(Self.leaks(in: vector.joined(separator: " "), markers: markers) == [])
        }
        #expect(try Self.leaks(inCache: URL(fileURLWithPath: cache), markers: markers) == [])
        #expect(exists(1, "task.json"))
    }

    @Test("wrong credentials: exit 77, one login attempt, the wrong password never printed")
    func wrongCredentials() throws {
        for method in ["session", "token"] {
            try server.resetLog()
            let result = try sync(
                ["--task", "1", "--auth", "admin", "--auth-method", method, "--verbose"], token: nil,
                env: ["PASS": "not-the-password"])
            #expect(result.status == 77, "\(method): \(result.stderr)")
            #expect(result.stderr.contains("refused") && result.stderr.contains(server.url))
            #expect(!result.stderr.contains("not-the-password"))
            #expect(try server.stats()["login_calls"] as? Int == 1, "a refused login is not retried")
        }
        let token = try sync(["--task", "1"], token: "cvat_pat_admin.wrong")
        #expect(token.status == 77)
        #expect(!token.stderr.contains("cvat_pat_admin.wrong"))
        #expect(!exists(1, "task.json"))
    }

    // MARK: - TLS

    /// A self-signed certificate for 127.0.0.1, made now, as (cert, key) paths.
    static func makeCertificate(in directory: URL, name: String) throws -> (String, String) {
        let cert = directory.appendingPathComponent("\(name).pem").path
        let key = directory.appendingPathComponent("\(name).key").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-addext",
            "subjectAltName=IP:127.0.0.1", "-days", "1", "-keyout", key, "-out", cert,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl could not make a certificate")
        return (cert, key)
    }

    @Test("TLS is verified by default: a self-signed server is refused, accepted with --insecure or --ca-cert")
    func tls() throws {
        let (cert, key) = try Self.makeCertificate(in: home, name: "server")
        let (otherCert, _) = try Self.makeCertificate(in: home, name: "other")
        let tlsServer = try TestServer(extraArguments: ["--tls-cert", cert, "--tls-key", key])
        #expect(tlsServer.url.hasPrefix("https://"))
        func run(_ extra: [String], cacheName: String) throws -> CLI.Result {
            try CLI.run(
                [
                    "sync", "--server-host", tlsServer.url, "--cache-dir", home.appendingPathComponent(cacheName).path,
                    "--task", "2", "--retries", "0",
                ] + extra,
                environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
        }
        let refused = try run([], cacheName: "refused")
        #expect(refused.status == 69, "\(refused.stderr)")
        #expect(refused.stderr.contains("TLS verification failed"))
        #expect(refused.stderr.contains("--ca-cert") && refused.stderr.contains("--insecure"))

        let wrongCA = try run(["--ca-cert", otherCert], cacheName: "wrong-ca")
        #expect(wrongCA.status == 69, "a CA that did not sign the server's certificate is no help")

        let insecure = try run(["--insecure"], cacheName: "insecure")
        #expect(insecure.status == 0, "\(insecure.stderr)")
        #expect(insecure.stderr.contains("not verified"), "--insecure says what it gives up")

        let trusted = try run(["--ca-cert", cert], cacheName: "trusted")
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(!trusted.stderr.contains("not verified"))
    }

    // MARK: - Permissions

    /// Runs `cvat-ds sync` under `umask`.
    func syncUnderUmask(_ umask: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments =
            [
                "-c", "umask \(umask) && exec \"$0\" \"$@\"", CLI.executable.path, "sync", "--server-host", server.url,
                "--cache-dir", cache,
            ] + arguments
        process.environment = [
            "CVAT_ACCESS_TOKEN": TestServer.adminToken, "HOME": home.path,
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ].merging(
            CLI.sanitizerEnvironment
        ) { own, _ in own }
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test(
        "cache files follow the umask; the cache root, servers/ and the server's folder are 0700",
        arguments: [("022", 0o644, 0o755), ("027", 0o640, 0o750), ("002", 0o664, 0o775)])
    func permissions(umask: String, fileMode: Int, directoryMode: Int) throws {
        #expect(try syncUnderUmask(umask, ["--task", "1"]) == 0)
        let root = URL(fileURLWithPath: cache)
        for private_ in [root, root.appendingPathComponent("servers"), serverDirectory] {
            #expect(Self.mode(private_.path) == 0o700, "\(private_.path)")
        }
        for directory in ["tasks", "tasks/1", "tasks/1/chunks"] {
            #expect(Self.mode(serverDirectory.appendingPathComponent(directory).path) == directoryMode, "\(directory)")
        }
        let files = try Self.files(under: serverDirectory).keys
        #expect(files.count >= 6)
        for file in files {
            #expect(Self.mode(serverDirectory.path + file) == fileMode, "\(file)")
        }
    }

    @Test("an existing cache root keeps the mode the user gave it")
    func existingRootKeepsMode() throws {
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        chmod(cache, 0o755)
        #expect(try syncUnderUmask("022", ["--task", "2"]) == 0)
        #expect(Self.mode(cache) == 0o755)
        #expect(Self.mode(serverDirectory.path) == 0o700)
    }

    // MARK: - Concurrency

    @Test("two syncs of the same task at once end with one good cache, each chunk fetched once")
    func concurrentSyncs() throws {
        // Slow chunks make the two runs overlap: the second must wait for the task's lock.
        try server.control("/_test/faults", ["slow_bytes_per_sec": 400_000])
        let first = try start(["--task", "1", "--json"], env: ["CVAT_ACCESS_TOKEN": TestServer.adminToken])
        let second = try start(["--task", "1", "--json"], env: ["CVAT_ACCESS_TOKEN": TestServer.adminToken])
        let a = try first.finish()
        let b = try second.finish()
        #expect(a.status == 0, "\(a.stderr)")
        #expect(b.status == 0, "\(b.stderr)")
        let outcomes = [a, b].compactMap { try? ($0.json()["tasks"] as? [[String: Any]])?.first?["outcome"] as? String }
        #expect(outcomes.sorted() == ["fetched", "up-to-date"], "one run fetched, the other found it done")
        let requests = try chunkRequests()
        #expect(requests.sorted() == ["1/0", "1/1"], "each chunk downloaded once: \(requests)")

        try server.control("/_test/faults", [:])
        let reference = home.appendingPathComponent("reference")
        let clean = try CLI.run(
            ["sync", "--server-host", server.url, "--cache-dir", reference.path, "--task", "1"],
            environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
        #expect(clean.status == 0)
        let expected = try Self.files(under: reference).filter { !$0.key.hasSuffix(".cvat-ds.lock") }
        let actual = try Self.files(under: URL(fileURLWithPath: cache)).filter { !$0.key.hasSuffix(".cvat-ds.lock") }
        #expect(actual.keys.sorted() == expected.keys.sorted())
        for (path, bytes) in expected { #expect(actual[path] == bytes, "\(path)") }
    }

    // MARK: - Server-side changes between syncs

    @Test("an updated_date that goes backwards is warned about and refetched, not trusted")
    func updatedDateBackwards() throws {
        #expect(try sync(["--task", "1"]).status == 0)
        let chunk = try Data(contentsOf: taskDirectory(1).appendingPathComponent("chunks/0.zip"))
        try server.control("/_test/tasks/1/updated-date", ["updated_date": "2020-01-01T00:00:00.000000Z"])
        try server.resetLog()
        let result = try sync(["--task", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("older than the cached one"))
        #expect((try result.json()["tasks"] as? [[String: Any]])?.first?["outcome"] as? String == "updated")
        #expect(try chunkRequests().isEmpty, "the media did not change, so no chunk moves")
        let taskFile =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: taskDirectory(1).appendingPathComponent("task.json"))) as? [String: Any]
        #expect((taskFile?["model"] as? [String: Any])?["updated_date"] as? String == "2020-01-01T00:00:00.000000Z")
        #expect(try Data(contentsOf: taskDirectory(1).appendingPathComponent("chunks/0.zip")) == chunk)

        let again = try sync(["--task", "1", "--json"])
        #expect((try again.json()["tasks"] as? [[String: Any]])?.first?["outcome"] as? String == "up-to-date")
        #expect(!again.stderr.contains("older"))
    }

    @Test("a task deleted on the server: exit 66, a message about the cached copy, the cache untouched")
    func deletedTask() throws {
        #expect(try sync(["--task", "1"]).status == 0)
        let before = try Self.files(under: taskDirectory(1))
        try server.control("/_test/tasks/1/delete")
        let result = try sync(["--task", "1"])
        #expect(result.status == 66)
        #expect(result.stderr.contains("task 1 is no longer on \(server.url)"))
        #expect(result.stderr.contains("cached copy"))
        #expect(try Self.files(under: taskDirectory(1)) == before)

        let never = try sync(["--task", "99"])
        #expect(never.status == 66)
        #expect(!never.stderr.contains("cached copy"), "a task that was never cached gets the plain message")
    }

    @Test("a label set that changed between syncs is named in a warning and cached anew")
    func labelsChanged() throws {
        #expect(try sync(["--task", "1"]).status == 0)
        try server.control("/_test/tasks/1/annotations")
        let unchanged = try sync(["--task", "1"])
        #expect(unchanged.status == 0)
        #expect(!unchanged.stderr.contains("label set changed"), "an annotation-only change says nothing of labels")

        let added = try server.control("/_test/tasks/1/labels", ["name": "hardening-new-label"])
        let id = ((added as? [String: Any])?["label"] as? [String: Any])?["id"] as? Int
        let result = try sync(["--task", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("task 1: the label set changed since the last sync"))
        #expect(result.stderr.contains("added 'hardening-new-label' (id \(id ?? -1))"))
        let taskFile =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: taskDirectory(1).appendingPathComponent("task.json"))) as? [String: Any]
        let names = (taskFile?["labels"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(names.contains("hardening-new-label"))
    }

    // MARK: - Hostile answers

    @Test(
        "malformed JSON from the server fails clearly (exit 65) and never replaces cached files",
        arguments: [
            ("/api/tasks/1$", "task 1"), ("/data/meta$", "the frame list of task 1"),
            ("/annotations$", "the annotations of task 1"), ("^/api/labels$", "the labels of task 1"),
        ])
    func malformedJSON(pattern: String, what: String) throws {
        #expect(try sync(["--task", "1"]).status == 0)
        let before = try Self.files(under: taskDirectory(1))
        try server.control("/_test/tasks/1/annotations")  // a change, so the second sync reads everything again
        try server.control("/_test/faults", ["malformed_json": [pattern]])
        let result = try sync(["--task", "1"])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains(what), "\(result.stderr)")
        #expect(result.stderr.contains("JSON"))
        let after = try Self.files(under: taskDirectory(1))
        for name in ["/task.json", "/annotations.json"] { #expect(after[name] == before[name], "\(name)") }
        #expect(!after.keys.contains { $0.contains(".tmp") })
    }

    @Test("a garbage chunk is fetched again, then fails naming task and chunk, and is never cached")
    func corruptChunk() throws {
        try server.control("/_test/faults", ["corrupt_chunks": [[1, 1]]])
        let result = try sync(["--task", "1"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("chunk 1 of task 1"), "\(result.stderr)")
        #expect(result.stderr.contains("not a usable zip"))
        #expect(try chunkRequests().filter { $0 == "1/1" }.count == 2, "refetched once from zero")
        #expect(!exists(1, "chunks/1.zip") && !exists(1, "chunks/1.zip.partial"))
        #expect(!exists(1, "task.json"), "an incomplete task is not marked current")

        try server.control("/_test/faults", [:])
        #expect(try sync(["--task", "1"]).status == 0)
        #expect(exists(1, "chunks/1.zip"))
    }

    @Test("an endless chunk body stops at the announced size, quickly, with nothing cached")
    func endlessBody() throws {
        try server.control("/_test/faults", ["endless_body": true])
        let started = Date()
        let result = try sync(["--task", "1", "--jobs", "1"])
        let seconds = Date().timeIntervalSince(started)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("chunk 0 of task 1"))
        #expect(result.stderr.contains("X-Chunk-Size"))
        #expect(seconds < 20, "took \(seconds) s")
        #expect(!exists(1, "chunks/0.zip") && !exists(1, "chunks/0.zip.partial"))
        let sent = try server.log().filter { ($0["query"] as? String ?? "").contains("type=chunk") }
        #expect(sent.count == 1, "a server that breaks its own size is not asked again")
        // The server only learns of the disconnect when a write fails; a few socket buffers may be in flight.
        #expect(sent.allSatisfy { ($0["bytes_sent"] as? Int ?? 0) < 64 << 20 })
    }

    @Test("an unreachable server fails fast with exit 69, naming the address")
    func unreachable() throws {
        // A port that was just free: bind, read the number, close.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        close(fd)
        let url = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        let started = Date()
        let result = try CLI.run(
            ["sync", "--server-host", url, "--cache-dir", cache, "--task", "1", "--retries", "1"],
            environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
        #expect(result.status == 69)
        #expect(result.stderr.contains(url))
        #expect(result.stderr.contains("2 attempts"))
        #expect(Date().timeIntervalSince(started) < 15)
        let left = try Self.files(under: URL(fileURLWithPath: cache))
        #expect(left.isEmpty, "nothing cached: \(left.keys.sorted())")
    }
}
