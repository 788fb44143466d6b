import CvatArchive
import Foundation
import FuzzSupport

/// Fuzzes the chunk reader: the hand-written central-directory parser, member slicing and ZIPFoundation's
/// full validation. The input is read from memory (`ChunkArchive(data:name:)`, ZIPFoundation's in-memory
/// archive): the same parser and checks as a mapped file, without writing and mapping a file per input, which
/// was most of an execution's time.
func fuzzOne(_ input: UnsafeRawBufferPointer) {
    let bytes = Data(input)
    guard let archive = try? ChunkArchive(data: bytes, name: "input.zip") else { return }
    var total = 0
    for index in 0..<archive.count {
        guard let name = try? archive.name(at: index) else {
            fatalError("member \(index) of \(archive.count) has no name")
        }
        precondition(!name.isEmpty && !name.hasPrefix("/") && !name.contains(".."), "unsafe name \(name) accepted")
        if let data = try? archive.member(at: index) {
            total += data.count
            precondition(total <= input.count * 1100 + 1 << 20, "members inflate far beyond the input")
        }
    }
    precondition((try? archive.member(at: archive.count)) == nil, "an index past the end was accepted")
    _ = try? archive.validate()
}

@main
enum Entry {
    static func main() { FuzzDriver.run(fuzzOne) }
}
