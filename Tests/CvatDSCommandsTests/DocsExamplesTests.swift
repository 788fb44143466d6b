import CvatTestSupport
import Foundation
import Testing

/// The examples in docs/ run against a real export.
@Suite("docs examples")
struct DocsExamplesTests {
    @Test("the NumPy examples of docs/output-format.md load a real export")
    func outputFormatExamples() throws {
        let server = try TestServer()
        let home = try TestPaths.makeTemporaryDirectory("cvat-ds-docs")
        defer { try? FileManager.default.removeItem(at: home) }
        for (folder, extra) in [
            ("flowers", ["--transform", "label", "--resize", "64x64"]), ("raw", []),
            ("sharded", ["--transform", "label", "--resize", "64x64", "--shard-size", "4"]),
            ("wds", ["--transform", "label", "--resize", "64x64", "--format", "webdataset", "--shard-size", "4"]),
        ] {
            let result = try CLI.run(
                [
                    "export", "--server-host", server.url, "--cache-dir", home.appendingPathComponent("cache").path,
                    "--task", "1", "--out", home.appendingPathComponent(folder).path,
                ] + extra,
                environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let doc = TestPaths.packageRoot.appendingPathComponent("docs/output-format.md").path
        let run = try PythonScript.run("export/run_doc_examples.py", [doc, home.path])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        // The examples print what they load; the script's own summary is the last line.
        let summary = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let report = try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any]
        #expect(
            report?["ran"] as? Int == 4,
            "the shard loader, the webdataset reader, the NumPy loading example and the ragged example")
        #expect(run.stdout.contains("(15, 64, 64, 3) uint8"), "\(run.stdout)")
        #expect(run.stdout.contains("3 (3, 64, 64, 3)"), "the last of 4 shards of 15 samples: \(run.stdout)")
        #expect(run.stdout.contains("4 shards, 15 samples, last key 000000014"), "\(run.stdout)")
    }

    @Test("the recipes of docs/recipes.md (an attribute head, a loop without occluded boxes) run on real exports")
    func recipes() throws {
        let server = try TestServer()
        let home = try TestPaths.makeTemporaryDirectory("cvat-ds-recipes")
        for (folder, arguments) in [
            (
                "roses",
                [
                    "--task", "1", "--task", "2", "--task", "3", "--transform", "label", "--attributes", "colour",
                    "--resize", "16x16",
                ]
            ),
            ("street", ["--task", "4", "--transform", "bboxes", "--resize", "64x64"]),
            (
                "encoded",
                [
                    "--task", "1", "--task", "4", "--transform", "bboxes", "--format", "webdataset", "--keep-encoded",
                    "--shard-bytes", "1G",
                ]
            ),
        ] {
            let result = try CLI.run(
                [
                    "export", "--server-host", server.url, "--cache-dir", home.appendingPathComponent("cache").path,
                    "--out", home.appendingPathComponent(folder).path,
                ] + arguments,
                environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let doc = TestPaths.packageRoot.appendingPathComponent("docs/recipes.md").path
        let run = try PythonScript.run("export/run_doc_examples.py", [doc, home.path])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let summary = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let report = try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any]
        #expect(report?["ran"] as? Int == 3, "the three recipes, none needing torch")
        // Roses with a colour: even frames of the rose tags (tasks 1-3). Task 4 has an occluded car (frame 0) and
        // an occluded single-point shape (frame 11), whose zero-area box a plain resize keeps.
        #expect(run.stdout.contains("6 of 37 images have a colour"), "\(run.stdout)")
        #expect(run.stdout.contains(" 2 occluded ones left out of every epoch"), "\(run.stdout)")
        // Task 1's frames are JPEGs, task 4's PNGs.
        #expect(run.stdout.contains("decoded 33 frames from ['jpg', 'png'] members"), "\(run.stdout)")
    }
}
