/// The element types cvat-ds writes, with their NumPy names.
public enum DType: String, Sendable, Hashable, CaseIterable, Codable {
    case uint8, uint16, int32, int64, float32

    /// The `descr` of a `.npy` header, little-endian. `|u1` is what `numpy.save` writes for uint8, whose byte
    /// order is moot; NumPy reads `<u1` just as well.
    public var numpyDescr: String {
        switch self {
        case .uint8: return "|u1"
        case .uint16: return "<u2"
        case .int32: return "<i4"
        case .int64: return "<i8"
        case .float32: return "<f4"
        }
    }

    public var byteSize: Int {
        switch self {
        case .uint8: return 1
        case .uint16: return 2
        case .int32: return 4
        case .int64: return 8
        case .float32: return 4
        }
    }
}
