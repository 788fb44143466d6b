import CvatAPI

extension TargetExtractor {
    /// cvat-sdk's `ExtractSingleLabelIndex`: the class index of the frame's only tag.
    func labelTarget(_ tags: [Tag]) throws(InvalidFrame) -> SampleTargets {
        do {
            let index = try labels.singleLabelIndex(tagLabelIDs: tags.map(\.labelID))
            return SampleTargets(label: Int64(index))
        } catch {
            throw InvalidFrame(reason: "\(error)")
        }
    }
}
