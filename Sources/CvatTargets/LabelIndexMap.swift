/// Why a label map could not be built; each case names what to fix.
package enum LabelMapError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The user's name→index map has no entry for a label of the task (cvat-sdk raises `KeyError` here);
    /// `mappedNames` are the names the map does have, sorted.
    case missingLabel(name: String, labelID: Int, mappedNames: [String])
    /// The user's map gives a label a negative index.
    case negativeIndex(name: String, index: Int)
    /// Two labels share an id, so annotations could not say which one they mean.
    case duplicateLabelID(Int)
    /// The offset would produce negative indices.
    case negativeOffset(Int)

    package var description: String {
        switch self {
        case .missingLabel(let name, let id, let mapped):
            let known = mapped.map { "\"\($0)\"" }.joined(separator: ", ")
            return "the label map has no index for label \"\(name)\" (id \(id)); every label of the task needs "
                + "one. The map names: \(known.isEmpty ? "nothing" : known)"
        case .negativeIndex(let name, let index):
            return "the label map gives label \"\(name)\" the negative index \(index); indices start at 0"
        case .duplicateLabelID(let id):
            return "label id \(id) appears more than once in the task's labels"
        case .negativeOffset(let offset):
            return "the label offset must not be negative (got \(offset))"
        }
    }
}

/// Maps CVAT label ids to the class indices written to tensors, as cvat-sdk's `label_id_to_index`.
///
/// `labelOffset` is added to every index so that models which reserve 0 for background (torchvision's
/// detection models) can be fed directly; cvat-sdk has no such offset, so 0 gives its exact numbering.
package struct LabelIndexMap: Sendable, Hashable {
    /// Added to every index.
    package let labelOffset: Int
    /// Index before the offset, by label id.
    package let baseIndexByLabelID: [Int: Int]
    /// The label names at each index before the offset, in label-id order; an index that no label uses has
    /// none, and a user's map may put several names at one index.
    package let namesByIndex: [[String]]

    /// cvat-sdk's default numbering: labels sorted by id, numbered from 0.
    package init(labels: [(id: Int, name: String)], labelOffset: Int = 0) throws(LabelMapError) {
        let sorted = try Self.checked(labels, labelOffset: labelOffset)
        var byID: [Int: Int] = [:]
        for (index, label) in sorted.enumerated() { byID[label.id] = index }
        self.labelOffset = labelOffset
        self.baseIndexByLabelID = byID
        self.namesByIndex = sorted.map { [$0.name] }
    }

    /// A user's numbering by name, as cvat-sdk's `label_name_to_index`: every label of the task must have an
    /// entry; extra names are allowed (one map may serve several tasks of a project).
    package init(
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
    package func index(ofLabelID id: Int) -> Int? {
        baseIndexByLabelID[id].map { $0 + labelOffset }
    }

    /// How many class indices a model needs: the offset plus one past the highest label index.
    package var classCount: Int { labelOffset + namesByIndex.count }
}

/// Why a frame has no single label, as cvat-sdk's `ExtractSingleLabelIndex` raises; the caller adds the task and
/// frame to the message.
package enum SingleLabelError: Error, Sendable, Hashable, CustomStringConvertible {
    case noTags
    case multipleTags(count: Int)
    /// A tag refers to a label id the task does not define.
    case unknownLabelID(Int)

    package var description: String {
        switch self {
        case .noTags: return "the frame has no tags; classification needs exactly one"
        case .multipleTags(let count): return "the frame has \(count) tags; classification needs exactly one"
        case .unknownLabelID(let id): return "a tag refers to label id \(id), which the task does not define"
        }
    }
}

extension LabelIndexMap {
    /// The class index of a frame's only tag, like cvat-sdk's `ExtractSingleLabelIndex`: two tags are an error
    /// even when they carry the same label.
    package func singleLabelIndex(tagLabelIDs: [Int]) throws(SingleLabelError) -> Int {
        guard let first = tagLabelIDs.first else { throw .noTags }
        guard tagLabelIDs.count == 1 else { throw .multipleTags(count: tagLabelIDs.count) }
        guard let index = index(ofLabelID: first) else { throw .unknownLabelID(first) }
        return index
    }
}
