import CvatCodecs
import CvatTestSupport
import Foundation
import Testing

/// Inputs the fuzz targets (Sources/Fuzz*) crashed on, kept as tests so the fixes stay fixed. The same files are
/// in Fixtures/fuzz/<target>/ and are replayed by every fuzzing run.
@Suite("fuzz regressions")
struct FuzzRegressionTests {
    static func corpus(_ target: String) throws -> [URL] {
        let folder = TestPaths.fixtures.appendingPathComponent("fuzz/\(target)")
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix("crash-") }
    }

    @Test("a PNG header whose width x height overflows Int is refused as too large, not a trap")
    func pngSizeOverflow() throws {
        // IHDR 4294967295 x 4278190082 (fuzz-png crash-5f6d5929...): the old error message multiplied them.
        let bytes = try #require(
            Data(
                base64Encoded:
                    "iVBORw0KGgoAAAANSUhEUv//////AAACBwAAAAUBAAAAAKHhy3UAAAASSWOyY2JjeA4AAu4BTdWz0vQAAAAASUVORK5CYII="))
        let decoder = try ImageDecoder()
        let error = #expect(throws: CodecError.self) { _ = try decoder.decode(bytes) }
        #expect(error?.kind == .tooManyPixels)
        #expect(error?.detail.contains("more than") == true)
    }

    @Test("every saved PNG and JPEG crash input decodes or fails with a CodecError")
    func savedCrashes() throws {
        let decoder = try ImageDecoder()
        let inputs = try Self.corpus("fuzz-png") + Self.corpus("fuzz-jpeg")
        #expect(!inputs.isEmpty)
        for url in inputs {
            let bytes = try Data(contentsOf: url)
            do {
                _ = try decoder.decode(bytes)
            } catch {
                // A typed CodecError is the contract; reaching here at all means no trap.
                #expect(!error.detail.isEmpty, "\(url.lastPathComponent)")
            }
        }
    }
}
