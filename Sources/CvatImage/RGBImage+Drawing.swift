/// Drawing for previews: outlines, lines, dots, filled and blended regions, and text in `BitmapFont`.
///
/// Coordinates are pixel indices (column `x`, row `y`); everything is clipped to the image, so shapes may reach
/// outside it. Rectangles are half-open, `[left, right) x [top, bottom)`, like `cropped`. `alpha` is the weight of
/// the drawn colour: 1 replaces the pixel, 0 leaves it, in between blends `round(src * (1 - a) + colour * a)`.
extension RGBImage {
    public typealias Color = (r: UInt8, g: UInt8, b: UInt8)

    /// Blends `color` into the pixel at (`x`, `y`) if it lies inside the image.
    @inline(__always)
    public mutating func blendPixel(x: Int, y: Int, color: Color, alpha: Float = 1) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let i = (y * width + x) * 3
        if alpha >= 1 {
            pixels[i] = color.r
            pixels[i + 1] = color.g
            pixels[i + 2] = color.b
        } else if alpha > 0 {
            pixels[i] = Self.mix(pixels[i], color.r, alpha)
            pixels[i + 1] = Self.mix(pixels[i + 1], color.g, alpha)
            pixels[i + 2] = Self.mix(pixels[i + 2], color.b, alpha)
        }
    }

    @inline(__always)
    static func mix(_ under: UInt8, _ over: UInt8, _ alpha: Float) -> UInt8 {
        UInt8(clamping: Int((Float(under) * (1 - alpha) + Float(over) * alpha).rounded()))
    }

    /// Fills `[left, right) x [top, bottom)`.
    public mutating func fillRectangle(left: Int, top: Int, right: Int, bottom: Int, color: Color, alpha: Float = 1) {
        let x0 = max(0, left)
        let x1 = min(width, right)
        let y0 = max(0, top)
        let y1 = min(height, bottom)
        guard x1 > x0, y1 > y0 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 { blendPixel(x: x, y: y, color: color, alpha: alpha) }
        }
    }

    /// Draws the border of `[left, right) x [top, bottom)`, `thickness` pixels wide, inside the rectangle: the
    /// outermost pixels are columns `left` and `right - 1` and rows `top` and `bottom - 1`.
    public mutating func strokeRectangle(
        left: Int, top: Int, right: Int, bottom: Int, color: Color, thickness: Int = 1, alpha: Float = 1
    ) {
        guard right > left, bottom > top, thickness > 0 else { return }
        let t = min(thickness, (right - left + 1) / 2, (bottom - top + 1) / 2)
        fillRectangle(left: left, top: top, right: right, bottom: top + t, color: color, alpha: alpha)
        fillRectangle(left: left, top: bottom - t, right: right, bottom: bottom, color: color, alpha: alpha)
        fillRectangle(left: left, top: top + t, right: left + t, bottom: bottom - t, color: color, alpha: alpha)
        fillRectangle(left: right - t, top: top + t, right: right, bottom: bottom - t, color: color, alpha: alpha)
    }

    /// Draws a straight line from (`x0`, `y0`) to (`x1`, `y1`), both ends included (Bresenham), `thickness`
    /// pixels wide (a square brush centred on the line).
    public mutating func drawLine(
        x0: Int, y0: Int, x1: Int, y1: Int, color: Color, thickness: Int = 1, alpha: Float = 1
    ) {
        let dx = abs(x1 - x0)
        let dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1
        let sy = y0 < y1 ? 1 : -1
        let lo = -(max(thickness, 1) - 1) / 2
        let hi = lo + max(thickness, 1)
        var err = dx + dy
        var x = x0
        var y = y0
        // With a brush wider than one pixel and alpha < 1, overlapping brush positions would blend twice; the
        // visited set keeps each pixel blended once.
        var visited = Set<Int>()
        while true {
            for by in lo..<hi {
                for bx in lo..<hi {
                    let px = x + bx
                    let py = y + by
                    guard px >= 0, px < width, py >= 0, py < height else { continue }
                    if alpha < 1 || thickness > 1 {
                        guard visited.insert(py * width + px).inserted else { continue }
                    }
                    blendPixel(x: px, y: py, color: color, alpha: alpha)
                }
            }
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy {
                err += dy
                x += sx
            }
            if e2 <= dx {
                err += dx
                y += sy
            }
        }
    }

    /// Fills the disc of `radius` around the point (`centerX`, `centerY`) in continuous coordinates (pixel
    /// `(x, y)` covers `[x, x+1) x [y, y+1)`): every pixel whose centre is within `radius` of the point.
    public mutating func fillCircle(centerX: Float, centerY: Float, radius: Float, color: Color, alpha: Float = 1) {
        guard radius > 0, centerX.isFinite, centerY.isFinite else { return }
        let x0 = Int((centerX - radius).rounded(.down))
        let x1 = Int((centerX + radius).rounded(.up))
        let y0 = Int((centerY - radius).rounded(.down))
        let y1 = Int((centerY + radius).rounded(.up))
        let r2 = radius * radius
        let ya = max(0, y0)
        let yb = min(height - 1, y1)
        let xa = max(0, x0)
        let xb = min(width - 1, x1)
        guard ya <= yb, xa <= xb else { return }
        for y in ya...yb {
            for x in xa...xb {
                let ddx = Float(x) + 0.5 - centerX
                let ddy = Float(y) + 0.5 - centerY
                if ddx * ddx + ddy * ddy <= r2 { blendPixel(x: x, y: y, color: color, alpha: alpha) }
            }
        }
    }

    /// Blends a colour chosen per pixel over `[left, right) x [top, bottom)`: `color(x, y)` returns the colour for
    /// image pixel (`x`, `y`), or nil to leave it. Used for mask overlays.
    public mutating func blendRegion(
        left: Int, top: Int, right: Int, bottom: Int, alpha: Float, color: (Int, Int) -> Color?
    ) {
        let x0 = max(0, left)
        let x1 = min(width, right)
        let y0 = max(0, top)
        let y1 = min(height, bottom)
        guard x1 > x0, y1 > y0 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 {
                if let c = color(x, y) { blendPixel(x: x, y: y, color: c, alpha: alpha) }
            }
        }
    }

    /// Draws `text` in `BitmapFont` with its top-left corner at (`x`, `y`), each font pixel a `scale` x `scale`
    /// square. Returns the width drawn (`BitmapFont.width(of:scale:)`).
    @discardableResult
    public mutating func drawText(_ text: String, x: Int, y: Int, color: Color, scale: Int = 1) -> Int {
        let s = max(1, scale)
        var penX = x
        for character in text {
            let glyph = BitmapFont.glyph(character)
            for (column, bits) in glyph.enumerated() where bits != 0 {
                for row in 0..<BitmapFont.glyphHeight where bits >> UInt8(row) & 1 == 1 {
                    let px = penX + column * s
                    let py = y + row * s
                    fillRectangle(left: px, top: py, right: px + s, bottom: py + s, color: color)
                }
            }
            penX += BitmapFont.advance * s
        }
        return BitmapFont.width(of: text, scale: s)
    }

    /// Draws `text` on a filled background box with `padding` pixels around the glyphs, the box's top-left
    /// corner at (`x`, `y`). Returns the box's size.
    @discardableResult
    public mutating func drawLabel(
        _ text: String, x: Int, y: Int, textColor: Color, background: Color, padding: Int = 1, scale: Int = 1
    ) -> (width: Int, height: Int) {
        let w = BitmapFont.width(of: text, scale: scale) + 2 * padding
        let h = BitmapFont.height(scale: scale) + 2 * padding
        fillRectangle(left: x, top: y, right: x + w, bottom: y + h, color: background)
        drawText(text, x: x + padding, y: y + padding, color: textColor, scale: scale)
        return (w, h)
    }
}
