import CvatAPI
import CvatGeometry
import CvatTargets
import Foundation
import FuzzSupport

/// Fuzzes what an export does with a task's annotations JSON: `Annotations` decoding, grouping by frame with
/// track interpolation (`FrameAnnotations` with a `TrackContext`), and every target transform on every frame.
///
/// Checks: no crash, no hang (libFuzzer's -timeout), and targets an export could write: every box corner and
/// keypoint finite, the per-box columns in step, masks of the output size.
///
/// The task around the annotations is derived from the input, so each input is one reproducible case: its size
/// (`endFrame`) covers the annotated frames but at most 16 (an export bounds tracks by the task's size, so a task
/// of a few frames is what an input can make interpolation do work for), a few deleted frames, 2D or 3D; the
/// labels are the ids the input uses and the skeletons are made from its skeleton shapes and tracks.
let maxFrames = 16
let source = PixelSize(width: 16, height: 12)
/// Identity, a stretch, a letterbox and a resize with a centre crop: one per frame, in turn.
let plans: [ImagePlan] = [
    ResizeSpec.original, .resize(width: 9, height: 20), .letterbox(width: 20, height: 10),
    .resizeShorter(8, centerCrop: PixelSize(width: 6, height: 7)),
].map { spec in
    do { return try ImagePlan(source: source, spec: spec) } catch { fatalError("plan \(spec): \(error)") }
}

func fuzzOne(_ input: UnsafeRawBufferPointer) {
    guard let annotations = try? JSONDecoder().decode(Annotations.self, from: Data(input)) else { return }
    let seed = input.count

    var frames = annotations.tags.map(\.frame) + annotations.shapes.map(\.frame)
    var labelIDs = Set(annotations.tags.map(\.labelID))
    var skeletons: [Int: [Int]] = [:]
    for shape in annotations.shapes {
        labelIDs.insert(shape.labelID)
        let elements = shape.elements ?? []
        labelIDs.formUnion(elements.map(\.labelID))
        if shape.type == "skeleton", skeletons[shape.labelID] == nil {
            skeletons[shape.labelID] = unique(elements.map(\.labelID))
        }
    }
    func visit(_ track: Track) {
        labelIDs.insert(track.labelID)
        frames.append(track.frame)
        frames += track.shapes.map(\.frame)
        let elements = track.elements ?? []
        if track.shapes.first?.type == "skeleton", skeletons[track.labelID] == nil {
            skeletons[track.labelID] = unique(elements.map(\.labelID))
        }
        elements.forEach(visit)
    }
    annotations.tracks.forEach(visit)

    let endFrame = min(maxFrames, max(1, (frames.filter { $0 >= 0 }.max() ?? 0) &+ 1))
    let deleted = Set((0..<endFrame).filter { ($0 &* 31 &+ seed) % 13 == 0 })
    let active = Set(0..<endFrame).subtracting(deleted)
    let context = TrackContext(endFrame: endFrame, deletedFrames: deleted, dimension: seed % 5 == 0 ? .threeD : .twoD)
    _ = try? FrameAnnotations(annotations, activeFrames: active, tracks: nil)
    guard let grouped = try? FrameAnnotations(annotations, activeFrames: active, tracks: context) else { return }
    for (frame, shapes) in grouped.shapes {
        precondition(active.contains(frame), "a shape on frame \(frame), outside the task's active frames")
        for shape in shapes where shape.trackID != nil {
            precondition(shape.outside == false, "a track's outside shape on frame \(frame) was kept")
        }
    }

    let labelOffset = seed % 3 == 0 ? 1 : 0
    guard let labels = try? LabelIndexMap(labels: labelIDs.sorted().map { ($0, "l\($0)") }, labelOffset: labelOffset)
    else { fatalError("labels \(labelIDs.sorted()) refused") }
    let firstPoints = annotations.shapes.first { $0.type == "points" }.map { $0.points.count / 2 }
    let keypointCount = skeletons.keys.min().flatMap { skeletons[$0]?.count } ?? firstPoints ?? 1
    let background = seed % 7 == 0 ? 300 : 255
    let semantic = SemanticSettings(background: background, wide: labels.classCount > 254 || background > 255)

    for frame in Set(grouped.shapes.keys).union(grouped.tags.keys).sorted() {
        let plan = plans[frame % plans.count]
        let tags = grouped.tags[frame] ?? []
        let shapes = grouped.shapes[frame] ?? []
        for kind in TargetKind.allCases {
            let extractor = TargetExtractor(
                kind: kind, labels: labels, shapeTypes: kind.supportedShapeTypes, skeletons: skeletons,
                keypointCount: keypointCount, semantic: semantic)
            guard let targets = try? extractor.targets(tags: tags, shapes: shapes, plan: plan) else { continue }
            check(targets, kind: kind, plan: plan, keypointCount: keypointCount, wide: semantic.wide, frame: frame)
        }
    }
}

/// What an export would write from `targets` is well formed.
func check(_ targets: SampleTargets, kind: TargetKind, plan: ImagePlan, keypointCount: Int, wide: Bool, frame: Int) {
    let boxes = targets.boxes
    let what = "\(kind) on frame \(frame) with plan \(plan.outputSize)"
    precondition(boxes.corners.count == boxes.count * 4 && boxes.trackIDs.count == boxes.count, "\(what): box columns")
    precondition(boxes.corners.allSatisfy(\.isFinite), "\(what): a box corner is not finite: \(boxes.corners)")
    precondition(targets.keypoints.allSatisfy(\.isFinite), "\(what): a keypoint is not finite: \(targets.keypoints)")
    let pixels = plan.outputSize.width * plan.outputSize.height
    switch kind {
    case .none, .label:
        precondition(boxes.count == 0 && targets.masks.isEmpty, "\(what): boxes or masks")
    case .bboxes:
        precondition(targets.masks.isEmpty && targets.keypoints.isEmpty, "\(what): masks or keypoints")
    case .masks:
        precondition(targets.masks.count == boxes.count * pixels, "\(what): \(targets.masks.count) mask bytes")
        precondition(targets.masks.allSatisfy { $0 <= 1 }, "\(what): a mask value other than 0 and 1")
    case .semantic:
        precondition(targets.masks.count == pixels * (wide ? 2 : 1), "\(what): \(targets.masks.count) map bytes")
    case .keypoints:
        precondition(targets.keypoints.count == boxes.count * keypointCount * 3, "\(what): keypoints per box")
    }
}

/// `ids` without repeats, in first-seen order (a skeleton's keypoints, as its sublabels would list them).
func unique(_ ids: [Int]) -> [Int] {
    var seen = Set<Int>()
    return ids.filter { seen.insert($0).inserted }
}

@main
enum Entry {
    static func main() { FuzzDriver.run(fuzzOne) }
}
