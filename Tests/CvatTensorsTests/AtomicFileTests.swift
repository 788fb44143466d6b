import CvatTestSupport
import Foundation
import Testing

@testable import CvatTensors

@Suite("AtomicFile")
struct AtomicFileTests {
    let scratch: ScratchDirectory

    init() throws {
        scratch = try ScratchDirectory("atomic-file")
    }

    func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted()
    }

    @Test("writes the bytes whole, replaces an existing file and leaves no .partial behind")
    func writesAndReplaces() throws {
        let path = scratch.url.appendingPathComponent("sheet.png").path
        try AtomicFile.write(Array("first version".utf8), to: path)
        try AtomicFile.write([1, 2, 3], to: path)
        #expect(FileManager.default.contents(atPath: path) == Data([1, 2, 3]))
        #expect(try names() == ["sheet.png"])
        try AtomicFile.write([], to: path)
        #expect(FileManager.default.contents(atPath: path) == Data())
    }

    @Test("a folder that does not exist is an error naming the file, and nothing is written")
    func missingFolder() throws {
        let path = scratch.url.appendingPathComponent("no-such-folder/manifest.json").path
        let error = #expect(throws: (any Error).self) { try AtomicFile.write([1], to: path) }
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.contains(path + ".partial"), "\(message)")
        #expect(try names() == [])
    }
}
