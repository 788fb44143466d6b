extension TrackInterpolation {
    /// `polyshape_interpolation`: polygons and polylines whose point counts may differ between keyframes.
    ///
    /// The server's port of cvat-core's poly-track algorithm (API.md §2.2): match the two outlines by relative
    /// arc length, interpolate every matched pair, then thin runs of points that collapsed together. A polygon
    /// is closed (first point appended) for the computation and the last point is dropped afterwards.
    static func polyshapeInterpolation(
        _ shape0: InterpolatedShape, _ shape1: InterpolatedShape, trackID: Int, within window: Range<Int>
    ) throws(TrackInterpolationError) -> [InterpolatedShape] {
        guard framesLieBetween(shape0, shape1) else { return [] }
        var left = shape0.points
        var right = shape1.points
        guard left.count % 2 == 0 else { throw .malformedPoints(trackID: trackID, frame: shape0.frame) }
        guard right.count % 2 == 0 else { throw .malformedPoints(trackID: trackID, frame: shape1.frame) }
        let isPolygon = shape0.type == .polygon
        if isPolygon {
            left += left.prefix(2)
            right += right.prefix(2)
        }
        // Python indexes right_points[0] for every left point; with no right points that is an IndexError.
        if right.isEmpty && !left.isEmpty { throw .malformedPoints(trackID: trackID, frame: shape1.frame) }

        let position = PolyshapePosition(left: left, right: right)
        var shapes: [InterpolatedShape] = []
        for frame in frames(between: shape0, shape1, within: window) {
            var points = position.interpolate(offset: offset(frame, shape0, shape1))
            if isPolygon { points.removeLast(min(2, points.count)) }
            shapes.append(copy(of: shape0, frame: frame, points: points))
        }
        return shapes
    }
}

/// The frame-independent part of `interpolate_position`: the two outlines and how their points are matched.
struct PolyshapePosition {
    struct Point {
        var x: Double
        var y: Double
    }

    let leftPoints: [Point]
    let rightPoints: [Point]
    /// For each left point, the sorted right points it is paired with (`completed_matching`).
    let matching: [[Int]]

    init(left: [Double], right: [Double]) {
        leftPoints = Self.pairs(left)
        rightPoints = Self.pairs(right)
        let leftOffsets = Self.offsetVector(leftPoints, length: Self.curveLength(leftPoints[...]))
        let rightOffsets = Self.offsetVector(rightPoints, length: Self.curveLength(rightPoints[...]))

        // match_left_right, then match_right_left for the right points nobody picked.
        var matching = leftOffsets.map { [Self.nearest($0, in: rightOffsets)] }
        let matched = Set(matching.joined())
        for rightIndex in rightOffsets.indices where !matched.contains(rightIndex) {
            matching[Self.nearest(rightOffsets[rightIndex], in: leftOffsets)].append(rightIndex)
        }
        self.matching = matching.map { $0.sorted() }
    }

    private static func pairs(_ flat: [Double]) -> [Point] {
        stride(from: 0, to: flat.count - 1, by: 2).map { Point(x: flat[$0], y: flat[$0 + 1]) }
    }

    /// `curve_length`: summed segment lengths, in order.
    static func curveLength(_ points: ArraySlice<Point>) -> Double {
        var length = 0.0
        var i = points.startIndex + 1
        while i < points.endIndex {
            let dx = points[i].x - points[i - 1].x
            let dy = points[i].y - points[i - 1].y
            length += (dx * dx + dy * dy).squareRoot()
            i += 1
        }
        return length
    }

    /// `curve_to_offset_vec`: each point's arc length from the start as a fraction of `length`. It starts with
    /// one 0 even for an empty outline, as the server's does.
    private static func offsetVector(_ points: [Point], length: Double) -> [Double] {
        var offsets = [0.0]
        var accumulated = 0.0
        for i in points.indices.dropFirst() {
            let dx = points[i].x - points[i - 1].x
            let dy = points[i].y - points[i - 1].y
            accumulated += (dx * dx + dy * dy).squareRoot()
            offsets.append(accumulated / length)
        }
        return offsets
    }

    /// `find_nearest_pair`: the index of the closest value; the first wins ties (and NaN never wins).
    private static func nearest(_ value: Double, in curve: [Double]) -> Int {
        var best = 0
        var bestDistance = abs(value - curve[0])
        for i in curve.indices.dropFirst() {
            let distance = abs(value - curve[i])
            if distance < bestDistance {
                best = i
                bestDistance = distance
            }
        }
        return best
    }

    private static func distance(_ a: Point, _ b: Point) -> Double {
        let dx = a.x - b.x
        let dy = a.y - b.y
        return (dx * dx + dy * dy).squareRoot()
    }

    /// The interpolated outline at `offset` (0...1), flattened.
    func interpolate(offset: Double) -> [Double] {
        var interpolated: [Point] = []
        var indexes: [[Int]] = []  // interpolated_indexes: the slots of each left point
        for (leftIndex, left) in leftPoints.enumerated() {
            var slots: [Int] = []
            for rightIndex in matching[leftIndex] {
                let right = rightPoints[rightIndex]
                slots.append(interpolated.count)
                interpolated.append(
                    Point(x: left.x + (right.x - left.x) * offset, y: left.y + (right.y - left.y) * offset))
            }
            indexes.append(slots)
        }

        var reduced: [Point] = []

        func minimizeSegment(baseLength: Double, count n: Int, start: Int, stop: Int) {
            let threshold = baseLength / Double(2 * n)
            var minimized = [interpolated[start]]
            var latestPushed = start
            if start + 1 < stop {
                for i in (start + 1)..<stop
                where Self.distance(interpolated[latestPushed], interpolated[i]) >= threshold {
                    minimized.append(interpolated[i])
                    latestPushed = i
                }
            }
            minimized.append(interpolated[stop])
            if minimized.count == 2 && Self.distance(interpolated[start], interpolated[stop]) < threshold {
                // average_point: sums from 0, then divides.
                let x = (0 + minimized[0].x + minimized[1].x) / 2
                let y = (0 + minimized[0].y + minimized[1].y) / 2
                reduced.append(Point(x: x, y: y))
                return
            }
            reduced += minimized
        }

        func leftSegment(_ start: Int, _ stop: Int) {
            let startInterpolated = indexes[start][0]
            let stopInterpolated = indexes[stop][0]
            if startInterpolated == stopInterpolated {
                reduced.append(interpolated[startInterpolated])
                return
            }
            minimizeSegment(
                baseLength: Self.curveLength(leftPoints[start...stop]), count: stop - start + 1,
                start: startInterpolated, stop: stopInterpolated)
        }

        func rightSegment(_ leftPoint: Int) {
            let start = matching[leftPoint][0]
            let stop = matching[leftPoint][matching[leftPoint].count - 1]
            minimizeSegment(
                baseLength: Self.curveLength(rightPoints[start...stop]), count: stop - start + 1,
                start: indexes[leftPoint][0], stop: indexes[leftPoint][indexes[leftPoint].count - 1])
        }

        var previousOpened: Int?
        for i in leftPoints.indices {
            if matching[i].count == 1 {
                if let opened = previousOpened {
                    if matching[i][0] == matching[opened][0] { continue }
                    leftSegment(opened, i - 1)
                    previousOpened = i
                } else {
                    previousOpened = i
                }
            } else {
                if let opened = previousOpened {
                    leftSegment(opened, i - 1)
                    previousOpened = nil
                }
                rightSegment(i)
            }
        }
        if let opened = previousOpened { leftSegment(opened, leftPoints.count - 1) }

        var flat: [Double] = []
        flat.reserveCapacity(reduced.count * 2)
        for point in reduced {
            flat.append(point.x)
            flat.append(point.y)
        }
        return flat
    }
}
