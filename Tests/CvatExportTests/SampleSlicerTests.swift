import CvatGeometry
import CvatTensors
import Testing

@testable import CvatExport

@Suite struct SampleSlicerTests {
    /// `total` planned samples; each one's frame is its position in the whole export, to find it after slicing.
    static func samples(_ total: Int) throws -> [SampleJob] {
        let plan = try ImagePlan(source: PixelSize(width: 2, height: 2), spec: .original)
        return (0..<total).map {
            SampleJob(
                index: $0, taskIndex: 0, frame: $0, name: "f\($0)",
                sourceFrame: nil, plan: plan, jobID: nil)
        }
    }

    @Test(arguments: [0, 1, 2, 5, 7, 10, 101], [1, 2, 3, 4, 7])
    func slicesAreContiguousCoverEverySampleOnceAndDifferByAtMostOne(total: Int, count: Int) throws {
        let all = try Self.samples(total)
        var covered: [Int] = []
        var sizes: [Int] = []
        for index in 0..<count {
            let spec = SliceSpec(index: index, count: count)
            let (kept, record) = SampleSlicer.slice(all, spec)
            let range = spec.range(of: total)
            #expect(kept.map(\.frame) == Array(range))
            // Renumbered: a slice's samples are its export's samples 0, 1, ...
            #expect(kept.map(\.index) == Array(0..<kept.count))
            #expect(record == Manifest.Slice(index: index, count: count, samples: range, totalSamples: total))
            covered += kept.map(\.frame)
            sizes.append(kept.count)
        }
        #expect(covered == Array(0..<total))
        #expect(sizes.max()! - sizes.min()! <= 1)
    }
}
