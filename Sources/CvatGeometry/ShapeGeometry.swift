/// The kinds of shape CVAT stores (`cvat/apps/engine/models.py:ShapeType`).
public enum ShapeKind: String, Sendable, Hashable, CaseIterable {
    case rectangle, polygon, polyline, points, ellipse, mask, skeleton, cuboid
}

/// The geometry of one annotated shape, independent of the API models.
///
/// Transforms take this small value rather than the REST models so that they can be tested (and reused for
/// interpolated track shapes) without the API layer.
public struct ShapeGeometry: Sendable, Hashable {
    public var type: ShapeKind
    /// Flat coordinates in image pixels, laid out per type as in CVAT (API.md §1.6).
    public var points: [Double]
    /// Degrees about the shape's centre, clockwise in y-down image coordinates (SVG `rotate(deg, cx, cy)`).
    public var rotation: Double

    public init(type: ShapeKind, points: [Double], rotation: Double = 0) {
        self.type = type
        self.points = points
        self.rotation = rotation
    }
}

/// An axis-aligned box in continuous pixel coordinates: (xmin, ymin, xmax, ymax), the torchvision layout.
public struct Box: Sendable, Hashable, CustomStringConvertible {
    public var xmin: Double
    public var ymin: Double
    public var xmax: Double
    public var ymax: Double

    public init(xmin: Double, ymin: Double, xmax: Double, ymax: Double) {
        self.xmin = xmin
        self.ymin = ymin
        self.xmax = xmax
        self.ymax = ymax
    }

    public var width: Double { xmax - xmin }
    public var height: Double { ymax - ymin }

    /// Whether the box covers any area; torchvision's detection models reject boxes without it.
    public var hasArea: Bool { xmax > xmin && ymax > ymin }

    /// The box clipped to `[0, width] x [0, height]`.
    public func clipped(width: Double, height: Double) -> Box {
        Box(
            xmin: min(max(xmin, 0), width), ymin: min(max(ymin, 0), height),
            xmax: min(max(xmax, 0), width), ymax: min(max(ymax, 0), height))
    }

    public var description: String { "(\(xmin), \(ymin), \(xmax), \(ymax))" }
}
