import CvatTestSupport
import Foundation
import Testing

@testable import CvatDSCommands

/// `--shard auto`: the slice read from a Slurm array task's or a Kubernetes Indexed Job's variables, as the
/// schedulers set them (Slurm 22.05 sets ID, MIN, MAX, COUNT and STEP for every array task).
@Suite("--shard auto")
struct SchedulerSliceTests {
    /// The variables Slurm sets for task `id` of `--array=min-max:step`.
    static func slurm(id: Int, min: Int, max: Int, step: Int = 1) -> [String: String] {
        [
            "SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_MIN": "\(min)", "SLURM_ARRAY_TASK_MAX": "\(max)",
            "SLURM_ARRAY_TASK_COUNT": "\((max - min) / step + 1)", "SLURM_ARRAY_TASK_STEP": "\(step)",
            "SLURM_JOB_ID": "12", "PATH": "/usr/bin",
        ]
    }

    func message(_ text: String, _ environment: [String: String]) -> String {
        do {
            let slice = try SchedulerSlice.resolve(text, environment: environment)
            return "resolved to \(slice.index)/\(slice.count)"
        } catch {
            // ValidationError's description is its message, as ArgumentParser prints it.
            return String(describing: error)
        }
    }

    @Test(
        "a Slurm array's tasks are the slices 0..<N, whatever the first id and the step",
        arguments: [(0, 3, 1), (1, 4, 1), (0, 9, 3), (5, 13, 4)])
    func slurmArrays(min: Int, max: Int, step: Int) throws {
        let ids = Array(stride(from: min, through: max, by: step))
        let slices = try ids.map {
            try SchedulerSlice.resolve("auto", environment: Self.slurm(id: $0, min: min, max: max, step: step))
        }
        #expect(slices.map(\.index) == Array(0..<ids.count))
        #expect(slices.allSatisfy { $0.count == ids.count })
    }

    @Test("the manifest gets the SLURM_ARRAY_TASK_* variables read, and no other")
    func slurmVariablesRecorded() throws {
        let slice = try SchedulerSlice.resolve("auto", environment: Self.slurm(id: 6, min: 0, max: 9, step: 3))
        #expect(
            slice
                == SchedulerSlice(
                    index: 2, count: 4,
                    variables: [
                        "SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "9",
                        "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_STEP": "3",
                    ]))
    }

    @Test("COUNT alone, MAX alone and no STEP (a step of 1) give the same slices")
    func countOrMax() throws {
        var countOnly = Self.slurm(id: 3, min: 1, max: 4)
        countOnly["SLURM_ARRAY_TASK_MAX"] = nil
        countOnly["SLURM_ARRAY_TASK_STEP"] = nil
        var maxOnly = Self.slurm(id: 3, min: 1, max: 4)
        maxOnly["SLURM_ARRAY_TASK_COUNT"] = ""
        for environment in [countOnly, maxOnly] {
            let slice = try SchedulerSlice.resolve("auto", environment: environment)
            #expect((slice.index, slice.count) == (2, 4))
        }
        #expect(
            try SchedulerSlice.resolve("auto", environment: countOnly).variables.keys.sorted()
                == ["SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN"])
    }

    @Test("an id off the array's grid, past its end, or in an array given as a list is refused")
    func slurmRefusals() {
        let offGrid = message("auto", Self.slurm(id: 4, min: 0, max: 9, step: 3))
        #expect(offGrid.contains("SLURM_ARRAY_TASK_ID=4 is not on the array's grid 0, 3, ..."), "\(offGrid)")
        let below = message("auto", Self.slurm(id: 0, min: 1, max: 4))
        #expect(below.contains("not on the array's grid"), "\(below)")
        var past = Self.slurm(id: 7, min: 0, max: 3)
        past["SLURM_ARRAY_TASK_MAX"] = nil
        #expect(message("auto", past).contains("past the array's 4 tasks"), "\(message("auto", past))")
        // --array=0,1,5: Slurm reports MIN 0, MAX 5, COUNT 3.
        var list = Self.slurm(id: 5, min: 0, max: 5)
        list["SLURM_ARRAY_TASK_COUNT"] = "3"
        #expect(message("auto", list).contains("not one range A-B[:S]"), "\(message("auto", list))")
        var noMin = Self.slurm(id: 2, min: 0, max: 3)
        noMin["SLURM_ARRAY_TASK_MIN"] = nil
        #expect(message("auto", noMin).contains("SLURM_ARRAY_TASK_MIN is not"), "\(message("auto", noMin))")
        var noCount = Self.slurm(id: 2, min: 0, max: 3)
        noCount["SLURM_ARRAY_TASK_MAX"] = nil
        noCount["SLURM_ARRAY_TASK_COUNT"] = nil
        #expect(message("auto", noCount).contains("neither SLURM_ARRAY_TASK_COUNT nor"), "\(message("auto", noCount))")
        var notNumber = Self.slurm(id: 2, min: 0, max: 3)
        notNumber["SLURM_ARRAY_TASK_STEP"] = "x"
        #expect(
            message("auto", notNumber) == "--shard auto: SLURM_ARRAY_TASK_STEP=x is not an integer from 0 to 2147483647"
        )
        var huge = Self.slurm(id: 2, min: 0, max: 3)
        huge["SLURM_ARRAY_TASK_MAX"] = "\(Int.max)"
        #expect(message("auto", huge).contains("SLURM_ARRAY_TASK_MAX=\(Int.max) is not an integer from 0"))
        var negative = Self.slurm(id: 2, min: 0, max: 3)
        negative["SLURM_ARRAY_TASK_MIN"] = "-1"
        #expect(message("auto", negative).contains("SLURM_ARRAY_TASK_MIN=-1 is not an integer from 0"))
        #expect(message("auto/8", Self.slurm(id: 1, min: 0, max: 3)).contains("has 4 tasks, not 8"))
        #expect(message("auto/4", Self.slurm(id: 1, min: 0, max: 3)) == "resolved to 1/4")
    }

    @Test("a Kubernetes Indexed Job: the index from JOB_COMPLETION_INDEX, the count from auto/N")
    func kubernetes() throws {
        let slice = try SchedulerSlice.resolve("auto/5", environment: ["JOB_COMPLETION_INDEX": "4", "HOSTNAME": "p-4"])
        #expect(slice == SchedulerSlice(index: 4, count: 5, variables: ["JOB_COMPLETION_INDEX": "4"]))
        let withoutN = message("auto", ["JOB_COMPLETION_INDEX": "2"])
        #expect(withoutN.contains("give --shard auto/N with N = spec.completions"), "\(withoutN)")
        #expect(message("auto/4", ["JOB_COMPLETION_INDEX": "4"]).contains("is not below 4"))
        #expect(message("auto/0", ["JOB_COMPLETION_INDEX": "0"]).contains("N >= 1"))
        #expect(message("auto/x", ["JOB_COMPLETION_INDEX": "0"]).contains("N >= 1"))
    }

    @Test("Slurm wins when both are set (Slurm running in Kubernetes pods)")
    func slurmWins() throws {
        var both = Self.slurm(id: 2, min: 1, max: 4)
        both["JOB_COMPLETION_INDEX"] = "0"
        let slice = try SchedulerSlice.resolve("auto", environment: both)
        #expect((slice.index, slice.count) == (1, 4))
        #expect(slice.variables["JOB_COMPLETION_INDEX"] == nil)
    }

    @Test("no scheduler: a usage error that names every variable looked for", arguments: ["auto", "auto/4"])
    func noneSet(text: String) {
        let text = message(text, ["PATH": "/usr/bin", "SLURM_ARRAY_TASK_ID": "", "SLURM_JOB_ID": "3"])
        for variable in [
            "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_COUNT",
            "SLURM_ARRAY_TASK_STEP", "JOB_COMPLETION_INDEX",
        ] {
            #expect(text.contains(variable), "\(variable) in \(text)")
        }
        #expect(text.contains("--shard I/N"))
    }

    @Test("export parses --shard auto into the slice spec, variables included; I/N stays as it was")
    func exportParsing() throws {
        let auto = try Export.slice("auto", environment: Self.slurm(id: 4, min: 1, max: 4))
        #expect(auto.index == 3 && auto.count == 4)
        #expect(auto.scheduler?["SLURM_ARRAY_TASK_ID"] == "4")
        let fixed = try Export.slice("2/4", environment: Self.slurm(id: 4, min: 1, max: 4))
        #expect(fixed.index == 2 && fixed.count == 4 && fixed.scheduler == nil)
        #expect(throws: (any Error).self) { try Export.slice("auto", environment: [:]) }
    }
}

/// docs/cluster.md shows the job script make test-slurm submits, so the documented script is the tested one.
@Suite("docs/cluster.md")
struct ClusterDocTests {
    @Test("the Slurm script in docs/cluster.md is Fixtures/slurm/cvat-ds-export.sbatch, unchanged")
    func slurmScriptVerbatim() throws {
        let script = try String(
            contentsOf: TestPaths.fixtures.appendingPathComponent("slurm/cvat-ds-export.sbatch"), encoding: .utf8)
        let doc = try String(
            contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/cluster.md"), encoding: .utf8)
        #expect(script.contains("--shard auto"))
        #expect(
            doc.contains("```sh\n" + script + "```\n"), "docs/cluster.md must show the script between ```sh and ```")
    }
}

/// `--shard auto` end to end: the built cvat-ds under a fake array task's environment, its manifest, and
/// merge-manifests over parts that carry the scheduler record.
@Suite("--shard auto export", .serialized)
struct SchedulerSliceExportTests {
    let server: TestServer
    let home: URL
    var cache: String { home.appendingPathComponent("cache").path }

    init() throws {
        server = try TestServer()
        home = try TestPaths.makeTemporaryDirectory("cvat-ds-auto")
    }

    func path(_ out: String) -> String { home.appendingPathComponent(out).path }

    func export(_ arguments: [String], out: String, environment: [String: String]) throws -> CLI.Result {
        try CLI.run(
            ["export", "--server-host", server.url, "--cache-dir", cache, "--out", path(out), "--task", "1"]
                + arguments,
            environment: environment.merging(["CVAT_ACCESS_TOKEN": TestServer.adminToken]) { own, _ in own },
            home: home)
    }

    func manifest(_ out: String) throws -> [String: Any] {
        let data = try Data(contentsOf: home.appendingPathComponent(out).appendingPathComponent("manifest.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    @Test("an array 1-2 and an Indexed Job of 2: the manifests record the variables; merge-manifests takes them")
    func arrayTasksMerged() throws {
        let whole = try export([], out: "whole", environment: [:])
        #expect(whole.status == 0, "\(whole.stderr)")
        for id in 1...2 {
            let part = try export(
                ["--offline", "--shard", "auto"], out: "slurm/part-\(id)",
                environment: SchedulerSliceTests.slurm(id: id, min: 1, max: 2))
            #expect(part.status == 0, "\(part.stderr)")
            let slice = try manifest("slurm/part-\(id)")["slice"] as? [String: Any]
            #expect(slice?["index"] as? Int == id - 1)
            #expect(slice?["count"] as? Int == 2)
            let scheduler = slice?["scheduler"] as? [String: String]
            #expect(scheduler?["SLURM_ARRAY_TASK_ID"] == "\(id)")
            #expect(scheduler?["SLURM_ARRAY_TASK_MIN"] == "1")
            #expect(scheduler?.count == 5)
        }
        for index in 0..<2 {
            let part = try export(
                ["--offline", "--shard", "auto/2"], out: "k8s/part-\(index)",
                environment: ["JOB_COMPLETION_INDEX": "\(index)"])
            #expect(part.status == 0, "\(part.stderr)")
            let slice = try manifest("k8s/part-\(index)")["slice"] as? [String: Any]
            #expect(slice?["scheduler"] as? [String: String] == ["JOB_COMPLETION_INDEX": "\(index)"])
        }
        let fixed = try export(["--offline", "--shard", "0/2"], out: "fixed", environment: [:])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect((try manifest("fixed")["slice"] as? [String: Any])?.keys.contains("scheduler") == false)
        for run in ["slurm", "k8s"] {
            let parts = try FileManager.default.contentsOfDirectory(atPath: path(run)).sorted().map {
                path(run + "/" + $0)
            }
            let merged = try CLI.run(["merge-manifests", path(run)] + parts, home: home)
            #expect(merged.status == 0, "\(merged.stderr)")
            let result = try PythonScript.run("export/compare_exports.py", [path("whole"), path(run)])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            #expect(try manifest(run)["slice"] == nil)
        }
    }

    @Test("--shard auto outside a scheduler: exit 64, naming the variables looked for")
    func noScheduler() throws {
        let result = try export(["--offline", "--shard", "auto"], out: "none", environment: [:])
        #expect(result.status == 64)
        #expect(result.stderr.contains("SLURM_ARRAY_TASK_ID"), "\(result.stderr)")
        #expect(result.stderr.contains("JOB_COMPLETION_INDEX"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("none")))
    }
}
