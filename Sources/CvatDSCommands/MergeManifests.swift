import ArgumentParser
import CvatExport
import Foundation

/// `cvat-ds merge-manifests`: one manifest over the slices that `export --shard I/N` wrote.
struct MergeManifests: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-manifests",
        abstract: "Combine the manifests of the parts of an export split with --shard I/N into one.",
        discussion: """
            Checks that the parts are slices of the same export (same server, tasks and their updated_date, \
            labels and transform, same N) and that together they hold every slice exactly once, then writes \
            OUT_DIR/manifest.json. The parts' files are not moved: the merged manifest lists them as shards, by \
            paths relative to OUT_DIR, so keep the part folders where they are relative to it (OUT_DIR may be \
            their parent).

            Example:
              cvat-ds merge-manifests run/ run/part-0 run/part-1 run/part-2

            \(ExitCodes.helpText)
            """)

    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("Where to write manifest.json (created if missing).", valueName: "OUT_DIR"))
    var outDir: String

    @Argument(help: ArgumentHelp("The parts' export folders, in any order.", valueName: "PART_DIR"))
    var parts: [String]

    @Flag(help: "Replace OUT_DIR/manifest.json if it exists.")
    var force = false

    func validate() throws {
        if parts.isEmpty { throw ValidationError("name the part folders after OUT_DIR") }
    }

    func run() async throws {
        let console = output.makeConsole()
        try await runReportingErrors(console) {
            let report = try ManifestMerge.merge(
                parts: parts.map { URL(fileURLWithPath: $0) }, into: URL(fileURLWithPath: outDir), force: force)
            console.info(
                "merged \(report.parts) part(s) into \(report.manifest): \(report.samples) sample(s) in "
                    + "\(report.shards) shard(s)")
            if output.json { console.emitJSON(report) }
        }
    }
}
