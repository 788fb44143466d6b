import CvatTensors

/// `--shard I/N`: the part of the planned samples one machine writes.
enum SampleSlicer {
    /// The samples of slice `spec` (`spec.range(of:)` of all planned samples), renumbered from 0 because they are
    /// this export's samples, and the manifest's record of where they sit in the whole.
    static func slice(_ samples: [SampleJob], _ spec: SliceSpec) -> (samples: [SampleJob], record: Manifest.Slice) {
        let range = spec.range(of: samples.count)
        let kept = samples[range].enumerated().map { offset, sample in
            var sample = sample
            sample.index = offset
            return sample
        }
        let record = Manifest.Slice(
            index: spec.index, count: spec.count, samples: range, totalSamples: samples.count,
            scheduler: spec.scheduler)
        return (kept, record)
    }
}
