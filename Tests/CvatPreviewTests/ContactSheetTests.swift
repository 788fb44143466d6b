import CvatImage
import CvatPreview
import CvatTensors
import CvatTestSupport
import Foundation
import Testing

/// The renderer and the sample pick in-process, on the reader's small masks export.
@Suite struct ContactSheetTests {
    @Test("tiny images are enlarged by a whole factor, laid out in a grid, and boxes outlined in their colour")
    func rendersTheMasksExport() throws {
        let dir = try TestPaths.makeTemporaryDirectory("cvat-preview-sheet")
        defer { try? FileManager.default.removeItem(at: dir) }
        try ExportReaderTests.writeMasksExport(to: dir)
        let reader = try ExportReader(path: dir.path)
        let samples = try [0, 1].map { try reader.sample($0) }
        let sheet = try ContactSheet.render(
            samples, manifest: reader.manifest, columns: nil, maxSize: 320, title: "t",
            background: reader.backgroundIndex)
        // 4x3 images shown 32 times larger (128x96), two columns, one row: margins 8, gap 8, header 24, captions 22.
        #expect(sheet.columns == 2)
        #expect(sheet.image.width == 8 + 128 + 8 + 128 + 8 && sheet.image.height == 8 + 24 + 96 + 22 + 8)
        #expect(sheet.placements.map(\.x) == [8, 144] && sheet.placements.map(\.y) == [32, 32])
        #expect(sheet.placements.allSatisfy { $0.width == 128 && $0.height == 96 && $0.boxThickness == 1 })
        // Sample 1's box (1, 1)-(4, 3) is label 0 ("cat"): its left edge at x = 32 in the cell, halfway down.
        let cat = ContactSheet.color(classIndex: 0, labelOffset: 0)
        let edge = sheet.image[144 + 32, 32 + 64]
        #expect(edge == cat)
        let png = try sheet.png()
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    @Test("a seed picks the same samples on every run and platform; no seed takes the first")
    func seededPick() {
        #expect(SamplePick.indices(count: 4, of: 10, seed: nil) == [0, 1, 2, 3])
        let pick = SamplePick.indices(count: 6, of: 15, seed: 3)
        // Worked out independently (the same SplitMix64 and Fisher-Yates steps in Python).
        #expect(pick == [0, 1, 3, 4, 10, 14])
        #expect(SamplePick.indices(count: 15, of: 15, seed: 9) == Array(0..<15))
        #expect(SamplePick.indices(count: 6, of: 15, seed: 4) != pick)
    }
}
