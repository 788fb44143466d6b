import CvatCodecs
import CvatImage
import Foundation

/// Fuzzes the PNG path: the IHDR reader, libpng's simplified API through the C shim, and format sniffing.
nonisolated(unsafe) let decoder = try! ImageDecoder(limits: DecodeLimits(maxPixels: 1 << 16))
nonisolated(unsafe) var reused = RGBImage(width: 1, height: 1)

func fuzzOne(_ input: UnsafeRawBufferPointer) {
    // Most inputs should look like PNG to reach libpng; the corpus starts from real files.
    let bytes = Array(input)
    let info = try? decoder.png.readInfo(bytes)
    if let image = try? decoder.png.decode(bytes) {
        guard let info else { fatalError("decoded a PNG whose IHDR was refused") }
        precondition(image.width == info.width && image.height == info.height, "decoded size differs from IHDR")
        precondition(image.pixels.count == image.width * image.height * 3, "pixel buffer size is wrong")
    }
    // The format-sniffing entry point, into a reused image as the export workers call it.
    if ImageFormat.sniff(bytes) == .png { _ = try? decoder.decode(bytes, into: &reused) }
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
