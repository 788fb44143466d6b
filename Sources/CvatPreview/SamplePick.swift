/// Which samples a contact sheet shows.
package enum SamplePick {
    /// `n` distinct indices of `0..<total` in ascending order: the first `n`, or a seeded random pick.
    package static func indices(count n: Int, of total: Int, seed: UInt64?) -> [Int] {
        guard let seed else { return Array(0..<n) }
        var generator = SplitMix64(seed: seed)
        var all = Array(0..<total)
        // The first n steps of a Fisher-Yates shuffle, with our own generator and our own modulo (not
        // `Int.random(in:using:)`, whose algorithm the standard library may change), so a seed keeps its pick.
        for k in 0..<n {
            let j = k + Int(generator.next() % UInt64(total - k))
            all.swapAt(k, j)
        }
        return all.prefix(n).sorted()
    }
}
