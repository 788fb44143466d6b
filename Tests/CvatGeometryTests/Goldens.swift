import CvatTestSupport
import Foundation

/// The goldens made by `Fixtures/tensors/make_goldens.py` with Pillow and cvat-sdk.
enum Goldens {
    struct PolygonCase: Decodable, Sendable, CustomStringConvertible {
        let width: Int
        let height: Int
        let points: [Double]
        let runs: [Int]
        var description: String { "\(width)x\(height) \(points)" }
    }

    struct NearestCase: Decodable, Sendable {
        let source_width: Int
        let source_height: Int
        let resize_width: Int
        let resize_height: Int
        let crop_width: Int?
        let crop_height: Int?
        let columns: [Int]
        let rows: [Int]
    }

    struct RLECase: Decodable, Sendable {
        let width: Int
        let height: Int
        let encoded: [Double]
        let runs: [Int]
    }

    struct RLEError: Decodable, Sendable {
        let width: Int
        let height: Int
        let encoded: [Double]
        let error: String?
    }

    struct Polygons: Decodable {
        let pillow: String
        let cases: [PolygonCase]
    }
    struct Nearest: Decodable {
        let pillow: String
        let cases: [NearestCase]
    }
    struct RLE: Decodable {
        let cases: [RLECase]
        let errors: [RLEError]
    }

    static func load<T: Decodable>(_ name: String, as: T.Type) throws -> T {
        let url = TestPaths.fixtures.appendingPathComponent("tensors").appendingPathComponent(name)
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// Expands whole-image run lengths (background first) into a 0/1 mask.
    static func expand(_ runs: [Int], count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count)
        for (i, r) in runs.enumerated() { out += [UInt8](repeating: UInt8(i & 1), count: r) }
        return out
    }
}
