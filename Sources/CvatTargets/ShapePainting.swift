import CvatGeometry

/// An element type masks and class maps are painted in: uint8 for instance masks and most class maps, uint16 for
/// class maps with more than 254 classes.
///
/// Each requirement is CvatGeometry's entry point for that type, so painting code generic over the element calls
/// the decoder, rasterizer and resampler made for it, and an element type without them does not compile.
protocol MaskElement: FixedWidthInteger & UnsignedInteger & Sendable {
    /// `MaskRLE.decode` in `.overlay` mode: only the mask's pixels are written.
    static func decodeMask(
        _ encoded: [Double], size: PixelSize, into buffer: UnsafeMutableBufferPointer<Self>, value: Self
    ) throws(MaskDecodeError)

    /// `PolygonRasterizer.fill`: the polygon's pixels are written, the rest left alone.
    static func fillPolygon(
        _ outline: [Double], size: PixelSize, into buffer: UnsafeMutableBufferPointer<Self>, value: Self
    ) throws(PolygonError)

    /// `ImagePlan.resampleMask`: Pillow's NEAREST resize and the crop, `pad` where the crop leaves the image.
    static func resample(
        _ source: UnsafeBufferPointer<Self>, with plan: ImagePlan, into output: UnsafeMutableBufferPointer<Self>,
        pad: Self
    ) throws(MaskResampleError)
}

extension UInt8: MaskElement {
    static func decodeMask(
        _ encoded: [Double], size: PixelSize, into buffer: UnsafeMutableBufferPointer<UInt8>, value: UInt8
    ) throws(MaskDecodeError) {
        try MaskRLE.decode(
            encoded, imageWidth: size.width, imageHeight: size.height, into: buffer, value: value, mode: .overlay)
    }

    static func fillPolygon(
        _ outline: [Double], size: PixelSize, into buffer: UnsafeMutableBufferPointer<UInt8>, value: UInt8
    ) throws(PolygonError) {
        try PolygonRasterizer.fill(points: outline, width: size.width, height: size.height, into: buffer, value: value)
    }

    static func resample(
        _ source: UnsafeBufferPointer<UInt8>, with plan: ImagePlan, into output: UnsafeMutableBufferPointer<UInt8>,
        pad: UInt8
    ) throws(MaskResampleError) {
        try plan.resampleMask(source, into: output, pad: pad)
    }
}

extension UInt16: MaskElement {
    static func decodeMask(
        _ encoded: [Double], size: PixelSize, into buffer: UnsafeMutableBufferPointer<UInt16>, value: UInt16
    ) throws(MaskDecodeError) {
        try MaskRLE.decode(
            encoded, imageWidth: size.width, imageHeight: size.height, into: buffer, value: value, mode: .overlay)
    }

    static func fillPolygon(
        _ outline: [Double], size: PixelSize, into buffer: UnsafeMutableBufferPointer<UInt16>, value: UInt16
    ) throws(PolygonError) {
        try PolygonRasterizer.fill(points: outline, width: size.width, height: size.height, into: buffer, value: value)
    }

    static func resample(
        _ source: UnsafeBufferPointer<UInt16>, with plan: ImagePlan, into output: UnsafeMutableBufferPointer<UInt16>,
        pad: UInt16
    ) throws(MaskResampleError) {
        try plan.resampleMask(source, into: output, pad: pad)
    }
}

/// Painting shapes into frame-size buffers, shared by `masks` (one 0/1 mask per shape) and `semantic` (every
/// shape into one class map).
enum ShapePainter {
    /// Paints one shape with `value` into a frame-size buffer: a mask's RLE decoded, a polygon or rectangle filled
    /// as Pillow's `ImageDraw.polygon` fills it, rotation applied as CVAT draws it.
    static func draw<T: MaskElement>(
        _ shape: FrameShape, into buffer: UnsafeMutableBufferPointer<T>, size: PixelSize, value: T
    ) throws(InvalidFrame) {
        let kind = shape.kind
        switch kind {
        case .mask:
            do {
                try T.decodeMask(shape.points, size: size, into: buffer, value: value)
            } catch {
                throw InvalidFrame(reason: "a mask\(shape.originPhrase) cannot be decoded: \(error)")
            }
        case .polygon, .rectangle:
            let geometry = ShapeGeometry(type: kind, points: shape.points, rotation: shape.rotation)
            guard let outline = geometry.outline else {
                throw InvalidFrame(
                    reason:
                        "a \(kind.rawValue)\(shape.originPhrase) has malformed points (\(shape.points.count) values)")
            }
            do {
                try T.fillPolygon(outline, size: size, into: buffer, value: value)
            } catch {
                throw InvalidFrame(reason: "a \(kind.rawValue)\(shape.originPhrase) cannot be drawn: \(error)")
            }
        case .polyline, .points, .ellipse, .skeleton, .cuboid:
            throw InvalidFrame(reason: "a \(kind.rawValue) cannot be painted as a mask")
        }
    }

    /// Paints `shapes` in order (a later one over an earlier) with their values on `background` at the plan's
    /// source size, then resamples the map to the output, padding taking the background.
    static func paint<T: MaskElement>(
        _ shapes: [(shape: FrameShape, value: T)], plan: ImagePlan, background: T
    ) throws(InvalidFrame) -> [T] {
        let source = plan.sourceSize
        var map = [T](repeating: background, count: source.width * source.height)
        var failure: InvalidFrame?
        map.withUnsafeMutableBufferPointer { buffer in
            do throws(InvalidFrame) {
                for item in shapes {
                    try draw(item.shape, into: buffer, size: source, value: item.value)
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        if plan.isIdentity { return map }
        return try resampled(map, plan: plan, pad: background)
    }

    /// A frame-size map resampled to the plan's output.
    static func resampled<T: MaskElement>(_ map: [T], plan: ImagePlan, pad: T) throws(InvalidFrame) -> [T] {
        var out = [T](repeating: pad, count: plan.outputSize.width * plan.outputSize.height)
        var failure: MaskResampleError?
        map.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                do throws(MaskResampleError) {
                    try T.resample(src, with: plan, into: dst, pad: pad)
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw InvalidFrame(reason: "\(failure)") }
        return out
    }
}
