import ArgumentParser
import CvatAPI
import CvatCache
import Foundation

/// `cvat-ds sync`: bring the local cache up to date with the server.
struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch tasks or a project into the local cache (the same layout cvat-sdk uses).",
        discussion: """
            A task whose updated_date has not changed costs one request. When only annotations changed, the \
            chunks are kept and only the JSON is fetched again. Interrupted downloads resume where they stopped.

            Video tasks are cached as the server's PNG frames (tasks/<id>/frames/) or, with --video-frames \
            compressed, as its JPEG compressed chunks (tasks/<id>/compressed_chunks/); cvat-sdk ignores both.

            Examples:
              cvat-ds sync --server-host https://cvat.example.com --task 42
              CVAT_ACCESS_TOKEN=... cvat-ds sync --project 7 --subset Train --subset Validation --json

            \(ExitCodes.helpText)
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var selection: SelectionOptions

    @Option(help: "Concurrent downloads.")
    var jobs = 4

    @Option(
        name: .customLong("video-frames"),
        help: ArgumentHelp(
            "Video tasks: fetch original (the server's PNG frames, lossless) or compressed (the JPEG compressed "
                + "chunks) frames.", valueName: "SOURCE"))
    var videoFrames: VideoFramesArgument = .original

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        let console = output.makeConsole()
        try await runReportingErrors(console) {
            let started = ContinuousClock.now
            let session = try await Session.open(connection: connection, console: console, jobs: jobs)
            defer { session.close() }
            let progress = SyncProgress(console: console)
            let synchronizer = Synchronizer(
                client: session.client, layout: session.layout, jobs: jobs, videoFrames: videoFrames.source,
                onEvent: { progress.handle($0) })
            let reports = try await selection.sync(with: synchronizer)
            console.clearProgress()
            let stats = session.client.statistics
            let elapsed = ContinuousClock.now - started
            console.info(
                "synced \(reports.count) task(s) from \(session.client.server) into \(session.layout.serverDirectory.path): "
                    + "\(stats.requests) request(s), \(Format.bytes(Double(stats.bytesReceived))) in "
                    + "\(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow)))")
            if output.json {
                console.emitJSON(
                    SyncSummary(
                        server: session.client.server.url, cacheDir: session.layout.root.path,
                        serverDir: session.layout.serverDirectory.path, tasks: reports, requests: stats.requests,
                        retries: stats.retries, bytesReceived: stats.bytesReceived,
                        seconds: Format.seconds(elapsed)))
            }
        }
    }
}

/// `--task`/`--project`/`--subset`: which tasks a command works on.
struct SelectionOptions: ParsableArguments {
    @Option(name: .customLong("task"), help: ArgumentHelp("A task id (repeatable).", valueName: "ID"))
    var tasks: [Int] = []

    @Option(help: ArgumentHelp("A project id: all its tasks.", valueName: "ID"))
    var project: Int?

    @Option(
        name: .customLong("subset"),
        help: ArgumentHelp("With --project, keep only tasks of this subset (repeatable).", valueName: "NAME"))
    var subsets: [String] = []

    func validate() throws {
        if tasks.isEmpty && project == nil { throw ValidationError("give --task ID (repeatable) or --project ID") }
        if !tasks.isEmpty && project != nil { throw ValidationError("give either --task or --project, not both") }
        if !subsets.isEmpty && project == nil { throw ValidationError("--subset goes with --project") }
    }

    func sync(with synchronizer: Synchronizer) async throws -> [TaskSyncReport] {
        if let project {
            return try await synchronizer.syncProject(project, subsets: subsets.isEmpty ? nil : subsets)
        }
        var reports: [TaskSyncReport] = []
        for id in tasks { reports.append(try await synchronizer.syncTask(id)) }
        return reports
    }
}

/// The `--json` result of a sync.
struct SyncSummary: Encodable {
    var server: String
    var cacheDir: String
    var serverDir: String
    var tasks: [TaskSyncReport]
    var requests: Int
    var retries: Int
    var bytesReceived: Int64
    var seconds: Double

    enum CodingKeys: String, CodingKey {
        case server, tasks, requests, retries, seconds
        case cacheDir = "cache_dir"
        case serverDir = "server_dir"
        case bytesReceived = "bytes_received"
    }
}

/// A connected, authenticated client and the cache it fills.
struct Session {
    let client: CvatClient
    let layout: CacheLayout

    /// Resolves the server and credentials (prompting for a password at most once) and logs in.
    static func open(connection: ConnectionOptions, console: Console, jobs: Int) async throws -> Session {
        let (server, credentials) = try connection.resolve()
        return try await open(
            server: server, credentials: credentials, connection: connection, console: console, jobs: jobs)
    }

    static func open(
        server: ServerAddress, credentials: Credentials, connection: ConnectionOptions, console: Console, jobs: Int
    ) async throws -> Session {
        if connection.insecure && server.url.hasPrefix("https:") {
            console.warning(
                "--insecure: the TLS certificate of \(server) is not verified; anyone on the path can read the credentials"
            )
        }
        let log: (@Sendable (String) -> Void)? = console.verbose ? { @Sendable line in console.debug(line) } : nil
        let client = try CvatClient(connection.settings(server: server, credentials: credentials, jobs: jobs, log: log))
        do {
            try await client.authenticate()
        } catch {
            client.close()
            throw error
        }
        return Session(client: client, layout: CacheLayout(root: connection.cacheRoot, server: server))
    }

    /// Ends the connection (its transfer thread); the command calls it when it no longer needs the server.
    func close() { client.close() }
}
