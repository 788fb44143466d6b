import CvatAPI

extension TargetExtractor {
    /// cvat-sdk's `ExtractSingleLabelIndex`: the class index of the frame's only tag.
    func labelTarget(_ tags: [Tag]) throws(InvalidFrame) -> SampleTargets {
        do {
            let index = try labels.singleLabelIndex(tagLabelIDs: tags.map(\.labelID))
            var targets = SampleTargets(label: Int64(index))
            let tag = tags[0]
            targets.tag = AttributedRow(labelID: tag.labelID, id: Int64(tag.id ?? -1), attributes: tag.attributes ?? [])
            return targets
        } catch {
            throw InvalidFrame(reason: "\(error)")
        }
    }
}
