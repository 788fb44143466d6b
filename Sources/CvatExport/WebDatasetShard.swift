import CvatCodecs
import CvatGeometry
import CvatTargets
import CvatTensors
import Foundation

/// One `--format webdataset` shard: `shard-NNNNN.tar`, each sample's members one after another under one key
/// (`000000042.npy`, `.cls`, `.mask.npy`, `.json`), and DALI's index of it, `shard-NNNNN.idx`.
///
/// Samples stream into the tar as they arrive; only the sample being written and the index's one line per sample
/// are in memory.
final class WebDatasetShard: ShardWriter {
    private let folder: URL
    private let name: String
    private let options: ExportOptions
    private let keypointCount: Int
    private let semanticWide: Bool
    private let attributes: AttributeColumns?
    private let tar: TarWriter
    private var index = WebDatasetIndex()
    /// The members `byteCount(of:)` made, kept for the `append` of the same key that follows.
    private var prepared: (key: Int, members: [Member])?

    /// A tar member: its name and its data in pieces (an `.npy` header and the pixels, without joining them).
    struct Member {
        var name: String
        var pieces: [[UInt8]]
        var size: Int { pieces.reduce(0) { $0 + $1.count } }
    }

    /// `name` is the shard's file name without extension (`shard-00000`).
    init(
        folder: URL, name: String, options: ExportOptions, keypointCount: Int, semanticWide: Bool,
        attributes: AttributeColumns?
    ) throws {
        self.folder = folder
        self.name = name
        self.options = options
        self.keypointCount = keypointCount
        self.semanticWide = semanticWide
        self.attributes = attributes
        do throws(TensorWriteError) {
            tar = try TarWriter(path: folder.appendingPathComponent(name + ".tar").path)
        } catch {
            throw ExportError(wrapping: error, "\(error)")
        }
    }

    var byteCount: Int { tar.length }

    func byteCount(of sample: SampleOutput, record: Manifest.Sample, key: Int) throws -> Int {
        let members = try self.members(sample, record: record, key: key)
        prepared = (key, members)
        return members.reduce(0) { $0 + TarWriter.memberLength(dataBytes: $1.size) }
    }

    func append(_ sample: SampleOutput, record: Manifest.Sample, key: Int) throws {
        let members: [Member]
        if let prepared, prepared.key == key {
            members = prepared.members
        } else {
            members = try self.members(sample, record: record, key: key)
        }
        prepared = nil
        var entries: [WebDatasetIndex.Member] = []
        do throws(TensorWriteError) {
            for member in members {
                let offset = try tar.beginMember(name: member.name, size: member.size)
                for piece in member.pieces { try tar.write(piece) }
                try tar.endMember()
                entries.append(WebDatasetIndex.Member(name: member.name, offset: offset, size: member.size))
            }
        } catch {
            throw ExportError(wrapping: error, "\(error)")
        }
        index.add(sample: entries)
    }

    func finishShard(index shardIndex: Int, samples: Range<Int>) throws -> Manifest.Shard {
        let indexName = name + ".idx"
        var shard = Manifest.Shard(index: shardIndex, samples: samples, arrays: [:])
        do throws(TensorWriteError) {
            let (bytes, sha256) = try tar.finish()
            try index.write(to: folder.appendingPathComponent(indexName).path)
            shard.file = name + ".tar"
            shard.bytes = bytes
            shard.sha256 = sha256
            shard.daliIndex = indexName
        } catch {
            throw ExportError(wrapping: error, "\(error)")
        }
        return shard
    }

    /// A sample's key: its number, zero-padded to 9 digits (no dot: WebDataset splits names at the first one).
    static func key(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 9 - digits.count)) + digits
    }

    /// The sample's members, in the order they are written: the image, the class, the masks, the JSON.
    func members(_ sample: SampleOutput, record: Manifest.Sample, key number: Int) throws -> [Member] {
        let key = Self.key(number)
        var members: [Member] = []
        let (width, height) = (sample.outputSize.width, sample.outputSize.height)
        if options.keepEncoded {
            let ext: String
            switch ImageFormat.sniff(sample.image) {
            case .jpeg?: ext = "jpg"
            case .png?: ext = "png"
            case nil:
                throw ExportError(
                    .data,
                    "task \(record.taskID), frame \(record.frame) (\(record.name)): the frame's bytes are neither "
                        + "JPEG nor PNG, which --keep-encoded stores as they are; export it without --keep-encoded")
            }
            members.append(Member(name: "\(key).\(ext)", pieces: [sample.image]))
        } else {
            let dtype: DType = options.pixelType == .uint8 ? .uint8 : .float32
            let shape = options.layout == .hwc ? [height, width, 3] : [3, height, width]
            members.append(Member(name: "\(key).npy", pieces: [dtype.npyHeader(shape: shape), sample.image]))
        }
        if options.target == .label, let label = sample.targets.label {
            members.append(Member(name: "\(key).cls", pieces: [Array(String(label).utf8)]))
        }
        if options.target == .masks || options.target == .semantic {
            let dtype: DType = options.target == .semantic && semanticWide ? .uint16 : .uint8
            let shape = options.target == .semantic ? [height, width] : [sample.targets.boxes.count, height, width]
            members.append(
                Member(name: "\(key).mask.npy", pieces: [dtype.npyHeader(shape: shape), sample.targets.masks]))
        }
        members.append(Member(name: "\(key).json", pieces: [json(sample, record: record, key: key)]))
        return members
    }

    /// The `.json` member: the sample's record, its targets (under the names of the array formats' arrays) and
    /// its annotations.jsonl line, with sorted keys.
    func json(_ sample: SampleOutput, record: Manifest.Sample, key: String) -> [UInt8] {
        var fields: [(String, String)] = []
        if let line = sample.annotationLine {
            let text = String(decoding: line, as: UTF8.self)
            fields.append(("annotations", text.hasSuffix("\n") ? String(text.dropLast()) : text))
        }
        fields.append(("frame", String(record.frame)))
        fields.append(("height", String(record.height)))
        if let job = record.jobID { fields.append(("job_id", String(job))) }
        fields.append(("key", JSONText.string(key)))
        fields.append(("name", JSONText.string(record.name)))
        if let source = record.sourceFrame { fields.append(("source_frame", String(source))) }
        fields.append(("targets", targets(sample.targets)))
        fields.append(("task_id", String(record.taskID)))
        fields.append(("width", String(record.width)))
        return Array(JSONText.object(fields).utf8)
    }

    private func targets(_ targets: SampleTargets) -> String {
        var fields: [(String, String)] = []
        if options.target == .label {
            if let label = targets.label { fields.append(("label", String(label))) }
            if let tag = targets.tag {
                fields.append(("tag_id", String(tag.id)))
                if let attributes { fields.append(("tag_attributes", JSONText.floats(attributes.encode(tag)))) }
            }
        }
        if options.target.writesBoxes {
            let boxes = targets.boxes
            fields.append(("boxes", JSONText.nested(boxes.corners.map(JSONText.float), trailing: [4])))
            fields.append(("box_labels", JSONText.array(boxes.labels.map { String($0) })))
            if options.includeTracks {
                fields.append(("box_track_ids", JSONText.array(boxes.trackIDs.map { String($0) })))
            }
            fields.append(("box_shape_ids", JSONText.array(boxes.shapeIDs.map { String($0) })))
            fields.append(("box_occluded", JSONText.array(boxes.occluded.map { String($0) })))
            fields.append(("box_group", JSONText.array(boxes.groups.map { String($0) })))
            fields.append(("box_z_order", JSONText.array(boxes.zOrders.map { String($0) })))
            if let attributes {
                let values = attributes.encode(boxes.attributed).map(JSONText.float)
                fields.append(("box_attributes", JSONText.nested(values, trailing: [attributes.count])))
            }
        }
        if options.target == .keypoints {
            let points = targets.keypoints.map(JSONText.float)
            fields.append(("keypoints", JSONText.nested(points, trailing: [keypointCount, 3])))
        }
        return JSONText.object(fields.sorted { $0.0 < $1.0 })
    }
}

/// The little JSON the `.json` member needs, written by hand so that float32 values keep their shortest digits
/// and the annotation line goes in as it is.
enum JSONText {
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }

    static func array(_ values: [String]) -> String { "[" + values.joined(separator: ", ") + "]" }

    /// `values` (C order) as nested lists whose dimensions after the first are `trailing`: rows of boxes
    /// ([4]) or keypoints ([P, 3]); an empty list for no rows.
    static func nested(_ values: [String], trailing: [Int]) -> String {
        guard !trailing.isEmpty else { return array(values) }
        let rowSize = trailing.reduce(1, *)
        guard rowSize > 0 else { return "[]" }
        return array(
            stride(from: 0, to: values.count, by: rowSize).map { start in
                let row = Array(values[start..<(start + rowSize)])
                return trailing.count == 1 ? array(row) : nested(row, trailing: Array(trailing.dropFirst()))
            }
        )
    }

    static func floats(_ values: [Float]) -> String { array(values.map(float)) }

    /// The shortest digits that read back as the same float32; null for NaN and the infinities, which JSON lacks.
    static func float(_ value: Float) -> String { value.isFinite ? "\(value)" : "null" }

    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
