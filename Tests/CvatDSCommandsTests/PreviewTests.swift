import CvatCodecs
import CvatImage
import CvatTensors
import CvatTestSupport
import Foundation
import Testing

/// `cvat-ds preview` end to end: a real export from the test server, drawn, decoded and checked pixel by pixel.
@Suite("preview", .serialized)
struct PreviewTests {
    let server: TestServer
    let scratch: ScratchDirectory
    var home: URL { scratch.url }

    /// The sheet layout (ContactSheet's constants): margin, gap, header, caption.
    static let margin = 8
    static let gap = 8
    static let header = 24
    static let caption = 22
    static let pad: UInt8 = 114

    init() throws {
        server = try TestServer()
        scratch = try ScratchDirectory("cvat-ds-preview")
    }

    func path(_ name: String) -> String { home.appendingPathComponent(name).path }

    func export(_ out: String, _ extra: [String] = []) throws {
        let result = try CLI.run(
            [
                "export", "--server-host", server.url, "--cache-dir", path("cache"), "--out", path(out), "--task", "1",
                "--transform", "bboxes", "--letterbox", "160x120", "--pad-value", "\(Self.pad)",
            ] + extra,
            environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
        #expect(result.status == 0, "\(result.stderr)")
    }

    func preview(_ arguments: [String]) throws -> CLI.Result {
        try CLI.run(["preview"] + arguments, home: home)
    }

    func decode(_ file: String) throws -> RGBImage {
        try PNGDecoder().decode(Data(contentsOf: URL(fileURLWithPath: file)))
    }

    func manifest(_ out: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(out) + "/manifest.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// The pixels a box covers, `[left, right) x [top, bottom)`: floor of the minimum, ceiling of the maximum.
    func rect(_ b: ArraySlice<Float>) -> (l: Int, t: Int, r: Int, b: Int) {
        let i = b.startIndex
        return (
            Int(b[i].rounded(.down)), Int(b[i + 1].rounded(.down)), Int(b[i + 2].rounded(.up)),
            Int(b[i + 3].rounded(.up))
        )
    }

    func outline(_ r: (l: Int, t: Int, r: Int, b: Int)) -> Set<[Int]> {
        var s = Set<[Int]>()
        for x in r.l..<r.r {
            s.insert([x, r.t])
            s.insert([x, r.b - 1])
        }
        for y in r.t..<r.b {
            s.insert([r.l, y])
            s.insert([r.r - 1, y])
        }
        return s
    }

    @Test("boxes are outlined in their label's colour on the letterboxed images; bars keep the pad value")
    func boxesOnLetterbox() throws {
        try export("lb")
        let sheetPath = path("sheet.png")
        let result = try preview([path("lb"), "--out", sheetPath, "--first", "--columns", "5", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let sheet = try decode(sheetPath)

        // 15 samples of 160x120 in 5 columns: 3 rows.
        let width = 2 * Self.margin + 5 * 160 + 4 * Self.gap
        let height = 2 * Self.margin + Self.header + 3 * (120 + Self.caption) + 2 * Self.gap
        #expect(sheet.width == width && sheet.height == height)
        #expect(json["width"] as? Int == width && json["height"] as? Int == height)

        let m = try manifest("lb")
        let names = (m["labels"] as? [String: Any])?["names"] as? [String] ?? []
        let samples = m["samples"] as? [[String: Any]] ?? []
        let colors = json["colors"] as? [String: [Int]] ?? [:]
        #expect(samples.count == 15 && names.count == 6 && colors.count == 6)

        let folder = path("lb")
        let boxes = try NPYReader(npyPath: folder + "/boxes.npy").float32(0..<36)
        let labels = try NPYReader(npyPath: folder + "/box_labels.npy").ints(0..<9)
        let offsets = try NPYReader(npyPath: folder + "/box_offsets.npy").ints(0..<16)
        let images = try NPYReader(npyPath: folder + "/images.npy")
        #expect(images.shape == [15, 120, 160, 3])

        var checkedEdges = 0
        var checkedBars = 0
        for i in 0..<15 {
            let x0 = Self.margin + (i % 5) * (160 + Self.gap)
            let y0 = Self.margin + Self.header + (i / 5) * (120 + Self.caption + Self.gap)
            let cells = json["samples"] as? [[String: Any]] ?? []
            #expect(cells[i]["x"] as? Int == x0 && cells[i]["y"] as? Int == y0 && cells[i]["index"] as? Int == i)

            let rows = offsets[i]..<offsets[i + 1]
            let rects = rows.map { rect(boxes[(4 * $0)..<(4 * $0 + 4)]) }
            let outlines = rects.map(outline)
            for (k, row) in rows.enumerated() {
                let c = colors[names[labels[row]]] ?? []
                #expect(c.count == 3)
                let others = outlines.enumerated().filter { $0.offset != k }.reduce(into: Set<[Int]>()) {
                    $0.formUnion($1.element)
                }
                let own = outlines[k].subtracting(others)
                #expect(own.count > 20, "box \(row) has a visible outline")
                for p in own {
                    let px = sheet[x0 + p[0], y0 + p[1]]
                    #expect([Int(px.r), Int(px.g), Int(px.b)] == c, "sample \(i) box \(row) edge pixel \(p) is \(px)")
                }
                checkedEdges += own.count
            }

            // The letterbox: where the frame's pixels are, from its original size (1 pixel of slack for rounding).
            let w = Double(samples[i]["width"] as? Int ?? 1)
            let h = Double(samples[i]["height"] as? Int ?? 1)
            let s = min(160 / w, 120 / h)
            let cw = Int((w * s).rounded())
            let ch = Int((h * s).rounded())
            let left = (160 - cw) / 2
            let top = (120 - ch) / 2
            for y in 0..<120 {
                for x in 0..<160 {
                    let inBar = x < left - 1 || x > left + cw || y < top - 1 || y > top + ch
                    guard inBar else { continue }
                    let px = sheet[x0 + x, y0 + y]
                    #expect(px == (Self.pad, Self.pad, Self.pad), "sample \(i) bar pixel (\(x), \(y)) is \(px)")
                    checkedBars += 1
                }
            }

            // Away from boxes and tags, the sheet shows the array's pixels 1:1: the bottom-right corner.
            if rects.allSatisfy({ $0.r < 150 || $0.b < 110 }) {
                let a = try images.uint8(images.rowRange(i..<(i + 1)))
                let k = (119 * 160 + 159) * 3
                #expect(sheet[x0 + 159, y0 + 119] == (a[k], a[k + 1], a[k + 2]))
            }
        }
        #expect(checkedEdges > 9 * 40)
        #expect(checkedBars > 3 * 160 * 20, "frames 0, 2 and 5 are letterboxed")
    }

    @Test("float32 NCHW normalised images look the same as uint8 NHWC ones; a seed repeats its pick")
    func floatImagesAndSeeds() throws {
        try export("u8")
        try export("f32", ["--normalize", "imagenet", "--layout", "nchw"])
        #expect(try preview([path("u8"), "--out", path("u8.png"), "--first"]).status == 0)
        #expect(try preview([path("f32"), "--out", path("f32.png"), "--first"]).status == 0)
        let a = try decode(path("u8.png"))
        let b = try decode(path("f32.png"))
        #expect(a.width == b.width && a.height == b.height)
        var worst = 0
        // Below the header (whose title names the folder).
        for y in (Self.margin + Self.header)..<a.height {
            for x in 0..<a.width {
                let p = a[x, y]
                let q = b[x, y]
                worst = max(worst, abs(Int(p.r) - Int(q.r)), abs(Int(p.g) - Int(q.g)), abs(Int(p.b) - Int(q.b)))
            }
        }
        #expect(worst <= 1, "un-normalised float32 pixels differ by \(worst)")

        let one = try preview([path("u8"), "--out", path("s1.png"), "--count", "6", "--seed", "3", "--json"])
        let two = try preview([path("u8"), "--out", path("s2.png"), "--count", "6", "--seed", "3", "--json"])
        #expect(one.status == 0 && two.status == 0)
        let picked = (try one.json()["samples"] as? [[String: Any]] ?? []).compactMap { $0["index"] as? Int }
        #expect(
            picked.count == 6 && Set(picked).count == 6 && picked == picked.sorted() && picked.allSatisfy { $0 < 15 })
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: path("s1.png")))
                == Data(contentsOf: URL(fileURLWithPath: path("s2.png"))))
        let other = try preview([path("u8"), "--out", path("s3.png"), "--count", "6", "--seed", "4", "--json"])
        let otherPick = (try other.json()["samples"] as? [[String: Any]] ?? []).compactMap { $0["index"] as? Int }
        #expect(otherPick != picked, "another seed, another pick")
    }

    @Test("a missing or broken export fails with the right exit code, naming the file")
    func badExports() throws {
        let missing = try preview([path("nope"), "--out", path("x.png")])
        #expect(missing.status == 66 && missing.stderr.contains(path("nope")), "\(missing.stderr)")

        try FileManager.default.createDirectory(atPath: path("empty"), withIntermediateDirectories: true)
        let empty = try preview([path("empty"), "--out", path("x.png")])
        #expect(empty.status == 66 && empty.stderr.contains("manifest.json"), "\(empty.stderr)")

        try export("ok")
        let fm = FileManager.default
        try fm.copyItem(atPath: path("ok"), toPath: path("noimages"))
        try fm.removeItem(atPath: path("noimages") + "/images.npy")
        let noImages = try preview([path("noimages"), "--out", path("x.png")])
        #expect(noImages.status == 66 && noImages.stderr.contains("images.npy"), "\(noImages.stderr)")

        try fm.copyItem(atPath: path("ok"), toPath: path("cut"))
        let boxesPath = path("cut") + "/boxes.npy"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: boxesPath))
        try bytes.prefix(bytes.count - 8).write(to: URL(fileURLWithPath: boxesPath))
        let cut = try preview([path("cut"), "--out", path("x.png")])
        #expect(
            cut.status == 65 && cut.stderr.contains("boxes.npy") && cut.stderr.contains("truncated"), "\(cut.stderr)")

        try fm.copyItem(atPath: path("ok"), toPath: path("badjson"))
        try Data("{\"format_version\": 1, ".utf8).write(to: URL(fileURLWithPath: path("badjson") + "/manifest.json"))
        let badJSON = try preview([path("badjson"), "--out", path("x.png")])
        #expect(badJSON.status == 65 && badJSON.stderr.contains("manifest.json"), "\(badJSON.stderr)")

        let noFolder = try preview([path("ok"), "--out", path("no-such-folder") + "/x.png"])
        #expect(noFolder.status == 73 && noFolder.stderr.contains("x.png"), "\(noFolder.stderr)")
        #expect(!fm.fileExists(atPath: path("x.png")), "no sheet is written for a broken export")

        let usage = try preview([path("ok"), "--out", path("x.png"), "--seed", "1", "--first"])
        #expect(usage.status == 64)
    }
}
