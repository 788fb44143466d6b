import CvatSystem

/// How an ellipse's stored points become a box.
///
/// CVAT stores an ellipse as `[cx, cy, x3, y4]`: the centre, the x of its right-most point and the y of its
/// top-most point, so `rx = x3 - cx` and `ry = cy - y4`. cvat-sdk 2.80's `shape_bbox` takes the min and max of
/// those two points, which is only the ellipse's top-right quarter; CVAT's own export (`bindings.py`) uses the
/// whole ellipse, and so do we by default.
public enum EllipseBoxConvention: Sendable, Hashable {
    /// `(cx - rx, cy - ry, cx + rx, cy + ry)`: the box around the whole ellipse.
    case fullEllipse
    /// `(min(cx, x3), min(cy, y4), max(cx, x3), max(cy, y4))`, exactly cvat-sdk 2.80's `shape_bbox`, kept for
    /// parity tests. A rotated ellipse is then treated like its two stored points (cvat-sdk refuses rotation).
    case cvatSDK
}

/// The axis-aligned bounding box of a shape, or nil when the shape has no usable geometry.
///
/// Unrotated rectangles, polygons, polylines, points and cuboids give the min and max of their x and y
/// coordinates, and masks give their stored inclusive box made exclusive `(x1, y1, x2 + 1, y2 + 1)`, both as
/// cvat-sdk's `shape_bbox`. Ellipses follow `ellipse` (see `EllipseBoxConvention`).
///
/// cvat-sdk refuses rotated shapes; we give the box enclosing the rotated shape instead, rotating clockwise in
/// y-down image coordinates as CVAT's canvas does: a rectangle about its centre, an ellipse analytically about
/// its centre, and polygons, polylines, points and cuboids point by point about the centre of their unrotated
/// box. Masks cannot be rotated in CVAT, so their rotation is ignored.
///
/// Returns nil for skeletons (their geometry lives in their elements), for shapes with no points or an odd
/// number of coordinates, for ellipses and rectangles without exactly 4 numbers, for masks with fewer than 5,
/// and for any non-finite coordinate.
public func boundingBox(of shape: ShapeGeometry, ellipse: EllipseBoxConvention = .fullEllipse) -> Box? {
    let p = shape.points
    guard p.allSatisfy(\.isFinite), shape.rotation.isFinite else { return nil }
    switch shape.type {
    case .skeleton:
        return nil
    case .mask:
        guard p.count >= 5 else { return nil }
        let n = p.count
        return Box(xmin: p[n - 4], ymin: p[n - 3], xmax: p[n - 2] + 1, ymax: p[n - 1] + 1)
    case .ellipse:
        guard p.count == 4 else { return nil }
        switch ellipse {
        case .cvatSDK:
            return pointSetBox(p, rotation: shape.rotation)
        case .fullEllipse:
            let cx = p[0]
            let cy = p[1]
            let rx = abs(p[2] - cx)
            let ry = abs(cy - p[3])
            let (s, c) = sinCos(degrees: shape.rotation)
            let hx = ((rx * c) * (rx * c) + (ry * s) * (ry * s)).squareRoot()
            let hy = ((rx * s) * (rx * s) + (ry * c) * (ry * c)).squareRoot()
            return Box(xmin: cx - hx, ymin: cy - hy, xmax: cx + hx, ymax: cy + hy)
        }
    case .rectangle:
        guard p.count == 4 else { return nil }
        guard shape.rotation != 0 else { return pointSetBox(p, rotation: 0) }
        // The four corners, so that the rotation about the box centre is the same as CVAT's.
        let corners = [p[0], p[1], p[2], p[1], p[2], p[3], p[0], p[3]]
        return pointSetBox(corners, rotation: shape.rotation)
    case .polygon, .polyline, .points, .cuboid:
        return pointSetBox(p, rotation: shape.rotation)
    }
}

/// Min/max of a flat point list, after rotating every point about the centre of its unrotated box.
private func pointSetBox(_ p: [Double], rotation: Double) -> Box? {
    guard !p.isEmpty, p.count % 2 == 0 else { return nil }
    var box = Box(xmin: p[0], ymin: p[1], xmax: p[0], ymax: p[1])
    var i = 2
    while i < p.count {
        box.xmin = min(box.xmin, p[i])
        box.xmax = max(box.xmax, p[i])
        box.ymin = min(box.ymin, p[i + 1])
        box.ymax = max(box.ymax, p[i + 1])
        i += 2
    }
    guard rotation != 0 else { return box }
    let (s, c) = sinCos(degrees: rotation)
    let cx = (box.xmin + box.xmax) / 2
    let cy = (box.ymin + box.ymax) / 2
    var out = Box(xmin: .infinity, ymin: .infinity, xmax: -.infinity, ymax: -.infinity)
    i = 0
    while i < p.count {
        let dx = p[i] - cx
        let dy = p[i + 1] - cy
        // SVG rotate(θ): x' = cx + dx cosθ - dy sinθ, y' = cy + dx sinθ + dy cosθ (clockwise when y points down).
        let x = cx + dx * c - dy * s
        let y = cy + dx * s + dy * c
        out.xmin = min(out.xmin, x)
        out.xmax = max(out.xmax, x)
        out.ymin = min(out.ymin, y)
        out.ymax = max(out.ymax, y)
        i += 2
    }
    return out
}

/// Sine and cosine of an angle in degrees, exact at multiples of 90° so that a quarter turn of an integer box
/// stays an integer box instead of gaining 1e-16 offsets.
func sinCos(degrees: Double) -> (sin: Double, cos: Double) {
    var d = degrees.truncatingRemainder(dividingBy: 360)
    if d < 0 { d += 360 }
    switch d {
    case 0: return (0, 1)
    case 90: return (1, 0)
    case 180: return (0, -1)
    case 270: return (-1, 0)
    default:
        let r = d * Double.pi / 180
        return (sin(r), cos(r))
    }
}

extension ShapeGeometry {
    /// The outline as CVAT draws it, with any rotation applied: a rectangle's four corners (top-left, top-right,
    /// bottom-right, bottom-left) and the points of a polygon, polyline or points shape, rotated clockwise about
    /// the centre of their unrotated box exactly as `boundingBox(of:)` rotates them, so that a painted outline and
    /// its box agree.
    ///
    /// Returns nil for the types without such an outline (ellipse, mask, skeleton, cuboid), for an odd or empty
    /// point list, for a rectangle without exactly 4 numbers, and for non-finite values.
    public var outline: [Double]? {
        guard points.allSatisfy(\.isFinite), rotation.isFinite else { return nil }
        let p: [Double]
        switch type {
        case .rectangle:
            guard points.count == 4 else { return nil }
            p = [points[0], points[1], points[2], points[1], points[2], points[3], points[0], points[3]]
        case .polygon, .polyline, .points:
            p = points
        case .ellipse, .mask, .skeleton, .cuboid:
            return nil
        }
        guard !p.isEmpty, p.count % 2 == 0 else { return nil }
        guard rotation != 0 else { return p }
        var xmin = p[0]
        var xmax = p[0]
        var ymin = p[1]
        var ymax = p[1]
        var i = 2
        while i < p.count {
            xmin = min(xmin, p[i])
            xmax = max(xmax, p[i])
            ymin = min(ymin, p[i + 1])
            ymax = max(ymax, p[i + 1])
            i += 2
        }
        let (s, c) = sinCos(degrees: rotation)
        let cx = (xmin + xmax) / 2
        let cy = (ymin + ymax) / 2
        var out = [Double](repeating: 0, count: p.count)
        i = 0
        while i < p.count {
            let dx = p[i] - cx
            let dy = p[i + 1] - cy
            out[i] = cx + dx * c - dy * s
            out[i + 1] = cy + dx * s + dy * c
            i += 2
        }
        return out
    }
}
