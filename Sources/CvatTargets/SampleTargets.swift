import CvatGeometry

/// The targets of one sample, ready to be written.
package struct SampleTargets: Sendable {
    package var label: Int64?
    /// `bboxes`, `masks`, `keypoints`: one row per instance.
    package var boxes = BoxColumns()
    /// `keypoints`: x, y, visibility per keypoint, K per box.
    package var keypoints: [Float] = []
    /// `masks`: one output-size 0/1 mask per box, one after another. `semantic`: the class map, as little-endian
    /// uint8 or uint16 values.
    package var masks: [UInt8] = []

    package init(label: Int64? = nil) {
        self.label = label
    }
}

/// The per-box arrays of a sample, one row per box.
///
/// Rows are appended only whole, from the shape each box comes from, so that the columns cannot fall out of
/// step: a new per-box array is one more column here and one more line in `append`.
package struct BoxColumns: Sendable {
    /// xmin, ymin, xmax, ymax per box, in output pixels.
    package private(set) var corners: [Float] = []
    package private(set) var labels: [Int64] = []
    /// The server id of the track the box comes from, or -1.
    package private(set) var trackIDs: [Int64] = []

    package init() {}

    package var count: Int { labels.count }

    /// Adds the row of one box: its corners, its class index, and what the shape it comes from says about it.
    mutating func append(_ box: Box, classIndex: Int, of shape: FrameShape) {
        corners += [Float(box.xmin), Float(box.ymin), Float(box.xmax), Float(box.ymax)]
        labels.append(Int64(classIndex))
        trackIDs.append(Int64(shape.trackID ?? -1))
    }
}
