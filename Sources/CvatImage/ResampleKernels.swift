import CCvatResample

/// The instruction-set variants of the C resampling passes (`CCvatResample`).
enum ResampleISA: Int32, CaseIterable, Sendable, CustomStringConvertible {
    /// The best variant this CPU supports, detected once.
    case auto = 0
    /// Portable C (what the compiler makes of plain loops).
    case scalar = 1
    case sse41 = 2
    case avx2 = 3

    /// Whether this CPU can run the variant (`auto` and `scalar` always can).
    var isSupported: Bool { cvat_resample_isa_supported(rawValue) != 0 }

    /// The variant `auto` runs.
    static var best: ResampleISA { ResampleISA(rawValue: cvat_resample_best_isa()) ?? .scalar }

    var description: String {
        switch self {
        case .auto: "auto"
        case .scalar: "scalar C"
        case .sse41: "SSE4.1"
        case .avx2: "AVX2"
        }
    }
}

/// Thin wrapper over the C passes: checks every bound the C code relies on, then hands it the buffers. The
/// unsafe pointers stay in here.
enum ResampleKernels {
    /// The horizontal pass (see `Resampler.horizontalPassScalar`, which it equals byte for byte) with the variant
    /// `isa` (`.auto`, or one to force in tests). Returns the variant that ran.
    @discardableResult
    static func horizontal(
        _ isa: ResampleISA, src: [UInt8], srcWidth: Int, firstColumn: Int, firstRow: Int, rows: Int,
        coefficients c: ResampleCoefficients, dst: inout [UInt8], dstWidth: Int
    ) -> ResampleISA {
        precondition(c.first.count >= dstWidth && c.count.count >= dstWidth && c.weights.count >= dstWidth * c.taps)
        precondition(firstRow >= 0 && rows >= 0 && src.count >= (firstRow + rows) * srcWidth * 3)
        precondition(dst.count >= rows * dstWidth * 3)
        for i in 0..<dstWidth {
            let start = Int(c.first[i]) - firstColumn
            let n = Int(c.count[i])
            precondition(start >= 0 && n >= 0 && n <= c.taps && (n == 0 || start + n <= srcWidth))
        }
        let ran = src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                c.first.withUnsafeBufferPointer { first in
                    c.count.withUnsafeBufferPointer { count in
                        c.weights.withUnsafeBufferPointer { w in
                            cvat_resample_horizontal(
                                isa.rawValue, s.baseAddress, s.count, srcWidth, firstColumn, firstRow, rows,
                                first.baseAddress, count.baseAddress, w.baseAddress, c.taps, d.baseAddress, dstWidth)
                        }
                    }
                }
            }
        }
        return ResampleISA(rawValue: ran) ?? .scalar
    }

    /// The vertical pass (see `Resampler.verticalPassScalar`) with the variant `isa`. Returns the variant that ran.
    @discardableResult
    static func vertical(
        _ isa: ResampleISA, src: [UInt8], srcWidth: Int, firstColumn: Int, rowOffset: Int,
        coefficients c: ResampleCoefficients, dst: inout [UInt8], dstWidth: Int
    ) -> ResampleISA {
        let outH = c.first.count
        precondition(c.count.count == outH && c.weights.count >= outH * c.taps)
        precondition(firstColumn >= 0 && firstColumn + dstWidth <= srcWidth && dst.count >= outH * dstWidth * 3)
        let srcRows = srcWidth > 0 ? src.count / (srcWidth * 3) : 0
        for i in 0..<outH {
            let start = Int(c.first[i]) - rowOffset
            let n = Int(c.count[i])
            precondition(start >= 0 && n >= 0 && n <= c.taps && (n == 0 || start + n <= srcRows))
        }
        let ran = src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                c.first.withUnsafeBufferPointer { first in
                    c.count.withUnsafeBufferPointer { count in
                        c.weights.withUnsafeBufferPointer { w in
                            cvat_resample_vertical(
                                isa.rawValue, s.baseAddress, srcWidth, firstColumn, rowOffset, first.baseAddress,
                                count.baseAddress, w.baseAddress, c.taps, outH, d.baseAddress, dstWidth)
                        }
                    }
                }
            }
        }
        return ResampleISA(rawValue: ran) ?? .scalar
    }
}
