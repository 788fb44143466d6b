package import CvatImage

/// One sample of an export as the arrays hold it: its pixels and targets, in output-image pixels.
package struct ExportSample: Sendable {
    /// The sample's position in the manifest's `samples` (and the arrays' leading dimension).
    package var index: Int
    package var image: RGBImage
    /// The class index (`label` target).
    package var label: Int?
    /// Corner coordinates, class index and track id (-1 for a plain shape).
    package var boxes: [(x0: Float, y0: Float, x1: Float, y1: Float, label: Int, track: Int)] = []
    /// Per box, when the export has `box_occluded`: whether the box's shape is occluded.
    package var occluded: [Bool] = []
    /// Per box (with `box_attributes`), or one entry for the sample's tag (with `tag_attributes`): the attributes
    /// asked for with `--attributes` that the row has, as `name=value` in column order.
    package var attributes: [[String]] = []
    /// Per box (`masks` target): the box's mask.
    package var instanceMasks: [SampleMask] = []
    /// `semantic` target: a class index per pixel.
    package var semantic: SampleMask?
    /// Per box (`keypoints` target): K keypoints (x, y, visibility).
    package var keypoints: [[(x: Float, y: Float, v: Float)]] = []

    package init(index: Int, image: RGBImage, label: Int? = nil) {
        self.index = index
        self.image = image
        self.label = label
    }
}
