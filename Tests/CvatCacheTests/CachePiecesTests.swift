import CvatAPI
import CvatTestSupport
import Foundation
import Testing

@testable import CvatCache

@Suite("cache pieces")
struct CachePiecesTests {
    @Test("needed chunks: a chunk whose frames are all deleted is not needed")
    func neededChunks() throws {
        let task = TaskModel(id: 1, name: "t", updatedDate: "2025-01-01T00:00:00Z", size: 17, chunkSize: 8)
        func meta(deleted: [Int]) throws -> DataMeta {
            let json = #"{"size": 17, "chunk_size": 8, "deleted_frames": \#(deleted)}"#
            return try JSONDecoder().decode(DataMeta.self, from: Data(json.utf8))
        }
        #expect(CachedTask.neededChunks(meta: try meta(deleted: [3, 16]), task: task) == [0, 1])
        let none = try meta(deleted: Array(0..<17))
        #expect(CachedTask.neededChunks(meta: none, task: task).isEmpty)
    }

    @Test("atomic writes replace a file whole and leave no temporary behind")
    func atomicWrite() throws {
        let folder = try TestPaths.makeTemporaryDirectory("atomic")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("sub/x.json")
        try FileIO.writeAtomically(Array("one".utf8), to: file)
        try FileIO.writeAtomically(Array("two".utf8), to: file)
        #expect(try String(contentsOf: file, encoding: .utf8) == "two")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path) == ["x.json"])
    }

    @Test("a task.json composed from server JSON reads back, with cvat-sdk's keys")
    func compose() throws {
        let model = Array(
            #"{"id": 3, "name": "n", "updated_date": "2025-01-01T00:00:00Z", "url": "http://x/api/tasks/3"}"#.utf8)
        let labels = Array(#"[{"id": 1, "name": "cat", "type": "any"}]"#.utf8)
        let bytes = try CacheJSON.compose(model: model, labels: labels)
        let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        #expect(Set(object?.keys.map { $0 } ?? []) == ["model", "labels"])
        #expect(bytes.last == 0x0A)
        let folder = try TestPaths.makeTemporaryDirectory("compose")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileIO.writeAtomically(bytes, to: folder.appendingPathComponent("task.json"))
        let file = try CacheJSON.readTaskFile(folder.appendingPathComponent("task.json"), task: 3)
        #expect(file.model.id == 3 && file.labels.map(\.name) == ["cat"])
    }

    @Test("a second lock on the same task waits until the first is released")
    func lock() async throws {
        let folder = try TestPaths.makeTemporaryDirectory("lock")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(".cvat-ds.lock")
        var first: TaskLock? = try await TaskLock.acquire(url)
        await #expect(throws: CacheError.self) { _ = try await TaskLock.acquire(url, waitingFor: 0.3) }
        first = nil
        _ = first
        _ = try await TaskLock.acquire(url, waitingFor: 1)
    }
}
