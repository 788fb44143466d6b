import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The CVAT-compatible test server (`Fixtures/server/cvat_test_server.py`) on a free loopback port.
///
/// Each test starts its own instance, so tests never share state. The server exits when its stdin closes,
/// which happens when this object is stopped or the test process dies.
public final class TestServer: @unchecked Sendable {
    public let url: String
    private let process: Process
    private let stdinPipe: Pipe

    public static let adminToken = "cvat_pat_admin.0123456789abcdef"
    public static let workerToken = "cvat_pat_worker.fedcba9876543210"

    public init(dataset: String = "sample", extraArguments: [String] = []) throws {
        let process = Process()
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        var arguments = [
            TestPaths.fixtures.appendingPathComponent("server/cvat_test_server.py").path,
            "--dataset", TestPaths.fixtures.appendingPathComponent("datasets/\(dataset)").path,
            "--port", "0", "--exit-on-stdin-eof",
        ]
        arguments += extraArguments
        let python = TestPaths.python.split(separator: " ").map(String.init)
        process.executableURL = URL(fileURLWithPath: python[0])
        process.arguments = Array(python.dropFirst()) + arguments
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is "READY <url>"; read byte by byte so nothing past it is consumed.
        var line: [UInt8] = []
        let handle = stdoutPipe.fileHandleForReading
        while true {
            let byte = handle.readData(ofLength: 1)
            guard let first = byte.first else { break }
            if first == 10 { break }
            line.append(first)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("READY ") else {
            process.terminate()
            throw TestServerError(message: "the test server did not start (said: '\(text)')")
        }
        url = String(text.dropFirst("READY ".count))
        self.process = process
        self.stdinPipe = stdinPipe
    }

    deinit { stop() }

    public func stop() {
        guard process.isRunning else { return }
        try? stdinPipe.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    /// POSTs a JSON body to a `/_test/...` control endpoint and returns the decoded answer.
    @discardableResult
    public func control(_ path: String, _ body: [String: Any] = [:]) throws -> Any {
        try request("POST", path, body: try JSONSerialization.data(withJSONObject: body))
    }

    /// Every `/api` request since the last reset, as the server logged it.
    public func log() throws -> [[String: Any]] {
        (try request("GET", "/_test/log", body: nil) as? [[String: Any]]) ?? []
    }

    public func resetLog() throws { try control("/_test/log/reset") }

    /// The `[task, chunk]` pairs of chunk requests the `hold_chunks` fault holds until `/_test/release`.
    public func held() throws -> [[Int]] {
        ((try request("GET", "/_test/held", body: nil) as? [String: Any])?["held"] as? [[Int]]) ?? []
    }

    public func stats() throws -> [String: Any] {
        (try request("GET", "/_test/stats", body: nil) as? [String: Any]) ?? [:]
    }

    private func request(_ method: String, _ path: String, body: Data?) throws -> Any {
        // A tiny blocking client: tests call this between CLI runs, never concurrently with themselves.
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let semaphore = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Data, any Error> = .failure(TestServerError(message: "no answer"))
        URLSession.shared.dataTask(with: request) { data, _, error in
            if let error { result = .failure(error) } else { result = .success(data ?? Data()) }
            semaphore.signal()
        }.resume()
        semaphore.wait()
        let data = try result.get()
        return data.isEmpty ? [:] : try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }
}

public struct TestServerError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
