import CvatTargets
import CvatGeometry
import CvatTensors

/// The kind an export error takes from the lower error it wraps, so that the exit code says whose fault it is.
extension ExportError.Kind {
    /// A map that misses or misnumbers a label is the user's to fix; two labels with one id are the data's.
    init(_ error: LabelMapError) {
        switch error {
        case .duplicateLabelID: self = .data
        case .missingLabel, .negativeIndex, .negativeOffset: self = .usage
        }
    }

    /// A frame list with a zero size is the data's fault; a zero target size is the user's `--resize`.
    init(_ error: ImagePlanError) {
        switch error {
        case .invalidSourceSize: self = .data
        case .invalidTargetSize, .invalidShorterSide: self = .usage
        }
    }

    /// Every array write failure is an I/O failure (disk full, permissions); the other cases (wrong dtype or shape)
    /// would be cvat-ds's own mistake, which this error type has no kind for, so they stay I/O as before.
    init(_ error: TensorWriteError) {
        self = .io
    }

    /// Only a manifest that cannot be written is an I/O failure; one that cannot be read or combined is data.
    init(_ error: ManifestError) {
        switch error {
        case .cannotWrite: self = .io
        case .cannotRead, .unsupportedVersion, .inconsistent: self = .data
        }
    }
}
