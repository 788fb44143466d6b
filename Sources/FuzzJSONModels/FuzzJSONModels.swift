import CvatAPI
import Foundation

/// Fuzzes the REST models as the client decodes them (JSONDecoder over the server's bytes), and the one-line
/// description of a decoding error that users see.
func decode<T: Decodable & Encodable>(_ type: T.Type, _ data: Data) {
    do {
        let value = try JSONDecoder().decode(type, from: data)
        // What was decoded must encode and decode to the same thing (the cache re-reads what was written).
        let again = try JSONEncoder().encode(value)
        _ = try JSONDecoder().decode(type, from: again)
    } catch let error as DecodingError {
        _ = DecodingErrorText.describe(error)
    } catch {
        fatalError("re-encoding a decoded \(type) failed: \(error)")
    }
}

func fuzzOne(_ input: UnsafeRawBufferPointer) {
    let data = Data(input)
    decode(TaskModel.self, data)
    decode(ProjectModel.self, data)
    decode([LabelModel].self, data)
    decode(DataMeta.self, data)
    decode(Annotations.self, data)
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
