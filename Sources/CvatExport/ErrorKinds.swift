import CvatErrors

extension ExportError.Kind {
    /// The kind an export error takes from the lower error it wraps, so that the exit code still says whose fault
    /// it is: a bad `--resize` or label map stays the user's (64), a zero-size frame or two labels with one id the
    /// data's (65), a full disk an I/O failure (74). A lower error that would be cvat-ds's own mistake (a wrong
    /// dtype or shape given to a writer) has no export kind of its own and stays I/O, as it always was.
    init(wrapping error: any Error) {
        switch error.category {
        case .usage: self = .usage
        case .cannotCreate: self = .output
        case .io, .internalError: self = .io
        case .data, .notFound, .network, .busy, .authentication, .interrupted: self = .data
        }
    }
}

extension ExportError {
    /// `message` (which names the task, frame or file) for a lower error that is kept as `underlying`.
    init(wrapping error: any Error, _ message: String, advice: String? = nil) {
        self.init(Kind(wrapping: error), message, advice: advice, underlying: error)
    }
}
