/// Why an export stopped. Each message names the task, frame or file involved.
public struct ExportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The data (an image, annotations, the label map) cannot be turned into what was asked.
        case data
        /// The output folder exists and --force was not given, or cannot be created.
        case output
        /// Writing failed (disk full, permissions).
        case io
        /// An option is invalid for this data.
        case usage
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
