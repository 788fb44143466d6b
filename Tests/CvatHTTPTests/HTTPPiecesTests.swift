import Testing

@testable import CvatHTTP

@Suite("HTTP pieces")
struct HTTPPiecesTests {
    @Test(
        "Content-Range parsing",
        arguments: [
            ("bytes 100-199/1000", ContentRange?.some(ContentRange(start: 100, end: 199, total: 1000))),
            ("bytes 0-0/*", ContentRange(start: 0, end: 0, total: nil)),
            ("items 1-2/3", nil),
            ("bytes nonsense", nil),
        ])
    func contentRange(header: String, expected: ContentRange?) {
        #expect(ContentRange(header) == expected)
    }

    @Test("Retry-After: seconds, HTTP dates, garbage, and the cap")
    func retryAfter() {
        let policy = RetryPolicy(maxRetryAfter: 120)
        #expect(policy.retryAfter("10") == 10)
        #expect(policy.retryAfter("100000") == 120)
        #expect(policy.retryAfter(nil) == 1)
        #expect(policy.retryAfter("soon") == 1)
        #expect(policy.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT") == 0, "a date in the past means now")
    }

    @Test("backoff grows exponentially and stays under the cap")
    func backoff() {
        let policy = RetryPolicy(baseDelay: 0.5, maxDelay: 4)
        for attempt in 1...10 {
            let cap = min(4, 0.5 * Double(1 << (attempt - 1)))
            for _ in 0..<20 { #expect((0...cap).contains(policy.backoff(afterAttempt: attempt))) }
        }
    }

    @Test(
        "origins: scheme, host and port decide whether credentials follow a redirect",
        arguments: [
            ("http://a:8080/x", "http://a:8080/y", true),
            ("http://A/x", "http://a:80/y", true),
            ("https://a/x", "https://a:443/y", true),
            ("http://a/x", "https://a/x", false),
            ("http://a:8080/x", "http://a:8081/x", false),
            ("http://a/x", "http://b/x", false),
        ])
    func origins(a: String, b: String, same: Bool) {
        #expect(Origin.same(a, b) == same)
    }

    @Test("transient errors are the ones a retry can fix")
    func transient() {
        #expect(HTTPError(kind: .status(503), message: "", url: "").isTransient)
        #expect(HTTPError(kind: .status(429), message: "", url: "").isTransient)
        #expect(HTTPError(kind: .interrupted, message: "", url: "").isTransient)
        #expect(!HTTPError(kind: .status(404), message: "", url: "").isTransient)
        #expect(!HTTPError(kind: .tls, message: "", url: "").isTransient)
    }

    @Test("the statuses HTTPClient retries are exactly those HTTPError calls transient: not 501 or 505")
    func retryableStatuses() {
        for status in 100...599 {
            let retried = [408, 429, 500, 502, 503, 504].contains(status)
            #expect(RetryPolicy.retryableStatuses.contains(status) == retried, "\(status)")
            #expect(HTTPError(kind: .status(status), message: "", url: "").isTransient == retried, "\(status)")
        }
    }
}

extension ContentRange {
    init(start: Int64, end: Int64, total: Int64?) {
        self.init("bytes \(start)-\(end)/\(total.map(String.init) ?? "*")")!
    }
}
