/// One mask of a sample at its image's size: a class index per pixel (semantic) or non-zero inside the object
/// (instance).
///
/// Two bytes a pixel hold both element types an export writes (uint8 and uint16 masks), where `[Int]` took eight.
package struct SampleMask: Sendable, Hashable {
    package var width: Int
    package var height: Int
    /// `width * height` values, row by row.
    package var values: [UInt16]

    package init(width: Int, height: Int, values: [UInt16]) {
        precondition(values.count == width * height, "a mask holds one value per pixel")
        self.width = width
        self.height = height
        self.values = values
    }

    package subscript(x: Int, y: Int) -> Int { Int(values[y * width + x]) }
}
