public import CvatErrors

/// Why a label map could not be built; each case names what to fix.
///
/// Built by static functions named as its cases were when it was an enum, so throw sites read as before.
public struct LabelMapError: KindedError, Sendable, Hashable {
    public enum Kind: ErrorKind {
        /// The user's name→index map has no entry for a label of the task (cvat-sdk raises `KeyError` here).
        case missingLabel
        /// The user's map gives a label a negative index.
        case negativeIndex
        /// Two labels share an id, so annotations could not say which one they mean.
        case duplicateLabelID
        /// The offset would produce negative indices.
        case negativeOffset

        /// The map and the offset are the user's; two labels with one id are the server's data.
        public var category: ErrorCategory {
            switch self {
            case .missingLabel, .negativeIndex, .negativeOffset: .usage
            case .duplicateLabelID: .data
            }
        }
    }

    public var kind: Kind
    public var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `mappedNames` are the names the map does have, sorted.
    private static func quoted(_ names: [String]) -> String {
        names.isEmpty ? "nothing" : names.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    public static func missingLabel(name: String, labelID: Int, mappedNames: [String]) -> Self {
        Self(
            .missingLabel,
            "the label map has no index for label \"\(name)\" (id \(labelID)); every label of the task needs "
                + "one. The map names: \(Self.quoted(mappedNames))")
    }

    public static func negativeIndex(name: String, index: Int) -> Self {
        Self(.negativeIndex, "the label map gives label \"\(name)\" the negative index \(index); indices start at 0")
    }

    public static func duplicateLabelID(_ id: Int) -> Self {
        Self(.duplicateLabelID, "label id \(id) appears more than once in the task's labels")
    }

    public static func negativeOffset(_ offset: Int) -> Self {
        Self(.negativeOffset, "the label offset must not be negative (got \(offset))")
    }
}

/// Maps CVAT label ids to the class indices written to tensors, as cvat-sdk's `label_id_to_index`.
///
/// `labelOffset` is added to every index so that models which reserve 0 for background (torchvision's
/// detection models) can be fed directly; cvat-sdk has no such offset, so 0 gives its exact numbering.
public struct LabelIndexMap: Sendable, Hashable {
    /// Added to every index.
    public let labelOffset: Int
    /// Index before the offset, by label id.
    public let baseIndexByLabelID: [Int: Int]
    /// The label names at each index before the offset, in label-id order; an index that no label uses has
    /// none, and a user's map may put several names at one index.
    public let namesByIndex: [[String]]

    /// cvat-sdk's default numbering: labels sorted by id, numbered from 0.
    public init(labels: [(id: Int, name: String)], labelOffset: Int = 0) throws(LabelMapError) {
        let sorted = try Self.checked(labels, labelOffset: labelOffset)
        var byID: [Int: Int] = [:]
        for (index, label) in sorted.enumerated() { byID[label.id] = index }
        self.labelOffset = labelOffset
        self.baseIndexByLabelID = byID
        self.namesByIndex = sorted.map { [$0.name] }
    }

    /// A user's numbering by name, as cvat-sdk's `label_name_to_index`: every label of the task must have an
    /// entry; extra names are allowed (one map may serve several tasks of a project).
    public init(
        labels: [(id: Int, name: String)], nameToIndex: [String: Int], labelOffset: Int = 0
    ) throws(LabelMapError) {
        let sorted = try Self.checked(labels, labelOffset: labelOffset)
        var byID: [Int: Int] = [:]
        var maxIndex = -1
        for label in sorted {
            guard let index = nameToIndex[label.name] else {
                throw .missingLabel(name: label.name, labelID: label.id, mappedNames: nameToIndex.keys.sorted())
            }
            guard index >= 0 else { throw .negativeIndex(name: label.name, index: index) }
            byID[label.id] = index
            maxIndex = max(maxIndex, index)
        }
        var names = [[String]](repeating: [], count: maxIndex + 1)
        for label in sorted {
            let index = byID[label.id]!
            if !names[index].contains(label.name) { names[index].append(label.name) }
        }
        self.labelOffset = labelOffset
        self.baseIndexByLabelID = byID
        self.namesByIndex = names
    }

    private static func checked(
        _ labels: [(id: Int, name: String)], labelOffset: Int
    ) throws(LabelMapError) -> [(id: Int, name: String)] {
        guard labelOffset >= 0 else { throw .negativeOffset(labelOffset) }
        let sorted = labels.sorted { $0.id < $1.id }
        for i in sorted.indices.dropFirst() where sorted[i].id == sorted[i - 1].id {
            throw .duplicateLabelID(sorted[i].id)
        }
        return sorted
    }

    /// The tensor index of a label (offset included), or nil for an id the task does not define.
    public func index(ofLabelID id: Int) -> Int? {
        baseIndexByLabelID[id].map { $0 + labelOffset }
    }

    /// How many class indices a model needs: the offset plus one past the highest label index.
    public var classCount: Int { labelOffset + namesByIndex.count }
}

/// Why a frame has no single label, as cvat-sdk's `ExtractSingleLabelIndex` raises; the caller adds the task and
/// frame to the message.
///
/// Built by static functions named as its cases were when it was an enum, so throw sites read as before.
public struct SingleLabelError: KindedError, Sendable, Hashable {
    public enum Kind: ErrorKind {
        case noTags
        case multipleTags
        /// A tag refers to a label id the task does not define.
        case unknownLabelID

        /// The frame's tags are the annotations'.
        public var category: ErrorCategory {
            switch self {
            case .noTags, .multipleTags, .unknownLabelID: .data
            }
        }
    }

    public var kind: Kind
    public var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static var noTags: Self {
        Self(.noTags, "the frame has no tags; classification needs exactly one")
    }

    public static func multipleTags(count: Int) -> Self {
        Self(.multipleTags, "the frame has \(count) tags; classification needs exactly one")
    }

    public static func unknownLabelID(_ id: Int) -> Self {
        Self(.unknownLabelID, "a tag refers to label id \(id), which the task does not define")
    }
}

extension LabelIndexMap {
    /// The class index of a frame's only tag, like cvat-sdk's `ExtractSingleLabelIndex`: two tags are an error
    /// even when they carry the same label.
    public func singleLabelIndex(tagLabelIDs: [Int]) throws(SingleLabelError) -> Int {
        guard let first = tagLabelIDs.first else { throw .noTags }
        guard tagLabelIDs.count == 1 else { throw .multipleTags(count: tagLabelIDs.count) }
        guard let index = index(ofLabelID: first) else { throw .unknownLabelID(first) }
        return index
    }
}
