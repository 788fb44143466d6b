public import Foundation
public import Testing

/// One entry of Fixtures/images/goldens.json, written by Fixtures/images/make_goldens.py from Pillow.
public struct GoldenCase: Decodable, CustomTestStringConvertible, Sendable {
    public var kind: String
    public var file: String
    public var golden: String
    public var width: Int
    public var height: Int
    public var filter: String?
    public var box: [Float]?
    public var pillowMode: String?

    public var testDescription: String { "\(file) -> \(golden)" }
}

public struct GoldenManifest: Decodable, Sendable {
    public var pillow: String
    public var cases: [GoldenCase]
}

/// The Pillow goldens of `Fixtures/images`, shared by the codec and image tests.
public enum Goldens {
    public static let directory = TestPaths.fixtures.appendingPathComponent("images")

    public static let manifest: GoldenManifest = {
        let url = directory.appendingPathComponent("goldens.json")
        let data = try! Data(contentsOf: url)
        return try! JSONDecoder().decode(GoldenManifest.self, from: data)
    }()

    public static func cases(kind: String, where predicate: (GoldenCase) -> Bool = { _ in true }) -> [GoldenCase] {
        manifest.cases.filter { $0.kind == kind && predicate($0) }
    }

    public static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// Where two byte buffers differ, summarised for a failure message.
public struct PixelDiff: CustomStringConvertible {
    public var count = 0
    public var maxAbs = 0
    public var meanAbs = 0.0
    public var firstIndex: Int?

    public init(_ a: [UInt8], _ b: [UInt8]) {
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

    public var description: String {
        "\(count) values differ (max \(maxAbs), mean \(meanAbs)), first at byte \(firstIndex.map(String.init) ?? "-")"
    }
}

/// CRC-32 (zip/PNG polynomial), for building test inputs with valid checksums.
public func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    return ~crc
}
