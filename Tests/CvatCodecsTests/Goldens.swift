import CvatTestSupport
import Foundation
import Testing

/// One entry of Fixtures/images/goldens.json, written by Fixtures/images/make_goldens.py from Pillow.
struct GoldenCase: Decodable, CustomTestStringConvertible, Sendable {
    var kind: String
    var file: String
    var golden: String
    var width: Int
    var height: Int
    var filter: String?
    var box: [Float]?
    var pillowMode: String?

    var testDescription: String { "\(file) -> \(golden)" }
}

struct GoldenManifest: Decodable {
    var pillow: String
    var cases: [GoldenCase]
}

enum Goldens {
    static let directory = TestPaths.fixtures.appendingPathComponent("images")

    static let manifest: GoldenManifest = {
        let url = directory.appendingPathComponent("goldens.json")
        let data = try! Data(contentsOf: url)
        return try! JSONDecoder().decode(GoldenManifest.self, from: data)
    }()

    static func cases(kind: String, where predicate: (GoldenCase) -> Bool = { _ in true }) -> [GoldenCase] {
        manifest.cases.filter { $0.kind == kind && predicate($0) }
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// Where two byte buffers differ, summarised for a failure message.
struct PixelDiff: CustomStringConvertible {
    var count = 0
    var maxAbs = 0
    var meanAbs = 0.0
    var firstIndex: Int?

    init(_ a: [UInt8], _ b: [UInt8]) {
        precondition(a.count == b.count, "compared buffers differ in length: \(a.count) vs \(b.count)")
        var total = 0
        for i in 0..<a.count {
            let d = abs(Int(a[i]) - Int(b[i]))
            if d != 0 {
                count += 1
                if firstIndex == nil { firstIndex = i }
            }
            maxAbs = max(maxAbs, d)
            total += d
        }
        meanAbs = a.isEmpty ? 0 : Double(total) / Double(a.count)
    }

    var description: String {
        "\(count) values differ (max \(maxAbs), mean \(meanAbs)), first at byte \(firstIndex.map(String.init) ?? "-")"
    }
}

/// CRC-32 (zip/PNG polynomial), for building test inputs with valid checksums.
func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    return ~crc
}
