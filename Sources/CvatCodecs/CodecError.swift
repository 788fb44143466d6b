public import CvatErrors

/// Why an image could not be decoded: what was wrong, with the C library's message, and what to do about it.
public struct CodecError: KindedError, Sendable, Equatable {
    /// What went wrong; more cases may be added.
    public enum Kind: String, ErrorKind {
        /// Neither a JPEG nor a PNG (by the first bytes).
        case unknownFormat
        /// The data is damaged: bad markers, bad Huffman data, bad chunk CRC, impossible header values.
        case corrupt
        /// The data ends before the image does (an interrupted download or a cut file).
        case truncated
        /// The header claims more pixels than the decode limit (a decompression bomb, or a limit set too low).
        case tooManyPixels
        /// A valid file this decoder does not handle (e.g. a JPEG colour space TurboJPEG cannot convert).
        case unsupported
        /// The C library could not be set up (out of memory).
        case libraryFailure

        /// An image that cannot be decoded is bad data; a library that cannot start is not the data's fault.
        public var category: ErrorCategory {
            switch self {
            case .unknownFormat, .corrupt, .truncated, .tooManyPixels, .unsupported: .data
            case .libraryFailure: .internalError
            }
        }
    }

    public var kind: Kind
    /// "JPEG", "PNG", or nil when the format is unknown.
    public var format: String?
    /// Human-readable detail, including the C library's own message where there is one.
    public var detail: String

    public init(_ kind: Kind, format: String?, detail: String) {
        self.kind = kind
        self.format = format
        self.detail = detail
    }

    public var message: String { "\(format.map { "\($0): " } ?? "")\(detail)" }

    public var advice: String? {
        switch kind {
        case .unknownFormat: "only JPEG and PNG frames are supported"
        case .corrupt, .truncated: "the file is damaged; delete the cached chunk so it is downloaded again"
        case .tooManyPixels: "raise --max-pixels if the image is genuine"
        case .unsupported: "convert the image to baseline RGB/greyscale JPEG or PNG"
        case .libraryFailure: "the system may be out of memory"
        }
    }
}
