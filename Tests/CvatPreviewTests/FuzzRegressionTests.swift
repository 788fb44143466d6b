import CvatPreview
import CvatTensors
import CvatTestSupport
import Foundation
import Testing

/// What fuzz-manifest found in the export reader (its seed `hostile-shapes.json` trapped before the fix).
@Suite("fuzz regressions: export reader")
struct ReaderFuzzRegressionTests {
    @Test("image_shapes whose product overflows Int are malformed, not a trap")
    func imageShapeProductOverflows() throws {
        let dir = try TestPaths.makeTemporaryDirectory("cvat-preview-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pixels = (0..<72).map { Double($0) }
        // 2^62 x 4 x 3 overflows in the first multiplication; both values are exact as doubles.
        try ExportReaderTests.write(
            [
                ("images", .uint8, [], pixels),
                ("image_offsets", .int64, [], [0, 36, 72]),
                ("image_shapes", .int64, [3], [4_611_686_018_427_387_904, 4, 3, 3, 4, 3]),
            ], transform: ExportReaderTests.transform(target: "none"), to: dir)
        let error = try #require(throws: PreviewError.self) { try ExportReader(path: dir.path) }
        #expect(error.kind == .malformed, "\(error)")
        #expect(error.description.contains("image 0 has shape"), "\(error)")
    }
}
