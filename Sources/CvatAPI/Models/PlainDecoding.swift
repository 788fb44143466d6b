package import CvatJSON
import Foundation

// Hand-written decoders for the records there are one of per frame (a tag, a frame of data/meta), which Codable
// decodes at a few microseconds each. Each answers nil for a record it cannot read plainly (see `JSONScanner`'s
// plain values); the caller then decodes that record with JSONDecoder, so the answer and any error are always
// JSONDecoder's. PlainDecodingTests compares them with JSONDecoder on every fixture.

extension AttributeValue {
    package static func plain(_ scanner: JSONScanner, _ range: Range<Int>) -> AttributeValue? {
        var record = PlainRecord()
        var specID: Int?
        var value: String?
        let read = scanner.forEachPlainMember(ofObject: range) { key, member in
            switch key {
            case "spec_id":
                guard record.first(0), let v = scanner.plainInt(member) else { return false }
                specID = v
            case "value":
                guard record.first(1), let v = scanner.plainString(member) else { return false }
                value = v
            default: break
            }
            return true
        }
        guard read, let specID, let value else { return nil }
        return AttributeValue(specID: specID, value: value)
    }

    /// A plain `[AttributeValue]` at `range`, or nil.
    static func plainList(_ scanner: JSONScanner, _ range: Range<Int>) -> [AttributeValue]? {
        var values: [AttributeValue] = []
        let read = scanner.forEachPlainElement(ofArray: range) { element in
            guard let value = plain(scanner, element) else { return false }
            values.append(value)
            return true
        }
        return read ? values : nil
    }
}

extension Tag {
    package static func plain(_ scanner: JSONScanner, _ range: Range<Int>) -> Tag? {
        var record = PlainRecord()
        var tag = Tag(frame: 0, labelID: 0)
        var (hasFrame, hasLabel) = (false, false)
        let read = scanner.forEachPlainMember(ofObject: range) { key, member in
            switch key {
            case "id":
                guard record.first(0), let v = PlainRecord.optionalInt(scanner, member) else { return false }
                tag.id = v
            case "frame":
                guard record.first(1), let v = scanner.plainInt(member) else { return false }
                (tag.frame, hasFrame) = (v, true)
            case "label_id":
                guard record.first(2), let v = scanner.plainInt(member) else { return false }
                (tag.labelID, hasLabel) = (v, true)
            case "group":
                guard record.first(3), let v = PlainRecord.optionalInt(scanner, member) else { return false }
                tag.group = v
            case "source":
                guard record.first(4), let v = PlainRecord.optionalString(scanner, member) else { return false }
                tag.source = v
            case "attributes":
                guard record.first(5) else { return false }
                if scanner.isNull(member) { return true }
                guard let v = AttributeValue.plainList(scanner, member) else { return false }
                tag.attributes = v
            default: break
            }
            return true
        }
        return read && hasFrame && hasLabel ? tag : nil
    }
}

extension DataMeta.FrameMeta {
    package static func plain(_ scanner: JSONScanner, _ range: Range<Int>) -> DataMeta.FrameMeta? {
        var record = PlainRecord()
        var frame = DataMeta.FrameMeta(name: "")
        var hasName = false
        let read = scanner.forEachPlainMember(ofObject: range) { key, member in
            switch key {
            case "name":
                guard record.first(0), let v = scanner.plainString(member) else { return false }
                (frame.name, hasName) = (v, true)
            case "width":
                guard record.first(1), let v = PlainRecord.optionalInt(scanner, member) else { return false }
                frame.width = v
            case "height":
                guard record.first(2), let v = PlainRecord.optionalInt(scanner, member) else { return false }
                frame.height = v
            default: break
            }
            return true
        }
        return read && hasName ? frame : nil
    }
}

extension DataMeta {
    /// `data_meta.json` as JSONDecoder reads it, with its `frames` read plainly when they all can be (one per
    /// frame, they are nearly all of the document); otherwise, and for any error, the whole document by JSONDecoder.
    package static func decode(_ bytes: UnsafeRawBufferPointer) throws -> DataMeta {
        if let (frames, rest) = JSONScanner(bytes).plainArray(member: "frames", FrameMeta.plain),
            var meta = try? JSONDecoder().decode(DataMeta.self, from: Data(rest))
        {
            meta.frames = frames
            return meta
        }
        return try JSONDecoder().decode(DataMeta.self, from: Data(bytes))
    }
}
