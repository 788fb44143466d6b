import CvatArchive
import Foundation

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

/// Replays the inputs named on the command line; with `-D FUZZING` (`make fuzz`, built with
/// `-sanitize=fuzzer,address`) hands the command line to libFuzzer instead. One `@main` serves both because
/// SwiftPM links an executable target's entry point as `main` itself, so libFuzzer's own `main` cannot be used.
@main
enum Entry {
    static func main() {
        #if FUZZING
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(
                LLVMFuzzerRunDriver(&argc, &argv) { data, size in
                    fuzzOne(UnsafeRawBufferPointer(start: data, count: size))
                    return 0
                })
        #else
            // A crash the fuzzer found reproduces in any build: `.build/debug/TARGET Fixtures/fuzz/TARGET/crash-...`.
            for path in CommandLine.arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    print("cannot read \(path)")
                    exit(2)
                }
                data.withUnsafeBytes { fuzzOne($0) }
            }
            print("replayed \(CommandLine.arguments.count - 1) input(s)")
        #endif
    }
}

#if FUZZING
    /// libFuzzer's driver (compiler-rt `FuzzerDriver.cpp`), available since LLVM 11.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#endif
