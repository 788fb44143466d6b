public import CvatErrors
import CvatSystem

/// Why a polygon could not be drawn.
///
/// Built by static functions named as its cases were when it was an enum, so throw sites read as before.
public struct PolygonError: KindedError, Sendable, Hashable {
    public enum Kind: ErrorKind {
        /// Pillow needs at least 2 vertices ("coordinate list must contain at least 2 coordinates").
        case tooFewPoints
        case oddCoordinateCount
        case nonFiniteCoordinate
        case invalidImageSize
        case bufferSizeMismatch

        /// A polygon that cannot be drawn is the annotations'; a mask buffer of the wrong size is a bug.
        public var category: ErrorCategory {
            switch self {
            case .tooFewPoints, .oddCoordinateCount, .nonFiniteCoordinate, .invalidImageSize: .data
            case .bufferSizeMismatch: .internalError
            }
        }
    }

    public var kind: Kind
    public var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func tooFewPoints(count: Int) -> Self {
        Self(.tooFewPoints, "a polygon needs at least 2 points to be drawn, this one has \(count)")
    }

    public static func oddCoordinateCount(_ count: Int) -> Self {
        Self(.oddCoordinateCount, "a polygon's points must be x, y pairs, but there are \(count) numbers")
    }

    public static func nonFiniteCoordinate(index: Int) -> Self {
        Self(.nonFiniteCoordinate, "a polygon's coordinate \(index) is not a finite number")
    }

    public static func invalidImageSize(width: Int, height: Int) -> Self {
        Self(.invalidImageSize, "cannot draw a polygon on an image of size \(width)x\(height)")
    }

    public static func bufferSizeMismatch(expected: Int, actual: Int) -> Self {
        Self(.bufferSizeMismatch, "the mask buffer holds \(actual) elements, but the image needs \(expected)")
    }
}

/// Polygon filling that reproduces Pillow's `ImageDraw.polygon(xy, fill=1)` on a mode "1" image, which is how
/// cvat-sdk's `draw_mask` rasterises polygons.
///
/// This is a transcription of Pillow 13's `_draw_polygon` (`_imaging.c`: vertices truncated with a C `(int)`
/// cast), `ImagingDrawPolygon` (edge list, merging of consecutive horizontal edges) and `polygon_generic`
/// (`libImaging/Draw.c`: the scanline fill in single precision, its corner fix-ups, `ROUND_UP`/`ROUND_DOWN`
/// and `hline8` clipping). The arithmetic keeps C's types on purpose (Float where Pillow uses float, Double
/// where C promotes to double), because the outcome of rounding at pixel edges depends on them.
public enum PolygonRasterizer {
    /// Paints the polygon `points` (flat x, y pairs) with `value` into `buffer` (row-major, `width * height`),
    /// leaving other pixels untouched, as drawing on an existing image does.
    public static func fill(
        points: [Double], width: Int, height: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, value: UInt8 = 1
    ) throws(PolygonError) {
        try fillGeneric(points: points, width: width, height: height, into: buffer, value: value)
    }

    /// The 16-bit variant, for class maps with more than 255 classes.
    public static func fill(
        points: [Double], width: Int, height: Int, into buffer: UnsafeMutableBufferPointer<UInt16>, value: UInt16
    ) throws(PolygonError) {
        try fillGeneric(points: points, width: width, height: height, into: buffer, value: value)
    }

    /// A new 0/1 mask with the polygon drawn, as cvat-sdk's `draw_mask` returns.
    public static func mask(points: [Double], width: Int, height: Int) throws(PolygonError) -> [UInt8] {
        guard width > 0, height > 0 else { throw .invalidImageSize(width: width, height: height) }
        var out = [UInt8](repeating: 0, count: width * height)
        var failure: PolygonError?
        out.withUnsafeMutableBufferPointer { buf in
            do throws(PolygonError) {
                try fillGeneric(points: points, width: width, height: height, into: buf, value: 1)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return out
    }

    private struct Edge {
        var x0: Int32
        var y0: Int32
        var xmin: Int32
        var ymin: Int32
        var xmax: Int32
        var ymax: Int32
        var dx: Float
    }

    private static func makeEdge(_ x0: Int32, _ y0: Int32, _ x1: Int32, _ y1: Int32) -> Edge {
        Edge(
            x0: x0, y0: y0, xmin: min(x0, x1), ymin: min(y0, y1), xmax: max(x0, x1), ymax: max(y0, y1),
            dx: y0 == y1 ? 0 : Float(x1 - x0) / Float(y1 - y0))
    }

    /// C's `(int)` of a double, clamped so absurd coordinates cannot trap (C would be undefined there).
    private static func truncate(_ v: Double) -> Int32 {
        Int32(max(min(v, 1.0e9), -1.0e9).rounded(.towardZero))
    }

    /// Pillow's `ROUND_UP` of a float: `f >= 0 ? floor(f + 0.5F) : -floor(fabs(f) + 0.5F)`. The first sum is in
    /// float, the second in double because `fabs` returns double.
    private static func roundUp(_ f: Float) -> Int {
        f >= 0 ? Int((f + 0.5).rounded(.down)) : -Int((Double(abs(f)) + 0.5).rounded(.down))
    }

    /// Pillow's `ROUND_DOWN`: `f >= 0 ? ceil(f - 0.5F) : -ceil(fabs(f) - 0.5F)`, with the same precisions.
    private static func roundDown(_ f: Float) -> Int {
        f >= 0 ? Int((f - 0.5).rounded(.up)) : -Int((Double(abs(f)) - 0.5).rounded(.up))
    }

    /// The x where an edge crosses row y: `(y - y0) * dx + x0` in float, as Pillow computes it.
    private static func crossing(_ e: Edge, _ y: Int32) -> Float {
        Float(y - e.y0) * e.dx + Float(e.x0)
    }

    static func fillGeneric<T: FixedWidthInteger>(
        points: [Double], width: Int, height: Int, into buffer: UnsafeMutableBufferPointer<T>, value: T
    ) throws(PolygonError) {
        guard width > 0, height > 0 else { throw .invalidImageSize(width: width, height: height) }
        guard buffer.count == width * height else {
            throw .bufferSizeMismatch(expected: width * height, actual: buffer.count)
        }
        guard points.count % 2 == 0 else { throw .oddCoordinateCount(points.count) }
        for (i, v) in points.enumerated() where !v.isFinite { throw .nonFiniteCoordinate(index: i) }
        let count = points.count / 2
        guard count >= 2 else { throw .tooFewPoints(count: count) }

        let xy = points.map(truncate)
        let ysize = Int32(clamping: height)

        func hline(_ x0: Int, _ y: Int, _ x1: Int) {
            guard y >= 0, y < height else { return }
            var a = x0
            var b = x1
            if a < 0 { a = 0 } else if a >= width { return }
            if b < 0 { return } else if b >= width { b = width - 1 }
            guard a <= b else { return }
            let row = y * width
            for x in a...b { buffer[row + x] = value }
        }

        // ImagingDrawPolygon: the edge list.
        var edges: [Edge] = []
        edges.reserveCapacity(count)
        var i = 0
        while i < count - 1 {
            let x0 = xy[i * 2]
            let y0 = xy[i * 2 + 1]
            let x1 = xy[i * 2 + 2]
            let y1 = xy[i * 2 + 3]
            if y0 == y1 && i != 0 && y0 == xy[i * 2 - 1] {
                // A horizontal edge right after another one extends it when both run the same way.
                if x1 > x0 && x0 > xy[i * 2 - 2] {
                    edges[edges.count - 1].xmax = x1
                    i += 1
                    continue
                } else if x1 < x0 && x0 < xy[i * 2 - 2] {
                    edges[edges.count - 1].xmin = x1
                    i += 1
                    continue
                }
            }
            edges.append(makeEdge(x0, y0, x1, y1))
            i += 1
        }
        if xy[i * 2] != xy[0] || xy[i * 2 + 1] != xy[1] {
            edges.append(makeEdge(xy[i * 2], xy[i * 2 + 1], xy[0], xy[1]))
        }

        // polygon_generic.
        var ymin = ysize - 1
        var ymax: Int32 = 0
        var table: [Edge] = []
        table.reserveCapacity(edges.count)
        for e in edges {
            ymin = min(ymin, e.ymin)
            ymax = max(ymax, e.ymax)
            if e.ymin == e.ymax {
                hline(Int(e.xmin), Int(e.ymin), Int(e.xmax))
                continue
            }
            table.append(e)
        }
        if ymin < 0 { ymin = 0 }
        if ymax > ysize { ymax = ysize }

        var xx = [Float](repeating: 0, count: table.count * 2)
        var y = ymin
        while y <= ymax {
            var j = 0
            for (ci, current) in table.enumerated() where y >= current.ymin && y <= current.ymax {
                xx[j] = crossing(current, y)
                j += 1
                if y == current.ymax && y < ymax {
                    // Pillow: "Needed to draw consistent polygons".
                    xx[j] = xx[j - 1]
                    j += 1
                } else if (y == current.ymin || y == current.ymax) && current.dx != 0 {
                    // Pillow: "Connect discontiguous corners".
                    for k in 0..<ci {
                        let other = table[k]
                        if (y != other.ymin && y != other.ymax) || other.dx == 0 { continue }
                        guard xx[j - 1].rounded() == crossing(other, y).rounded() else { continue }
                        let offset: Int32 = y == current.ymax ? -1 : 1
                        let adjacent = crossing(current, y + offset)
                        if y + offset >= other.ymin && y + offset <= other.ymax {
                            let adjacentOther = crossing(other, y + offset)
                            if xx[j - 1] > adjacent + 1 && xx[j - 1] > adjacentOther + 1 {
                                xx[j - 1] = Float(Double(max(adjacent, adjacentOther))).rounded() + 1
                            } else if xx[j - 1] < adjacent - 1 && xx[j - 1] < adjacentOther - 1 {
                                xx[j - 1] = Float(Double(min(adjacent, adjacentOther))).rounded() - 1
                            }
                            break
                        }
                    }
                }
            }
            xx[0..<j].sort()
            var k = 1
            while k < j {
                hline(roundUp(xx[k - 1]), Int(y), roundDown(xx[k]))
                k += 2
            }
            y += 1
        }
    }
}
