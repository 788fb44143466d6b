/// Why an image could not be decoded; `description` says what was wrong and carries the C library's message.
public struct CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong; more cases may be added.
    public enum Code: String, Sendable, Hashable {
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
    }

    public var code: Code
    /// "JPEG", "PNG", or nil when the format is unknown.
    public var format: String?
    /// Human-readable detail, including the C library's own message where there is one.
    public var detail: String

    public init(_ code: Code, format: String?, detail: String) {
        self.code = code
        self.format = format
        self.detail = detail
    }

    public var description: String {
        let advice: String
        switch code {
        case .unknownFormat: advice = "only JPEG and PNG frames are supported"
        case .corrupt, .truncated: advice = "the file is damaged; delete the cached chunk so it is downloaded again"
        case .tooManyPixels: advice = "raise --max-pixels if the image is genuine"
        case .unsupported: advice = "convert the image to baseline RGB/greyscale JPEG or PNG"
        case .libraryFailure: advice = "the system may be out of memory"
        }
        return "\(format.map { "\($0): " } ?? "")\(detail) (\(advice))"
    }
}
