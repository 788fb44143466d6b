import CvatTargets
import Testing

@Suite struct LabelIndexMapTests {
    let labels: [(id: Int, name: String)] = [(id: 12, name: "car"), (id: 3, name: "person"), (id: 7, name: "dog")]

    @Test func defaultNumbersLabelsByIdFromZero() throws {
        let map = try LabelIndexMap(labels: labels)
        #expect(map.index(ofLabelID: 3) == 0)
        #expect(map.index(ofLabelID: 7) == 1)
        #expect(map.index(ofLabelID: 12) == 2)
        #expect(map.index(ofLabelID: 99) == nil)
        #expect(map.namesByIndex == [["person"], ["dog"], ["car"]])
        #expect(map.classCount == 3)
    }

    @Test func offsetReservesBackground() throws {
        let map = try LabelIndexMap(labels: labels, labelOffset: 1)
        #expect(map.index(ofLabelID: 3) == 1)
        #expect(map.index(ofLabelID: 12) == 3)
        #expect(map.classCount == 4)
    }

    @Test func userMapByName() throws {
        let map = try LabelIndexMap(labels: labels, nameToIndex: ["car": 5, "person": 0, "dog": 0, "tree": 9])
        #expect(map.index(ofLabelID: 12) == 5)
        #expect(map.index(ofLabelID: 3) == 0)
        #expect(map.index(ofLabelID: 7) == 0)
        #expect(map.namesByIndex == [["person", "dog"], [], [], [], [], ["car"]])
        #expect(map.classCount == 6)
    }

    @Test func userMapMissingALabelNamesIt() {
        #expect(throws: LabelMapError.missingLabel(name: "dog", labelID: 7, mappedNames: ["car", "person"])) {
            try LabelIndexMap(labels: labels, nameToIndex: ["car": 1, "person": 0])
        }
        do {
            _ = try LabelIndexMap(labels: labels, nameToIndex: ["car": 1, "person": 0])
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("\"dog\" (id 7)"))
            #expect(error.description.contains("\"car\", \"person\""))
        }
    }

    @Test func badMapsAreRejected() {
        #expect(throws: LabelMapError.negativeIndex(name: "car", index: -1)) {
            try LabelIndexMap(labels: labels, nameToIndex: ["car": -1, "person": 0, "dog": 1])
        }
        #expect(throws: LabelMapError.duplicateLabelID(3)) {
            try LabelIndexMap(labels: [(id: 3, name: "a"), (id: 3, name: "b")])
        }
        #expect(throws: LabelMapError.negativeOffset(-1)) { try LabelIndexMap(labels: labels, labelOffset: -1) }
    }

    @Test func singleLabelLikeExtractSingleLabelIndex() throws {
        let map = try LabelIndexMap(labels: labels)
        #expect(try map.singleLabelIndex(tagLabelIDs: [12]) == 2)
        #expect(throws: SingleLabelError.noTags) { try map.singleLabelIndex(tagLabelIDs: []) }
        // Two tags are an error even with the same label, as in cvat-sdk.
        #expect(throws: SingleLabelError.multipleTags(count: 2)) { try map.singleLabelIndex(tagLabelIDs: [3, 3]) }
        #expect(throws: SingleLabelError.unknownLabelID(4)) { try map.singleLabelIndex(tagLabelIDs: [4]) }
    }
}
