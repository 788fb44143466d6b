public import CvatErrors

/// Why an export stopped. Each message names the task, frame or file involved.
public struct ExportError: LayerError {
    public enum Kind: ErrorKind {
        /// The data (an image, annotations, the label map) cannot be turned into what was asked.
        case data
        /// The output folder exists and --force was not given, or cannot be created.
        case output
        /// Writing failed (disk full, permissions).
        case io
        /// An option is invalid for this data.
        case usage

        public var category: ErrorCategory {
            switch self {
            case .data: .data
            case .output: .cannotCreate
            case .io: .io
            case .usage: .usage
            }
        }
    }

    public var kind: Kind
    public var message: String
    public var advice: String?
    public var underlying: (any Error)?

    public init(kind: Kind, message: String, advice: String?, underlying: (any Error)?) {
        self.kind = kind
        self.message = message
        self.advice = advice
        self.underlying = underlying
    }
}
