import CvatImage
import Testing

@Suite("Tensor output")
struct TensorTests {
    static let image = try! RGBImage(width: 2, height: 1, pixels: [0, 128, 255, 10, 20, 30])

    @Test func chwUInt8() throws {
        var out = [UInt8](repeating: 99, count: 8)
        try Self.image.writeUInt8(into: &out, at: 1, layout: .chw)
        #expect(out == [99, 0, 10, 128, 20, 255, 30, 99])
    }

    @Test func hwcFloatUnit() throws {
        var out = [Float](repeating: -1, count: 6)
        try Self.image.writeFloat32(into: &out, layout: .hwc)
        #expect(out == [0, Float(128) / 255, 1, Float(10) / 255, Float(20) / 255, Float(30) / 255])
    }

    @Test("ImageNet normalisation is torchvision's float32 (x / 255 - mean) / std")
    func chwImageNet() throws {
        var out = [Float](repeating: 0, count: 6)
        try Self.image.writeFloat32(into: &out, layout: .chw, normalization: .imageNet)
        let r0 = (Float(0) / 255 - Float(0.485)) / Float(0.229)
        let b0 = (Float(255) / 255 - Float(0.406)) / Float(0.225)
        let g1 = (Float(20) / 255 - Float(0.456)) / Float(0.224)
        #expect(out[0] == r0)
        #expect(out[4] == b0)
        #expect(out[3] == g1)
    }

    @Test func tooSmall() {
        var out = [Float](repeating: 0, count: 5)
        #expect(throws: ImageError.destinationTooSmall(needed: 6, available: 5)) {
            try Self.image.writeFloat32(into: &out, layout: .chw)
        }
        var bytes = [UInt8](repeating: 0, count: 6)
        #expect(throws: ImageError.self) { try Self.image.writeUInt8(into: &bytes, at: 1, layout: .hwc) }
    }
}
