package import CvatAPI

/// One line of annotations.jsonl: a frame's tags and shapes with every field CVAT's REST API gives, in CVAT's
/// own (source image) coordinates.
///
/// Built byte by byte rather than with `JSONEncoder` so that the key order is fixed (the order of the fields in
/// cvat-sdk's `LabeledImage` / `LabeledShape` models, with the names cvat-ds adds after the ids they name) and
/// the output is the same on every run. Fields an older server leaves out are written as null.
package enum AnnotationLine {
    /// The line, with its final newline. `shapes` are the frame's shapes in `FrameAnnotations` order: plain
    /// shapes as stored, then the tracks' shapes in track order.
    package static func encode(
        taskID: Int, frame: Int, tags: [Tag], shapes: [FrameShape], catalog: LabelCatalog
    ) -> [UInt8] {
        var json = JSONBytes()
        json.open("{")
        json.key("task_id")
        json.int(taskID)
        json.key("frame")
        json.int(frame)
        json.key("tags")
        json.open("[")
        for tag in tags {
            json.element()
            encode(tag, into: &json, catalog: catalog)
        }
        json.close("]")
        json.key("shapes")
        json.open("[")
        for shape in shapes {
            json.element()
            encode(shape, into: &json, catalog: catalog)
        }
        json.close("]")
        json.close("}")
        json.bytes.append(0x0A)
        return json.bytes
    }

    private static func encode(_ tag: Tag, into json: inout JSONBytes, catalog: LabelCatalog) {
        json.open("{")
        json.key("label_id")
        json.int(tag.labelID)
        json.key("label")
        json.string(catalog.labelNames[tag.labelID])
        json.key("frame")
        json.int(tag.frame)
        json.key("id")
        json.int(tag.id)
        json.key("group")
        json.int(tag.group)
        json.key("source")
        json.string(tag.source)
        json.key("attributes")
        encode(tag.attributes ?? [], into: &json, catalog: catalog)
        json.close("}")
    }

    private static func encode(_ shape: FrameShape, into json: inout JSONBytes, catalog: LabelCatalog) {
        json.open("{")
        common(
            type: shape.kind.rawValue, labelID: shape.labelID, frame: shape.frame, occluded: shape.occluded,
            outside: shape.outside, zOrder: shape.zOrder, rotation: shape.rotation, points: shape.points,
            details: shape.details, into: &json, catalog: catalog)
        json.key("elements")
        json.open("[")
        for element in shape.elements {
            json.element()
            json.open("{")
            common(
                type: element.type, labelID: element.labelID, frame: shape.frame, occluded: element.occluded,
                outside: element.outside, zOrder: element.zOrder, rotation: element.rotation, points: element.points,
                details: element.details, into: &json, catalog: catalog)
            track(element.origin, element.details, into: &json)
            json.close("}")
        }
        json.close("]")
        track(shape.origin, shape.details, into: &json)
        json.close("}")
    }

    /// The fields shapes and skeleton elements share, in `LabeledShape` order up to `score`.
    private static func common(
        type: String, labelID: Int, frame: Int, occluded: Bool, outside: Bool, zOrder: Int, rotation: Double,
        points: [Double], details: ShapeDetails, into json: inout JSONBytes, catalog: LabelCatalog
    ) {
        json.key("type")
        json.string(type)
        json.key("label_id")
        json.int(labelID)
        json.key("label")
        json.string(catalog.labelNames[labelID])
        json.key("frame")
        json.int(frame)
        json.key("occluded")
        json.bool(occluded)
        json.key("outside")
        json.bool(outside)
        json.key("z_order")
        json.int(zOrder)
        json.key("rotation")
        json.double(rotation)
        json.key("points")
        json.open("[")
        for value in points {
            json.element()
            json.double(value)
        }
        json.close("]")
        json.key("id")
        json.int(details.id)
        json.key("group")
        json.int(details.group)
        json.key("source")
        json.string(details.source)
        json.key("attributes")
        encode(details.attributes, into: &json, catalog: catalog)
        json.key("score")
        json.double(details.score)
    }

    /// `track_id` and `keyframe`, on the shapes made from a track only.
    private static func track(_ origin: ShapeOrigin, _ details: ShapeDetails, into json: inout JSONBytes) {
        guard case .track(let id) = origin else { return }
        json.key("track_id")
        json.int(id)
        json.key("keyframe")
        json.bool(details.keyframe ?? false)
    }

    private static func encode(_ attributes: [AttributeValue], into json: inout JSONBytes, catalog: LabelCatalog) {
        json.open("[")
        for attribute in attributes {
            json.element()
            json.open("{")
            json.key("spec_id")
            json.int(attribute.specID)
            json.key("name")
            json.string(catalog.attributeNames[attribute.specID])
            json.key("value")
            json.string(attribute.value)
            json.close("}")
        }
        json.close("]")
    }
}

/// Compact JSON written into a byte buffer, commas placed by `key` and `element`.
struct JSONBytes {
    var bytes: [UInt8] = []
    /// Per open container: whether it already holds a member.
    private var nonEmpty: [Bool] = []

    mutating func open(_ bracket: Character) {
        bytes.append(bracket.asciiValue!)
        nonEmpty.append(false)
    }

    mutating func close(_ bracket: Character) {
        bytes.append(bracket.asciiValue!)
        nonEmpty.removeLast()
    }

    /// Before an array element: the comma that separates it from the previous one.
    mutating func element() {
        if nonEmpty[nonEmpty.count - 1] { bytes.append(UInt8(ascii: ",")) }
        nonEmpty[nonEmpty.count - 1] = true
    }

    mutating func key(_ name: String) {
        element()
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func int(_ value: Int?) {
        guard let value else { return null() }
        bytes += Array(String(value).utf8)
    }

    mutating func bool(_ value: Bool) {
        bytes += Array((value ? "true" : "false").utf8)
    }

    /// The shortest text that reads back as the same `Double` (Swift's `description`); JSON has no NaN or
    /// infinity, so those are null.
    mutating func double(_ value: Double?) {
        guard let value, value.isFinite else { return null() }
        bytes += Array(value.description.utf8)
    }

    mutating func string(_ value: String?) {
        guard let value else { return null() }
        bytes.append(UInt8(ascii: "\""))
        for unit in value.utf8 {
            switch unit {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += Array("\\u00".utf8) + [hex[Int(unit >> 4)], hex[Int(unit & 0xF)]]
            default: bytes.append(unit)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func null() {
        bytes += Array("null".utf8)
    }
}
