import CvatAPI
import CvatGeometry
import CvatTargets
import Foundation
import Testing

/// annotations.jsonl lines, attribute columns and skeleton edges, in process.
@Suite("annotation lines and attributes")
struct AnnotationLineTests {
    static let labels: [LabelModel] = [
        LabelModel(
            id: 10, name: "car", type: "rectangle",
            attributes: [
                AttributeSpec(
                    id: 2, name: "colour", inputType: "select", values: ["red", "blue"], defaultValue: "red"),
                AttributeSpec(
                    id: 3, name: "parked", inputType: "checkbox", mutable: true, values: ["false"],
                    defaultValue: "false"),
                AttributeSpec(id: 4, name: "plate", inputType: "text", values: [""], defaultValue: ""),
            ]),
        LabelModel(
            id: 11, name: "person", type: "any",
            attributes: [
                AttributeSpec(id: 5, name: "age", inputType: "number", values: ["0", "120", "1"], defaultValue: "30"),
                AttributeSpec(
                    id: 6, name: "colour", inputType: "radio", values: ["dark", "light"], defaultValue: "dark"),
            ]),
        LabelModel(
            id: 17, name: "body", type: "skeleton",
            sublabels: [.init(id: 18, name: "head"), .init(id: 19, name: "hand")]),
    ]

    static func line(tags: [CvatAPI.Tag] = [], shapes: [FrameShape]) throws -> [String: Any] {
        let bytes = AnnotationLine.encode(
            taskID: 4, frame: 0, tags: tags, shapes: shapes, catalog: LabelCatalog(labels))
        #expect(bytes.last == 0x0A, "one line, newline-terminated")
        #expect(bytes.dropLast().contains(0x0A) == false)
        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        return try #require(object as? [String: Any])
    }

    @Test("a plain shape: every REST field in the model's order, names added after the ids they name")
    func plainShape() throws {
        let shape = Shape(
            id: 7, type: "rectangle", frame: 0, labelID: 10, points: [1.5, 2, 3, 4], rotation: 30, occluded: true,
            zOrder: 2, group: 5, source: "auto", score: 0.87, attributes: [AttributeValue(specID: 2, value: "blue")])
        let frameShapes = try TargetInputs.frameShapes([shape])
        let text = String(
            decoding: AnnotationLine.encode(
                taskID: 4, frame: 0, tags: [], shapes: frameShapes, catalog: LabelCatalog(Self.labels)),
            as: UTF8.self)
        #expect(
            text
                == #"{"task_id":4,"frame":0,"tags":[],"shapes":[{"type":"rectangle","label_id":10,"label":"car","#
                + #""frame":0,"occluded":true,"outside":false,"z_order":2,"rotation":30.0,"points":[1.5,2.0,3.0,4.0],"#
                + #""id":7,"group":5,"source":"auto","attributes":[{"spec_id":2,"name":"colour","value":"blue"}],"#
                + #""score":0.87,"elements":[]}]}"# + "\n")
    }

    @Test("fields an older server leaves out are null; strings are escaped")
    func nullsAndEscapes() throws {
        let tag = CvatAPI.Tag(frame: 0, labelID: 11, attributes: [AttributeValue(specID: 99, value: "a \"b\"\n\u{1}")])
        let line = try Self.line(tags: [tag], shapes: [])
        let written = try #require((line["tags"] as? [[String: Any]])?.first)
        #expect(written["id"] is NSNull && written["group"] is NSNull && written["source"] is NSNull)
        let attribute = try #require((written["attributes"] as? [[String: Any]])?.first)
        #expect(attribute["value"] as? String == "a \"b\"\n\u{1}")
        #expect(attribute["name"] is NSNull, "a spec id no label defines has no name")
    }

    @Test("a track's shape: track id, keyframe, the keyframe's id only on a stored keyframe, attributes merged")
    func trackShapes() throws {
        let track = try TargetInputs.decode(
            Track.self,
            #"{"id": 3, "frame": 0, "label_id": 10, "group": 4, "source": "manual", "attributes": "#
                + #"[{"spec_id": 2, "value": "blue"}], "shapes": ["#
                + #"{"id": 41, "type": "rectangle", "frame": 0, "points": [0, 0, 10, 10], "#
                + #""attributes": [{"spec_id": 3, "value": "true"}]}, "#
                + #"{"id": 42, "type": "rectangle", "frame": 2, "points": [2, 2, 12, 12], "attributes": []}]}"#)
        let annotations = try FrameAnnotations(
            Annotations(tracks: [track]), activeFrames: [0, 1, 2],
            tracks: TrackContext(endFrame: 3, deletedFrames: [], dimension: .twoD))
        var lines: [[String: Any]] = []
        for frame in [0, 1, 2] { lines.append(try Self.line(shapes: annotations.shapes[frame] ?? [])) }
        let shapes = lines.map { ($0["shapes"] as? [[String: Any]])?.first ?? [:] }
        #expect(shapes.map { $0["track_id"] as? Int } == [3, 3, 3])
        #expect(shapes.map { $0["keyframe"] as? Bool } == [true, false, true])
        #expect(shapes[0]["id"] as? Int == 41 && shapes[1]["id"] is NSNull && shapes[2]["id"] as? Int == 42)
        #expect(shapes.allSatisfy { $0["group"] as? Int == 4 && $0["score"] is NSNull })
        // The mutable value set on frame 0 is carried to frames 1 and 2, the track's immutable one follows.
        let values = shapes.map { (($0["attributes"] as? [[String: Any]]) ?? []).map { $0["name"] as? String } }
        #expect(values == [["parked", "colour"], ["parked", "colour"], ["parked", "colour"]])
        #expect((shapes[1]["points"] as? [Double]) == [1, 1, 11, 11])
    }

    @Test("columns: every label's specs in label-id order, or those named; encoding of each input type")
    func encoding() throws {
        let all = try AttributeColumns(labels: Self.labels, selection: .all)
        #expect(all.columns.map(\.name) == ["colour", "parked", "plate", "age", "colour"])
        var columns = try AttributeColumns(labels: Self.labels, selection: .names(["colour", "age", "plate"]))
        #expect(
            columns.columns.map { "\($0.labelName).\($0.name)" } == [
                "car.colour", "car.plate", "person.age", "person.colour",
            ])
        var annotations = FrameAnnotations()
        annotations.shapes[0] = try TargetInputs.frameShapes([
            Shape(
                type: "rectangle", frame: 0, labelID: 10, points: [0, 0, 1, 1],
                attributes: [
                    AttributeValue(specID: 4, value: "XY-1"), AttributeValue(specID: 4, value: "AB-2"),
                ])
        ])
        columns.collectTextValues(annotations)
        #expect(columns.strings == [1: ["AB-2", "XY-1"]], "sorted, so that every slice numbers them alike")
        let car = AttributedRow(
            labelID: 10,
            attributes: [AttributeValue(specID: 2, value: "blue"), AttributeValue(specID: 4, value: "XY-1")])
        let person = AttributedRow(
            labelID: 11,
            attributes: [AttributeValue(specID: 5, value: " 42.5 "), AttributeValue(specID: 6, value: "light")])
        let values = columns.encode([car, person])
        #expect(Array(values[0..<2]) == [1, 1] && values[2].isNaN && values[3].isNaN)
        #expect(values[4].isNaN && values[5].isNaN && Array(values[6..<8]) == [42.5, 1])
    }

    @Test("checkbox values, a value the spec does not allow, and a missing value")
    func checkboxAndMissing() throws {
        let columns = try AttributeColumns(labels: Self.labels, selection: .names(["parked", "colour"]))
        func row(_ values: [(Int, String)]) -> [Float] {
            columns.encode(AttributedRow(labelID: 10, attributes: values.map { AttributeValue(specID: $0, value: $1) }))
        }
        let yes = row([(2, "red"), (3, "True")])
        #expect(yes[0] == 0 && yes[1] == 1 && yes[2].isNaN, "person's colour is NaN on a car row")
        let odd = row([(2, "green"), (3, "maybe")])
        #expect(odd[0].isNaN && odd[1].isNaN)
        let none = row([])
        #expect(none.allSatisfy { $0.isNaN })
        #expect(row([(3, "false")])[1] == 0)
    }

    @Test("a name no label has is an error that lists every label's attributes")
    func unknownName() throws {
        #expect(throws: UnknownAttributeError.self) {
            try AttributeColumns(labels: Self.labels, selection: .names(["colour", "wings"]))
        }
        do {
            _ = try AttributeColumns(labels: Self.labels, selection: .names(["wings"]))
        } catch {
            #expect(error.names == ["wings"])
            #expect(error.description.contains("car: colour, parked, plate; person: age, colour"), "\(error)")
        }
    }

    @Test("skeleton edges from CVAT's SVG, node ids mapped through the circles' label ids")
    func edges() {
        let svg =
            #"<line x1="1" data-type="edge" data-node-from="2" data-node-to="1"></line>"#
            + #"<line data-type="edge" data-node-from="1" data-node-to="9"></line>"#
            + #"<circle r="1.5" data-type="element node" data-element-id="1" data-node-id="1" "#
            + #"data-label-id="19"></circle>"#
            + #"<circle r="1.5" data-type="element node" data-element-id="2" data-node-id="2" "#
            + #"data-label-id="18"></circle>"#
        #expect(SkeletonEdges.parse(svg: svg, sublabelIDs: [18, 19]) == [[0, 1]], "node 9 is not drawn")
        #expect(SkeletonEdges.parse(svg: "", sublabelIDs: [18, 19]) == [])
    }

    @Test("box rows carry the side columns of their shape")
    func sideColumns() throws {
        let shapes = try TargetInputs.frameShapes([
            Shape(
                id: 5, type: "rectangle", frame: 0, labelID: 1, points: [0, 0, 2, 2], occluded: true, zOrder: -3,
                group: 7),
            Shape(type: "rectangle", frame: 0, labelID: 2, points: [1, 1, 3, 3]),
        ])
        let targets = try TargetInputs.extractor(.bboxes).targets(
            tags: [], shapes: shapes, plan: try TargetInputs.plan(4, 4))
        #expect(targets.boxes.shapeIDs == [5, -1])
        #expect(targets.boxes.occluded == [1, 0])
        #expect(targets.boxes.groups == [7, 0])
        #expect(targets.boxes.zOrders == [-3, 0])
        #expect(targets.boxes.attributed.map(\.labelID) == [1, 2])
    }

    @Test("label: the tag's id and attributes go with the class index")
    func tagRow() throws {
        let tag = CvatAPI.Tag(id: 12, frame: 0, labelID: 2, attributes: [AttributeValue(specID: 1, value: "x")])
        let targets = try TargetInputs.extractor(.label).targets(
            tags: [tag], shapes: [], plan: try TargetInputs.plan(4, 4))
        #expect(targets.label == 1)
        #expect(targets.tag == AttributedRow(labelID: 2, id: 12, attributes: [AttributeValue(specID: 1, value: "x")]))
    }
}
