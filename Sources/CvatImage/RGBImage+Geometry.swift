extension RGBImage {
    /// The region `[left, right) x [top, bottom)`, like Pillow's `Image.crop((left, top, right, bottom))`.
    ///
    /// As in Pillow, the box may reach outside the image; those pixels are black (zero).
    public func cropped(left: Int, top: Int, right: Int, bottom: Int) -> RGBImage {
        precondition(right > left && bottom > top, "crop box (\(left), \(top), \(right), \(bottom)) is empty")
        var out = RGBImage(width: right - left, height: bottom - top)
        out.paste(self, x: -left, y: -top)
        return out
    }

    /// This image with `fill`-coloured borders added, e.g. to letterbox after an aspect-preserving resize.
    public func padded(
        top: Int, left: Int, bottom: Int, right: Int, fill: (r: UInt8, g: UInt8, b: UInt8) = (0, 0, 0)
    ) -> RGBImage {
        precondition(top >= 0 && left >= 0 && bottom >= 0 && right >= 0, "padding must not be negative")
        var out = RGBImage(width: width + left + right, height: height + top + bottom, fill: fill)
        out.paste(self, x: left, y: top)
        return out
    }

    /// Copies `other` so its top-left corner lands at (`x`, `y`); the parts outside this image are dropped.
    public mutating func paste(_ other: RGBImage, x: Int, y: Int) {
        let x0 = max(0, x)
        let y0 = max(0, y)
        let x1 = min(width, x + other.width)
        let y1 = min(height, y + other.height)
        guard x1 > x0, y1 > y0 else { return }
        let count = (x1 - x0) * 3
        let dstWidth = width
        let srcWidth = other.width
        other.pixels.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for row in y0..<y1 {
                    let s = src.baseAddress! + ((row - y) * srcWidth + (x0 - x)) * 3
                    let d = dst.baseAddress! + (row * dstWidth + x0) * 3
                    d.update(from: s, count: count)
                }
            }
        }
    }

    /// The image mirrored left to right (Pillow's `Image.transpose(FLIP_LEFT_RIGHT)`).
    public func flippedHorizontally() -> RGBImage {
        var out = self
        let w = width
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for row in 0..<height {
                    let s = src.baseAddress! + row * w * 3
                    let d = dst.baseAddress! + row * w * 3
                    for x in 0..<w {
                        let sx = (w - 1 - x) * 3
                        d[x * 3] = s[sx]
                        d[x * 3 + 1] = s[sx + 1]
                        d[x * 3 + 2] = s[sx + 2]
                    }
                }
            }
        }
        return out
    }
}
