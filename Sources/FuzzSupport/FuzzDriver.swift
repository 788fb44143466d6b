import Foundation

/// The one entry point every fuzz target shares.
///
/// In a normal build it replays the inputs named on the command line (so a crash the fuzzer found reproduces in
/// any build: `.build/debug/TARGET Fixtures/fuzz/TARGET/crash-...`). Built with `-D FUZZING` (`make fuzz`, with
/// ASan and libFuzzer's coverage flags) it hands the command line to libFuzzer instead. A target's own `@main`
/// calls this because SwiftPM links an executable target's entry point as `main`, so libFuzzer's `main` cannot be
/// used.
public enum FuzzDriver {
    /// The body under test; libFuzzer's callback is a C function pointer and cannot capture it.
    nonisolated(unsafe) private static var body: ((UnsafeRawBufferPointer) -> Void)?

    public static func run(_ fuzzOne: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
        #if FUZZING
            body = fuzzOne
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(
                LLVMFuzzerRunDriver(&argc, &argv) { data, size in
                    FuzzDriver.body?(UnsafeRawBufferPointer(start: data, count: size))
                    return 0
                })
        #else
            for path in CommandLine.arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    print("cannot read \(path)")
                    exit(2)
                }
                data.withUnsafeBytes { fuzzOne($0) }
            }
            print("replayed \(CommandLine.arguments.count - 1) input(s)")
            exit(0)
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
