import CvatAPI
import CvatCache
import CvatGeometry
import Foundation
import Testing

@testable import CvatExport

@Suite struct ExportPlannerTests {
    static func frames(_ sizes: [(Int, Int)]) -> [TestCache.Frame] {
        sizes.enumerated().map { TestCache.Frame(name: "f\($0.offset).jpg", width: $0.element.0, height: $0.element.1) }
    }

    static func plan(_ cache: TestCache, tasks: [Int], options: ExportOptions = ExportOptions()) throws -> ExportPlan {
        let source = try ExportSource.tasks(tasks, layout: cache.layout)
        return try ExportPlanner(source: source, options: options).plan()
    }

    @Test func samplesFollowTaskIDsThenFrameOrderWithoutDeletedFrames() throws {
        let cache = try TestCache()
        try cache.addTask(id: 2, frames: Self.frames([(4, 3), (4, 3)]))
        try cache.addTask(id: 1, frames: Self.frames([(4, 3), (4, 3), (4, 3)]), deleted: [1])
        // Named out of order: the export still goes by task id, as cvat-sdk's dataset does.
        let plan = try Self.plan(cache, tasks: [2, 1])
        #expect(plan.samples.map(\.index) == [0, 1, 2, 3])
        #expect(plan.samples.map { [$0.taskIndex, $0.frame] } == [[0, 0], [0, 2], [1, 0], [1, 1]])
        #expect(plan.samples.map(\.name) == ["f0.jpg", "f2.jpg", "f0.jpg", "f1.jpg"])
        // Chunks of 2: frame 2 of task 1 is the first member of chunk 1.
        let task1 = try CachedTask.load(id: 1, layout: cache.layout)
        #expect(
            task1.frameLocation(plan.samples[1].frame) == .chunkMember(path: cache.layout.chunk(1, 1).path, member: 0))
        #expect(plan.samples.allSatisfy { $0.jobID == nil && $0.sourceFrame == nil })
        #expect(plan.annotations.count == 2)
    }

    @Test func aJobFilterKeepsTheFramesOfMatchingJobsAndNamesTheJob() throws {
        let cache = try TestCache()
        let jobs: [[String: Any]] = [
            ["id": 11, "task_id": 1, "start_frame": 0, "stop_frame": 1, "stage": "annotation", "state": "new"],
            ["id": 12, "task_id": 1, "start_frame": 2, "stop_frame": 3, "stage": "acceptance", "state": "completed"],
        ]
        try cache.addTask(id: 1, frames: Self.frames(Array(repeating: (4, 3), count: 4)), jobs: jobs)
        var options = ExportOptions()
        options.jobFilter = JobFilter(states: [.completed])
        let plan = try Self.plan(cache, tasks: [1], options: options)
        #expect(plan.samples.map(\.frame) == [2, 3])
        #expect(plan.samples.map(\.jobID) == [12, 12])
        #expect(plan.samples.map(\.index) == [0, 1])
    }

    @Test func classIndicesFollowLabelIDsAndTheOffset() throws {
        let cache = try TestCache()
        try cache.addTask(id: 1, frames: Self.frames([(4, 3)]), labels: [(7, "dog"), (3, "cat")])
        let plain = try Self.plan(cache, tasks: [1])
        #expect(plain.labelMap.index(ofLabelID: 3) == 0)
        #expect(plain.labelMap.index(ofLabelID: 7) == 1)
        #expect(plain.labelMap.namesByIndexFlat == ["cat", "dog"])

        var options = ExportOptions()
        options.labelOffset = 1
        let offset = try Self.plan(cache, tasks: [1], options: options)
        #expect(offset.labelMap.index(ofLabelID: 3) == 1)
        #expect(offset.labelMap.index(ofLabelID: 7) == 2)

        options = ExportOptions()
        options.labelMap = ["dog": 0, "cat": 2]
        let mapped = try Self.plan(cache, tasks: [1], options: options)
        #expect(mapped.labelMap.index(ofLabelID: 7) == 0)
        #expect(mapped.labelMap.index(ofLabelID: 3) == 2)
    }

    @Test func aLabelMapMissingALabelIsAUsageError() throws {
        let cache = try TestCache()
        try cache.addTask(id: 1, frames: Self.frames([(4, 3)]), labels: [(7, "dog"), (3, "cat")])
        var options = ExportOptions()
        options.labelMap = ["dog": 0]
        let error = #expect(throws: ExportError.self) { try Self.plan(cache, tasks: [1], options: options) }
        #expect(error?.kind == .usage)
        #expect(error?.message.contains("\"cat\"") == true)
    }

    @Test func twoLabelsWithOneIDAreADataError() throws {
        let cache = try TestCache()
        try cache.addTask(id: 1, frames: Self.frames([(4, 3)]))
        let task = try CachedTask.load(id: 1, layout: cache.layout)
        let source = ExportSource(
            server: "http://127.0.0.1:8080", tasks: [task],
            labels: [LabelModel(id: 3, name: "cat"), LabelModel(id: 3, name: "kitten")], project: nil)
        let error = #expect(throws: ExportError.self) {
            try ExportPlanner(source: source, options: ExportOptions()).plan()
        }
        #expect(error?.kind == .data)
    }

    @Test func oneOutputSizeForEveryFrameMakesFixedSizeArrays() throws {
        let cache = try TestCache()
        try cache.addTask(id: 1, frames: Self.frames([(4, 3), (4, 3)]))
        try cache.addTask(id: 2, frames: Self.frames([(4, 3)]))
        let plan = try Self.plan(cache, tasks: [1, 2])
        #expect(plan.fixedSize == PixelSize(width: 4, height: 3))
    }

    @Test func framesOfDifferentSizesMakeRaggedArraysUnlessResized() throws {
        let cache = try TestCache()
        try cache.addTask(id: 1, frames: Self.frames([(4, 3), (6, 5)]))
        let ragged = try Self.plan(cache, tasks: [1])
        #expect(ragged.fixedSize == nil)
        #expect(
            ragged.samples.map(\.plan.sourceSize) == [PixelSize(width: 4, height: 3), PixelSize(width: 6, height: 5)])

        var options = ExportOptions()
        options.resize = .resize(width: 8, height: 2)
        let resized = try Self.plan(cache, tasks: [1], options: options)
        #expect(resized.fixedSize == PixelSize(width: 8, height: 2))
    }

    @Test func noSampleAtAllHasNoFixedSize() throws {
        let cache = try TestCache()
        try cache.addTask(id: 1, frames: Self.frames([(4, 3)]), deleted: [0])
        let plan = try Self.plan(cache, tasks: [1])
        #expect(plan.samples.isEmpty)
        #expect(plan.fixedSize == nil)
    }

    @Test func aFrameWithoutASizeInTheFrameListIsADataError() throws {
        let cache = try TestCache()
        try cache.addTask(id: 1, frames: Self.frames([(4, 3), (0, 3)]))
        let error = #expect(throws: ExportError.self) { try Self.plan(cache, tasks: [1]) }
        #expect(error?.kind == .data)
        #expect(error?.message.contains("task 1, frame 1 (f1.jpg)") == true)
    }
}
