import CvatGeometry
import Testing

@Suite struct BoundingBoxTests {
    @Test func pointShapesTakeMinAndMaxAsCvatSDK() {
        #expect(
            boundingBox(of: ShapeGeometry(type: .rectangle, points: [10, 20, 30, 40]))
                == Box(xmin: 10, ymin: 20, xmax: 30, ymax: 40))
        // A rectangle drawn right-to-left still gives an ordered box.
        #expect(
            boundingBox(of: ShapeGeometry(type: .rectangle, points: [30, 40, 10, 20]))
                == Box(xmin: 10, ymin: 20, xmax: 30, ymax: 40))
        #expect(
            boundingBox(of: ShapeGeometry(type: .polygon, points: [5, 1, 9.5, 7, 2, 3.25]))
                == Box(xmin: 2, ymin: 1, xmax: 9.5, ymax: 7))
        #expect(
            boundingBox(of: ShapeGeometry(type: .polyline, points: [3, 4, 1, 8]))
                == Box(xmin: 1, ymin: 4, xmax: 3, ymax: 8))
        #expect(
            boundingBox(of: ShapeGeometry(type: .points, points: [7, 8])) == Box(xmin: 7, ymin: 8, xmax: 7, ymax: 8))
    }

    @Test func maskBoxIsTheInclusiveBoxMadeExclusive() {
        // Task 22 shape 69 in API.md §1.10: bbox [458, 87, 536, 158].
        let shape = ShapeGeometry(type: .mask, points: [5, 3, 458, 87, 536, 158])
        #expect(boundingBox(of: shape) == Box(xmin: 458, ymin: 87, xmax: 537, ymax: 159))
        #expect(boundingBox(of: ShapeGeometry(type: .mask, points: [1, 2, 3, 4])) == nil)
    }

    @Test func ellipseFullBoxVersusCvatSDKQuarter() {
        // cx=50, cy=40, right point x=80 (rx=30), top point y=30 (ry=10).
        let shape = ShapeGeometry(type: .ellipse, points: [50, 40, 80, 30])
        #expect(boundingBox(of: shape) == Box(xmin: 20, ymin: 30, xmax: 80, ymax: 50))
        #expect(boundingBox(of: shape, ellipse: .cvatSDK) == Box(xmin: 50, ymin: 30, xmax: 80, ymax: 40))
    }

    @Test func rotatedRectangleQuarterTurnIsExact() {
        // 40x10 box centred on (50, 50); a quarter turn makes it 10x40 about the same centre.
        let shape = ShapeGeometry(type: .rectangle, points: [30, 45, 70, 55], rotation: 90)
        #expect(boundingBox(of: shape) == Box(xmin: 45, ymin: 30, xmax: 55, ymax: 70))
        #expect(
            boundingBox(of: ShapeGeometry(type: .rectangle, points: [30, 45, 70, 55], rotation: 180))
                == Box(xmin: 30, ymin: 45, xmax: 70, ymax: 55))
    }

    @Test func rotatedRectangleFortyFiveDegrees() throws {
        let box = try #require(boundingBox(of: ShapeGeometry(type: .rectangle, points: [0, 0, 20, 10], rotation: 45)))
        // Half-extents of a 20x10 box turned 45°: (10 + 5) / sqrt(2) each way about (10, 5).
        let h = 15 / 2.0.squareRoot()
        #expect(abs(box.xmin - (10 - h)) < 1e-9 && abs(box.xmax - (10 + h)) < 1e-9)
        #expect(abs(box.ymin - (5 - h)) < 1e-9 && abs(box.ymax - (5 + h)) < 1e-9)
    }

    @Test func rotatedEllipseIsAnalytic() throws {
        // rx=30, ry=10; a quarter turn swaps the extents.
        #expect(
            boundingBox(of: ShapeGeometry(type: .ellipse, points: [50, 40, 80, 30], rotation: 90))
                == Box(xmin: 40, ymin: 10, xmax: 60, ymax: 70))
        let box = try #require(boundingBox(of: ShapeGeometry(type: .ellipse, points: [0, 0, 30, -10], rotation: 30)))
        // hx = sqrt((30 cos30)^2 + (10 sin30)^2) = sqrt(675 + 25)
        #expect(abs(box.xmax - 700.0.squareRoot()) < 1e-9)
        // hy = sqrt((30 sin30)^2 + (10 cos30)^2) = sqrt(225 + 75)
        #expect(abs(box.ymax - 300.0.squareRoot()) < 1e-9)
    }

    @Test func rotatedPolygonTurnsClockwiseAboutItsBoxCentre() throws {
        // A right triangle with its corner at the top-left; turning 90° clockwise (y down) puts that corner at
        // the top-right of the same square box, so the box stays put, but a lone off-centre point moves.
        let tri = ShapeGeometry(type: .polygon, points: [0, 0, 10, 0, 0, 10], rotation: 90)
        #expect(boundingBox(of: tri) == Box(xmin: 0, ymin: 0, xmax: 10, ymax: 10))
        // Points (0,0) and (10,4): centre (5,2). Clockwise 90°: (x,y) -> (cx - dy, cy + dx).
        let pts = ShapeGeometry(type: .points, points: [0, 0, 10, 4], rotation: 90)
        #expect(boundingBox(of: pts) == Box(xmin: 3, ymin: -3, xmax: 7, ymax: 7))
        let line = ShapeGeometry(type: .polyline, points: [0, 0, 10, 0], rotation: 270)
        #expect(boundingBox(of: line) == Box(xmin: 5, ymin: -5, xmax: 5, ymax: 5))
    }

    @Test(arguments: [
        ShapeGeometry(type: .skeleton, points: []),
        ShapeGeometry(type: .polygon, points: []),
        ShapeGeometry(type: .polygon, points: [1, 2, 3]),
        ShapeGeometry(type: .ellipse, points: [1, 2, 3]),
        ShapeGeometry(type: .rectangle, points: [1, 2, .nan, 4]),
    ])
    func unusableGeometryHasNoBox(shape: ShapeGeometry) {
        #expect(boundingBox(of: shape) == nil)
    }
}
