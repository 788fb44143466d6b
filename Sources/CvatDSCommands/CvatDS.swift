public import ArgumentParser

/// The command root: `cvat-ds sync|export|info|preview|merge-manifests`.
public struct CvatDS: AsyncParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "cvat-ds",
        abstract: "Take annotated datasets out of a CVAT server and turn them into tensors any ML framework reads.",
        discussion: """
            sync fetches tasks into the local cache (shared with cvat-sdk); export decodes, transforms and writes \
            .npy, raw or safetensors arrays with a manifest.json; info shows what the cache holds; preview draws a \
            contact sheet of an export, with its boxes, masks and keypoints, to check it by eye; merge-manifests \
            combines the parts of an export split with --shard I/N.

            Credentials as cvat-cli: --auth USER[:PASS] (password from PASS or a prompt), CVAT_ACCESS_TOKEN \
            (a Personal Access Token), or --profile NAME.

            \(ExitCodes.helpText)
            """,
        version: version,
        subcommands: [Sync.self, Export.self, Info.self, Preview.self, MergeManifests.self])

    public init() {}
}

/// Runs a command body and turns its errors into a message and an exit code; SIGINT and SIGTERM cancel it
/// (`Interruption`) and exit 130 or 143.
func runReportingErrors(_ console: Console, _ body: sending @escaping () async throws -> Void) async throws {
    do {
        if let signal = try await Interruption.run(body) {
            console.clearProgress()
            console.error("interrupted by \(Interruption.name(of: signal))")
            throw ExitCode(Interruption.exitCode(for: signal))
        }
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        console.clearProgress()
        let (code, message) = ErrorReport.classify(error)
        console.error(message)
        throw ExitCode(code)
    }
}
