/// How one image's values are ordered in a tensor.
public enum TensorLayout: String, Sendable, Hashable, CaseIterable {
    /// Channels first, `[3][height][width]` (PyTorch's CHW; a batch of these is NCHW).
    case chw
    /// Channels last, `[height][width][3]` (a batch of these is NHWC), the pixel order of `RGBImage`.
    case hwc
}

/// Maps a byte to a float: `(value * scale - mean[c]) / std[c]`, the way torchvision computes it.
///
/// `ToTensor` (or `ConvertImageDtype`) divides by 255 in float32 and `Normalize` then subtracts the mean and
/// divides by the standard deviation, also in float32. Evaluating exactly those float32 operations per byte into a
/// 256-entry table per channel gives the same floats as torchvision, with no arithmetic left in the pixel loop.
public struct Normalization: Sendable, Hashable {
    public var mean: [Float]
    public var std: [Float]
    /// Divide by 255 first (torchvision's `ToTensor`); false leaves the values in 0...255 before mean/std.
    public var divideBy255: Bool

    public init(mean: [Float] = [0, 0, 0], std: [Float] = [1, 1, 1], divideBy255: Bool = true) {
        precondition(mean.count == 3 && std.count == 3, "mean and std need one value per channel")
        self.mean = mean
        self.std = std
        self.divideBy255 = divideBy255
    }

    /// Values in 0...1, no mean or std (torchvision `ToTensor()` alone).
    public static let unit = Normalization()
    /// Raw byte values as floats (0...255).
    public static let none = Normalization(divideBy255: false)
    /// ImageNet mean and std, the usual `Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])`.
    public static let imageNet = Normalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// 3 x 256 floats: the value each byte maps to, per channel.
    func lookupTable() -> [Float] {
        var table = [Float](repeating: 0, count: 768)
        for c in 0..<3 {
            for v in 0..<256 {
                var x = Float(v)
                if divideBy255 { x = x / 255 }
                table[c * 256 + v] = (x - mean[c]) / std[c]
            }
        }
        return table
    }
}

extension RGBImage {
    /// Number of values one image takes in a tensor.
    public var elementCount: Int { width * height * 3 }

    /// Writes this image as float32 into `destination[0..<elementCount]` in `layout`, normalised.
    ///
    /// `destination` is typically one slot of a batch tensor that a worker reuses (or a memory-mapped output
    /// file), so nothing is allocated per image except the 3 KB lookup table.
    public func writeFloat32(
        into destination: UnsafeMutableBufferPointer<Float>, layout: TensorLayout,
        normalization: Normalization = .unit
    ) throws(ImageError) {
        guard destination.count >= elementCount else {
            throw .destinationTooSmall(needed: elementCount, available: destination.count)
        }
        let table = normalization.lookupTable()
        let plane = width * height
        table.withUnsafeBufferPointer { lut in
            pixels.withUnsafeBufferPointer { src in
                let s = src.baseAddress!
                let d = destination.baseAddress!
                let l = lut.baseAddress!
                switch layout {
                case .hwc:
                    for p in 0..<plane {
                        d[p * 3] = l[Int(s[p * 3])]
                        d[p * 3 + 1] = l[256 + Int(s[p * 3 + 1])]
                        d[p * 3 + 2] = l[512 + Int(s[p * 3 + 2])]
                    }
                case .chw:
                    for p in 0..<plane {
                        d[p] = l[Int(s[p * 3])]
                        d[plane + p] = l[256 + Int(s[p * 3 + 1])]
                        d[2 * plane + p] = l[512 + Int(s[p * 3 + 2])]
                    }
                }
            }
        }
    }

    /// Writes this image as float32 into `destination` starting at `offset` (see the buffer-pointer variant).
    public func writeFloat32(
        into destination: inout [Float], at offset: Int = 0, layout: TensorLayout,
        normalization: Normalization = .unit
    ) throws(ImageError) {
        guard offset >= 0, destination.count - offset >= elementCount else {
            throw .destinationTooSmall(needed: offset + elementCount, available: destination.count)
        }
        let n = elementCount
        try destination.withUnsafeMutableBufferPointer { (all) throws(ImageError) in
            let slot = UnsafeMutableBufferPointer(rebasing: all[offset..<(offset + n)])
            try writeFloat32(into: slot, layout: layout, normalization: normalization)
        }
    }

    /// Writes the bytes in `layout` (what `PILToTensor` gives for `.chw`) into `destination[0..<elementCount]`.
    public func writeUInt8(into destination: UnsafeMutableBufferPointer<UInt8>, layout: TensorLayout) throws(ImageError)
    {
        guard destination.count >= elementCount else {
            throw .destinationTooSmall(needed: elementCount, available: destination.count)
        }
        let plane = width * height
        pixels.withUnsafeBufferPointer { src in
            let s = src.baseAddress!
            let d = destination.baseAddress!
            switch layout {
            case .hwc:
                d.update(from: s, count: plane * 3)
            case .chw:
                for p in 0..<plane {
                    d[p] = s[p * 3]
                    d[plane + p] = s[p * 3 + 1]
                    d[2 * plane + p] = s[p * 3 + 2]
                }
            }
        }
    }

    /// Writes the bytes in `layout` into `destination` starting at `offset`.
    public func writeUInt8(into destination: inout [UInt8], at offset: Int = 0, layout: TensorLayout) throws(ImageError)
    {
        guard offset >= 0, destination.count - offset >= elementCount else {
            throw .destinationTooSmall(needed: offset + elementCount, available: destination.count)
        }
        let n = elementCount
        try destination.withUnsafeMutableBufferPointer { (all) throws(ImageError) in
            try writeUInt8(into: UnsafeMutableBufferPointer(rebasing: all[offset..<(offset + n)]), layout: layout)
        }
    }
}
