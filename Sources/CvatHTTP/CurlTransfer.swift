internal import CCurl
internal import CCurlShims
import CvatSystem
import Synchronization

/// One easy handle configured for one request, and the state its callbacks fill in.
///
/// Only the transport's thread touches an instance after it is submitted, except `cancelled`, an atomic; that is
/// the invariant behind `@unchecked Sendable`.
final class CurlTransfer: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    let request: HTTPRequest
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl keeps these two pointers for the life of the handle, so they are allocated, not borrowed from arrays.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var uploadBody: UnsafeMutableRawBufferPointer?

    var status = 0
    var headers: [String: String] = [:]
    var setCookies: [String] = []
    var body: [UInt8] = []
    var bodyBytes: Int64 = 0
    /// Size of the download file so far, including what an earlier attempt left.
    var fileOffset: Int64 = 0
    /// Set by a callback that had to stop the transfer; it explains the CURLE_WRITE_ERROR that follows.
    var abortReason: HTTPError.Kind?
    var abortMessage = ""
    /// The system call's error behind an `.io` abort.
    var abortUnderlying: (any Error)?
    let onBytes: (@Sendable (Int) -> Void)?
    /// Resumes the awaiting task; called exactly once, by `complete`.
    var completion: ((Result<HTTPResponse, any Error>) -> Void)?
    /// Set from the awaiting task's cancellation handler, on any thread; the loop then drops the transfer.
    private let cancelled = Atomic<Bool>(false)

    init(request: HTTPRequest, options: TransportOptions, onBytes: (@Sendable (Int) -> Void)?) throws(HTTPError) {
        guard let handle = curl_easy_init() else {
            throw HTTPError(kind: .other, message: "libcurl could not create a handle", url: request.url)
        }
        self.handle = handle
        self.request = request
        self.onBytes = onBytes
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try configure(options)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
        uploadBody?.deallocate()
    }

    func cancel() { cancelled.store(true, ordering: .releasing) }

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Hands the outcome to the awaiting task, once: later calls do nothing.
    func complete(_ result: Result<HTTPResponse, any Error>) {
        let completion = self.completion
        self.completion = nil
        completion?(result)
    }

    /// Completes the transfer with what libcurl's result code says.
    func completeFinished(code: CURLcode) {
        complete(finish(code: code).mapError { $0 })
    }

    private func check(_ code: CURLcode, _ what: String) throws(HTTPError) {
        guard code == CURLE_OK else {
            let text = String(cString: curl_easy_strerror(code))
            throw HTTPError(kind: .other, message: "libcurl rejected \(what): \(text)", url: request.url)
        }
    }

    private func configure(_ options: TransportOptions) throws(HTTPError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(cvat_curl_easy_setopt_string(handle, CURLOPT_URL, request.url), "the URL")
        try check(cvat_curl_easy_setopt_pointer(handle, CURLOPT_PRIVATE, context), "CURLOPT_PRIVATE")
        _ = cvat_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = cvat_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        // Redirects are followed by HTTPClient, which decides what credentials may travel to the new origin.
        _ = cvat_curl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = cvat_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        // A stalled transfer is one that moves less than one byte a second for `stallTimeout` seconds. CVAT may
        // hold a chunk request for up to 50 s before answering 429, so this must be longer than that.
        _ = cvat_curl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
        _ = cvat_curl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, Int(options.stallTimeout))
        _ = cvat_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, options.verifyTLS ? 1 : 0)
        _ = cvat_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, options.verifyTLS ? 2 : 0)
        if let caFile = options.caCertificateFile {
            try check(cvat_curl_easy_setopt_string(handle, CURLOPT_CAINFO, caFile), "the CA certificate file")
        }
        _ = cvat_curl_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        _ = cvat_curl_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        try check(cvat_curl_easy_setopt_string(handle, CURLOPT_USERAGENT, options.userAgent), "the user agent")
        try check(
            cvat_curl_easy_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, request.acceptEncoding ?? ""),
            "Accept-Encoding")

        for header in request.headers + request.credentialHeaders {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        // libcurl adds "Expect: 100-continue" to larger POSTs; CVAT does not need the extra round trip.
        headerList = curl_slist_append(headerList, "Expect:")
        _ = cvat_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        switch request.method {
        case .get: _ = cvat_curl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case .head: _ = cvat_curl_easy_setopt_long(handle, CURLOPT_NOBODY, 1)
        case .post:
            let bytes = request.body ?? []
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            buffer.copyBytes(from: bytes)
            uploadBody = buffer
            _ = cvat_curl_easy_setopt_long(handle, CURLOPT_POST, 1)
            _ = cvat_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
            _ = cvat_curl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, buffer.baseAddress)
        }

        _ = cvat_curl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        _ = cvat_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = cvat_curl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        _ = cvat_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
    }

    /// Called on the transport thread for each body fragment. Returning less than `count` aborts the transfer.
    func receive(_ data: UnsafeRawBufferPointer) -> Int {
        let count = data.count
        switch request.responseBody {
        case .memory(let limit):
            if body.count + count > limit {
                abortReason = .tooLarge
                abortMessage = "the response is larger than the \(limit) bytes allowed"
                return 0
            }
            body.append(contentsOf: data)
        case .file(let fd, let path, let resumeOffset, let limit):
            if !(200..<300).contains(status) {
                // An error page: keep a little of it for the message, never let it into the file.
                if body.count < 65536 { body.append(contentsOf: data.prefix(65536 - body.count)) }
                return count
            }
            if bodyBytes == 0 && !prepareFile(fd, path: path, resumeOffset: resumeOffset) { return 0 }
            if fileOffset + Int64(count) > limit {
                abortReason = .tooLarge
                abortMessage = "the response is larger than the \(limit) bytes allowed"
                return 0
            }
            if let name = request.sizeHeader, let declared = headers[name.lowercased()].flatMap({ Int64($0) }),
                fileOffset + Int64(count) > declared
            {
                abortReason = .tooLarge
                abortMessage = "the server sent more than the \(declared) bytes its \(name) header announced"
                return 0
            }
            do {
                try Syscalls.writeAll(fd, data, path: path)
            } catch {
                abortReason = .io
                abortMessage = "cannot write \(path): \(SystemError.text(error.errno))"
                abortUnderlying = error
                return 0
            }
            fileOffset += Int64(count)
        }
        bodyBytes += Int64(count)
        onBytes?(count)
        return count
    }

    /// Positions the file for the first body byte: after what is already there for a 206, at zero otherwise.
    private func prepareFile(_ fd: Int32, path: String, resumeOffset: Int64) -> Bool {
        var start: Int64 = 0
        if status == 206, resumeOffset > 0 {
            guard let range = headers["content-range"], ContentRange(range)?.start == resumeOffset else {
                abortReason = .interrupted
                abortMessage = "the server answered a different byte range than asked for"
                return false
            }
            start = resumeOffset
        }
        if ftruncate(fd, off_t(start)) != 0 || lseek(fd, off_t(start), SEEK_SET) < 0 {
            abortReason = .io
            abortMessage = "cannot prepare \(path) for the download: \(SystemError.text(errno))"
            abortUnderlying = SystemError("ftruncate", path: path, errno: errno)
            return false
        }
        fileOffset = start
        return true
    }

    /// Called once per header line; a new status line (after a 100 Continue, say) starts a fresh header set.
    func receiveHeader(_ line: String) {
        let trimmed = line.trimmingSuffix { $0.isNewline }
        if trimmed.hasPrefix("HTTP/") {
            headers = [:]
            setCookies = []
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            if parts.count >= 2, let code = Int(parts[1]) { status = code }
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = trimmed[..<colon].lowercased()
        let value = trimmed[trimmed.index(after: colon)...].trimmingPrefix { $0 == " " || $0 == "\t" }
        if name == "set-cookie" { setCookies.append(String(value)) }
        headers[name] = String(value)
    }

    /// Turns libcurl's result code into a response or an error.
    func finish(code: CURLcode) -> Result<HTTPResponse, HTTPError> {
        if code == CURLE_OK {
            var responseCode = 0
            _ = cvat_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
            return .success(
                HTTPResponse(
                    status: responseCode == 0 ? status : responseCode, headers: headers, setCookies: setCookies,
                    body: body, bodyBytes: bodyBytes, url: request.url, fileSize: fileOffset))
        }
        if let reason = abortReason {
            return .failure(
                HTTPError(kind: reason, message: abortMessage, url: request.url, underlying: abortUnderlying))
        }
        let detail = String(cString: errorBuffer)
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let kind: HTTPError.Kind
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            kind = .connection
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timeout
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR:
            kind = .tls
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2,
            CURLE_HTTP2_STREAM:
            kind = .interrupted
        default:
            kind = .other
        }
        return .failure(HTTPError(kind: kind, message: text, url: request.url))
    }
}

private func curlWriteCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.receive(UnsafeRawBufferPointer(start: data, count: size * count))
}

private func curlHeaderCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    transfer.receiveHeader(String(decoding: bytes, as: UTF8.self))
    return size * count
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
