import CvatArchive
import Foundation
import FuzzSupport

/// Fuzzes the chunk reader: the hand-written central-directory parser, member slicing and ZIPFoundation's
/// full validation. The reader maps a file, so each input is written to one scratch file first.
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-chunk-zip-\(getpid()).zip").path

func fuzzOne(_ input: UnsafeRawBufferPointer) {
    guard FileManager.default.createFile(atPath: scratch, contents: Data(input)) else { fatalError("cannot write \(scratch)") }
    defer { unlink(scratch) }
    guard let archive = try? ChunkArchive(path: scratch) else { return }
    var total = 0
    for index in 0..<archive.count {
        guard let name = try? archive.name(at: index) else { fatalError("member \(index) of \(archive.count) has no name") }
        precondition(!name.isEmpty && !name.hasPrefix("/") && !name.contains(".."), "unsafe name \(name) accepted")
        if let data = try? archive.member(at: index) {
            total += data.count
            precondition(total <= input.count * 1100 + 1 << 20, "members inflate far beyond the input")
        }
    }
    precondition((try? archive.member(at: archive.count)) == nil, "an index past the end was accepted")
    _ = try? ChunkArchive.validate(path: scratch)
}

@main
enum Entry {
    static func main() { FuzzDriver.run(fuzzOne) }
}
