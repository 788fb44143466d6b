import Foundation
import Testing

@testable import CvatHTTP

/// The transport's thread must end with its owner: it holds only the loop state, and `shutdown()` joins it.
@Suite("transport lifetime")
struct TransportLifetimeTests {
    /// A port on which nothing listens, so a request fails at once without a server.
    static let refusedURL = "http://127.0.0.1:9/"

    /// Waits until the transport's thread has started and said who it is.
    static func threadID(of transport: Transport) async throws -> Int32 {
        let deadline = ContinuousClock.now + .seconds(5)
        while transport.threadID == 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        return transport.threadID
    }

    /// Whether the kernel still lists the thread. A joined thread can linger for a moment while the kernel
    /// finishes its exit, so an ending is waited for (briefly) before it is judged missing.
    static func threadExists(_ id: Int32, waitingForEnd: Bool = false) async throws -> Bool {
        let path = "/proc/self/task/\(id)"
        let deadline = ContinuousClock.now + .seconds(waitingForEnd ? 2 : 0)
        while FileManager.default.fileExists(atPath: path) {
            guard ContinuousClock.now < deadline else { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    @Test("shutdown() ends the thread, and nothing keeps the transport alive after it")
    func shutdownJoins() async throws {
        weak var weakTransport: Transport?
        let id: Int32
        do {
            let transport = try Transport()
            weakTransport = transport
            id = try await Self.threadID(of: transport)
            #expect(id != 0)
            #expect(try await Self.threadExists(id))
            // A transfer that went through the loop leaves no reference behind either.
            await #expect(throws: HTTPError.self) { try await transport.send(HTTPRequest(url: Self.refusedURL)) }
            transport.shutdown()
            #expect(!(try await Self.threadExists(id, waitingForEnd: true)))
            transport.shutdown()  // again: does nothing
        }
        #expect(weakTransport == nil)
    }

    @Test("a transport its owner forgot to shut down is freed, and its thread ends, when released")
    func deinitShutsDown() async throws {
        weak var weakTransport: Transport?
        let id: Int32
        do {
            let transport = try Transport()
            weakTransport = transport
            id = try await Self.threadID(of: transport)
            await #expect(throws: HTTPError.self) { try await transport.send(HTTPRequest(url: Self.refusedURL)) }
        }
        #expect(weakTransport == nil)
        #expect(id != 0)
        #expect(!(try await Self.threadExists(id, waitingForEnd: true)))
    }

    @Test("a request sent after shutdown() fails at once")
    func sendAfterShutdown() async throws {
        let transport = try Transport()
        transport.shutdown()
        let started = ContinuousClock.now
        await #expect(throws: HTTPError.self) { try await transport.send(HTTPRequest(url: Self.refusedURL)) }
        #expect(ContinuousClock.now - started < .seconds(10), "fails at once rather than waiting for a time-out")
    }
}
