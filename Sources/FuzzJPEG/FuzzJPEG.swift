import CvatCodecs
import CvatImage
import Foundation

/// Fuzzes the JPEG path a chunk member takes: header, full decode, and DCT-scaled decode into a reused image.
/// The pixel limit is lowered so the fuzzer spends its time in the parser, not in allocating huge images.
nonisolated(unsafe) let decoder = try! JPEGDecoder(limits: DecodeLimits(maxPixels: 1 << 16))
nonisolated(unsafe) var reused = RGBImage(width: 1, height: 1)

func fuzzOne(_ input: UnsafeRawBufferPointer) {
    let bytes = Array(input)
    guard let info = try? decoder.readInfo(bytes) else {
        // A header TurboJPEG refuses must be refused by the decoder too.
        if (try? decoder.decode(bytes)) != nil { fatalError("decoded a JPEG whose header was refused") }
        return
    }
    if let image = try? decoder.decode(bytes) {
        precondition(image.width == info.width && image.height == info.height, "decoded size differs from header")
    }
    let minimum = Int(bytes.last ?? 0) % 64 + 1
    for scaling in DCTScaling.allCases {
        _ = try? decoder.decode(bytes, minimumWidth: minimum, minimumHeight: minimum, scaling: scaling, into: &reused)
    }
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
