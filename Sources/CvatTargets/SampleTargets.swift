package import CvatAPI
import CvatGeometry

/// The targets of one sample, ready to be written.
package struct SampleTargets: Sendable {
    package var label: Int64?
    /// `label`: the tag the label comes from (its id, -1 without one, and its attributes).
    package var tag: AttributedRow?
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
    /// The CVAT shape id of a plain shape; -1 for a track's shape (and a shape stored without an id).
    package private(set) var shapeIDs: [Int64] = []
    /// 1 for an occluded shape.
    package private(set) var occluded: [UInt8] = []
    /// CVAT's group id; 0 is no group.
    package private(set) var groups: [Int64] = []
    package private(set) var zOrders: [Int32] = []
    /// The label and attributes of each row's shape, encoded into `box_attributes` when the rows are written
    /// (in sample order, so that text tables number values the same on every run).
    package private(set) var attributed: [AttributedRow] = []

    package init() {}

    package var count: Int { labels.count }

    /// Adds the row of one box: its corners, its class index, and what the shape it comes from says about it.
    mutating func append(_ box: Box, classIndex: Int, of shape: FrameShape) {
        corners += [Float(box.xmin), Float(box.ymin), Float(box.xmax), Float(box.ymax)]
        labels.append(Int64(classIndex))
        trackIDs.append(Int64(shape.trackID ?? -1))
        shapeIDs.append(Int64(shape.shapeID ?? -1))
        occluded.append(shape.occluded ? 1 : 0)
        groups.append(Int64(shape.details.group ?? 0))
        zOrders.append(Int32(clamping: shape.zOrder))
        attributed.append(AttributedRow(labelID: shape.labelID, attributes: shape.details.attributes))
    }
}

/// A row's label and its attribute values, as stored, before `AttributeColumns` encodes them.
package struct AttributedRow: Sendable, Hashable {
    package var labelID: Int
    /// The tag's id (`label`), -1 when it has none; unused for box rows.
    package var id: Int64
    package var attributes: [AttributeValue]

    package init(labelID: Int, id: Int64 = -1, attributes: [AttributeValue]) {
        self.labelID = labelID
        self.id = id
        self.attributes = attributes
    }
}
