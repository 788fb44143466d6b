import CvatAPI
import CvatGeometry
import CvatTargets
import Foundation
import Testing

/// Small inputs for the extractor, built from CvatAPI's models as the export reads them from the cache.
enum TargetInputs {
    /// Labels 1 "a" and 2 "b": class indices 0 and 1 (plus the offset).
    static let twoLabels: [(id: Int, name: String)] = [(id: 1, name: "a"), (id: 2, name: "b")]

    static func extractor(
        _ kind: TargetKind, labels: [(id: Int, name: String)] = twoLabels, labelOffset: Int = 0,
        shapeTypes: Set<ShapeKind>? = nil, skeletons: [Int: [Int]] = [:], keypointCount: Int = 0,
        semantic: SemanticSettings = SemanticSettings(background: 255, wide: false)
    ) throws -> TargetExtractor {
        TargetExtractor(
            kind: kind, labels: try LabelIndexMap(labels: labels, labelOffset: labelOffset),
            shapeTypes: shapeTypes ?? kind.defaultShapeTypes, skeletons: skeletons, keypointCount: keypointCount,
            semantic: semantic)
    }

    static func plan(_ width: Int, _ height: Int, _ spec: ResizeSpec = .original) throws -> ImagePlan {
        try ImagePlan(source: PixelSize(width: width, height: height), spec: spec)
    }

    /// Plain shapes as the grouping makes them; every one must be of a known type.
    static func frameShapes(_ shapes: [Shape]) throws -> [FrameShape] {
        try shapes.map { shape in try #require(FrameShape(shape)) }
    }

    /// A model decoded from a JSON literal, as the cache's annotations.json is read (`Track` has no memberwise
    /// init, so tracks are made this way).
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }
}
