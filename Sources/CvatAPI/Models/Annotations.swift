import CvatJSON
import Foundation

/// `LabeledData`: everything annotated in a task, as `GET /api/tasks/{id}/annotations` returns it.
public struct Annotations: Codable, Sendable {
    public var tags: [Tag]
    public var shapes: [Shape]
    public var tracks: [Track]

    public init(tags: [Tag] = [], shapes: [Shape] = [], tracks: [Track] = []) {
        self.tags = tags
        self.shapes = shapes
        self.tracks = tracks
    }

    enum CodingKeys: String, CodingKey { case tags, shapes, tracks }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tags = try container.decodeIfPresent([Tag].self, forKey: .tags) ?? []
        shapes = try container.decodeIfPresent([Shape].self, forKey: .shapes) ?? []
        tracks = try container.decodeIfPresent([Track].self, forKey: .tracks) ?? []
    }
}

public struct AttributeValue: Codable, Sendable, Hashable {
    public var specID: Int
    public var value: String

    public init(specID: Int, value: String) {
        self.specID = specID
        self.value = value
    }
    enum CodingKeys: String, CodingKey {
        case value
        case specID = "spec_id"
    }
}

/// A tag (`LabeledImage`): a label on a whole frame.
public struct Tag: Codable, Sendable, Hashable {
    public var id: Int?
    public var frame: Int
    public var labelID: Int
    /// Absent from servers older than the field; nil then, and written as null.
    public var group: Int?
    /// "manual", "auto", ...; absent from older servers.
    public var source: String?
    public var attributes: [AttributeValue]?

    enum CodingKeys: String, CodingKey {
        case id, frame, group, source, attributes
        case labelID = "label_id"
    }

    public init(
        id: Int? = nil, frame: Int, labelID: Int, group: Int? = nil, source: String? = nil,
        attributes: [AttributeValue]? = nil
    ) {
        self.id = id
        self.frame = frame
        self.labelID = labelID
        self.group = group
        self.source = source
        self.attributes = attributes
    }
}

/// A shape on one frame (`LabeledShape`), or a skeleton's element (`SubLabeledShape`).
public struct Shape: Codable, Sendable, Hashable {
    public var id: Int?
    public var type: String
    public var frame: Int
    public var labelID: Int
    public var points: [Double]
    public var rotation: Double
    public var occluded: Bool
    public var outside: Bool
    public var zOrder: Int
    /// `group`, `source` and `score` are absent from older servers; nil then.
    public var group: Int?
    public var source: String?
    public var score: Double?
    public var attributes: [AttributeValue]?
    public var elements: [Shape]?

    enum CodingKeys: String, CodingKey {
        case id, type, frame, points, rotation, occluded, outside, group, source, score, attributes, elements
        case labelID = "label_id"
        case zOrder = "z_order"
    }

    public init(
        id: Int? = nil, type: String, frame: Int, labelID: Int, points: [Double], rotation: Double = 0,
        occluded: Bool = false, outside: Bool = false, zOrder: Int = 0, group: Int? = nil, source: String? = nil,
        score: Double? = nil, attributes: [AttributeValue]? = nil, elements: [Shape]? = nil
    ) {
        self.id = id
        self.type = type
        self.frame = frame
        self.labelID = labelID
        self.points = points
        self.rotation = rotation
        self.occluded = occluded
        self.outside = outside
        self.zOrder = zOrder
        self.group = group
        self.source = source
        self.score = score
        self.attributes = attributes
        self.elements = elements
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(Int.self, forKey: .id)
        type = try c.decode(String.self, forKey: .type)
        frame = try c.decode(Int.self, forKey: .frame)
        labelID = try c.decode(Int.self, forKey: .labelID)
        points = try c.decodeIfPresent([Double].self, forKey: .points) ?? []
        rotation = try c.decodeIfPresent(Double.self, forKey: .rotation) ?? 0
        occluded = try c.decodeIfPresent(Bool.self, forKey: .occluded) ?? false
        outside = try c.decodeIfPresent(Bool.self, forKey: .outside) ?? false
        zOrder = try c.decodeIfPresent(Int.self, forKey: .zOrder) ?? 0
        group = try c.decodeIfPresent(Int.self, forKey: .group)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        score = try c.decodeIfPresent(Double.self, forKey: .score)
        attributes = try c.decodeIfPresent([AttributeValue].self, forKey: .attributes)
        elements = try c.decodeIfPresent([Shape].self, forKey: .elements)
    }
}

/// A track (`LabeledTrack`): keyframes of one object over several frames.
public struct Track: Codable, Sendable, Hashable {
    public var id: Int?
    public var frame: Int
    public var labelID: Int
    /// `group`, `source` and `score` are absent from older servers; nil then.
    public var group: Int?
    public var source: String?
    public var score: Double?
    public var shapes: [TrackedShape]
    public var attributes: [AttributeValue]?
    public var elements: [Track]?

    enum CodingKeys: String, CodingKey {
        case id, frame, group, source, score, shapes, attributes, elements
        case labelID = "label_id"
    }
}

/// One keyframe of a track (`TrackedShape`).
public struct TrackedShape: Codable, Sendable, Hashable {
    public var id: Int?
    public var type: String
    public var frame: Int
    public var points: [Double]
    public var rotation: Double
    public var occluded: Bool
    public var outside: Bool
    public var zOrder: Int
    public var attributes: [AttributeValue]?

    enum CodingKeys: String, CodingKey {
        case id, type, frame, points, rotation, occluded, outside, attributes
        case zOrder = "z_order"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(Int.self, forKey: .id)
        type = try c.decode(String.self, forKey: .type)
        frame = try c.decode(Int.self, forKey: .frame)
        points = try c.decodeIfPresent([Double].self, forKey: .points) ?? []
        rotation = try c.decodeIfPresent(Double.self, forKey: .rotation) ?? 0
        occluded = try c.decodeIfPresent(Bool.self, forKey: .occluded) ?? false
        outside = try c.decodeIfPresent(Bool.self, forKey: .outside) ?? false
        zOrder = try c.decodeIfPresent(Int.self, forKey: .zOrder) ?? 0
        attributes = try c.decodeIfPresent([AttributeValue].self, forKey: .attributes)
    }
}

/// Why an annotations document could not be read element by element: where, and what was wrong.
package struct AnnotationsReadError: Error, Sendable, CustomStringConvertible {
    package var description: String
}

extension Annotations {
    /// Decodes a `LabeledData` document one element of `tags`, `shapes` and `tracks` at a time, so that only the
    /// decoded values are ever held, never Foundation's map of the whole document (several times its size).
    ///
    /// Reads what `JSONDecoder().decode(Annotations.self, ...)` reads: missing or null lists are empty, other
    /// members are ignored (but must be valid JSON). With `includeTracks == false` the tracks are checked for
    /// syntax only and left out, for exports that never look at them. `onProgress` gets byte offsets below which
    /// the scan has finished with the document (see `JSONScanner`); passes over the document restart from lower
    /// offsets.
    package static func decodeStreaming(
        _ bytes: UnsafeRawBufferPointer, includeTracks: Bool = true, onProgress: ((Int) -> Void)? = nil
    ) throws(AnnotationsReadError) -> Annotations {
        let scanner = JSONScanner(bytes, onProgress: onProgress)
        let members: [(key: String, value: Range<Int>)]
        do {
            members = try scanner.topLevelMembers()
        } catch {
            throw AnnotationsReadError(description: "malformed JSON: \(error)")
        }
        // A repeated key counts once, its last value, as Foundation's decoders read one.
        var ranges: [String: Range<Int>] = [:]
        for member in members where ["tags", "shapes", "tracks"].contains(member.key) {
            ranges[member.key] = member.value
        }
        let decoder = JSONDecoder()
        func list<T: Decodable>(
            _ key: String, _ type: T.Type, plain: ((JSONScanner, Range<Int>) -> T?)? = nil
        ) throws(AnnotationsReadError) -> [T] {
            guard let range = ranges[key], !scanner.isNull(range) else { return [] }
            var values: [T] = []
            var index = 0
            do throws(JSONScanner.ElementError<DecodingError>) {
                try scanner.forEachElement(ofArray: range) { (element: Range<Int>) throws(DecodingError) in
                    if let value = plain?(scanner, element) {
                        values.append(value)
                        index += 1
                        onProgress?(element.upperBound)
                        return
                    }
                    let data = Data(UnsafeRawBufferPointer(rebasing: bytes[element]))
                    do {
                        values.append(try decoder.decode(type, from: data))
                    } catch let error as DecodingError {
                        throw error
                    } catch {
                        throw DecodingError.dataCorrupted(
                            DecodingError.Context(codingPath: [], debugDescription: "\(error)"))
                    }
                    index += 1
                    onProgress?(element.upperBound)
                }
            } catch {
                switch error {
                case .syntax(let syntax):
                    throw AnnotationsReadError(description: "'\(key)' is not a JSON array: \(syntax)")
                case .element(let decoding):
                    throw AnnotationsReadError(
                        description: "\(key)[\(index)]: \(DecodingErrorText.describe(decoding))")
                }
            }
            return values
        }
        var annotations = Annotations()
        annotations.tags = try list("tags", Tag.self, plain: Tag.plain)
        annotations.shapes = try list("shapes", Shape.self)
        if includeTracks { annotations.tracks = try list("tracks", Track.self) }
        return annotations
    }
}
