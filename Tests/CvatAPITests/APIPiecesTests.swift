import CvatTestSupport
import Foundation
import Testing

@testable import CvatAPI

@Suite("API pieces")
struct APIPiecesTests {
    @Test(
        "server addresses are normalised as cvat-sdk does",
        arguments: [
            ("http://localhost:8080", nil, "http://localhost:8080"),
            ("localhost", nil, "https://localhost"),
            ("https://cvat.example.com///", nil, "https://cvat.example.com"),
            ("http://localhost", 8080, "http://localhost:8080"),
        ] as [(String, Int?, String)])
    func normalise(host: String, port: Int?, expected: String) throws {
        #expect(try ServerAddress(host: host, port: port).url == expected)
    }

    @Test("bad addresses are usage errors")
    func badAddresses() {
        #expect(throws: APIError.self) { try ServerAddress(host: "ftp://x") }
        #expect(throws: APIError.self) { try ServerAddress(host: "http://x:1", port: 2) }
        #expect(throws: APIError.self) { try ServerAddress(host: "http://user:pw@x") }
    }

    @Test("the cache folder name is cvat-sdk's (urlsafe base64, no padding)")
    func cacheName() throws {
        // The example in cvat-sdk's caching code and API.md.
        #expect(try ServerAddress(host: "http://localhost:8080").cacheDirectoryName == "aHR0cDovL2xvY2FsaG9zdDo4MDgw")
        // Names whose standard base64 would have padding, '+' or '/' (checked with Python's urlsafe_b64encode).
        #expect(try ServerAddress(host: "https://x.y").cacheDirectoryName == "aHR0cHM6Ly94Lnk")
        #expect(
            try ServerAddress(host: "http://localhost:8080/~~~").cacheDirectoryName
                == "aHR0cDovL2xvY2FsaG9zdDo4MDgwL35-fg")
    }

    @Test("timestamps compare in time, to the microsecond, across offsets")
    func timestamps() throws {
        let a = try #require(Timestamp("2025-08-01T11:44:47.600000Z"))
        let b = try #require(Timestamp("2025-08-01T11:44:47.600001Z"))
        let c = try #require(Timestamp("2025-08-01T13:44:47.6+02:00"))
        #expect(a < b)
        #expect(a == c)
        #expect(Timestamp("2025-08-01") == nil)
        #expect(Timestamp("not a date") == nil)
        #expect(try #require(Timestamp("1970-01-01T00:00:01Z")).microseconds == 1_000_000)
    }

    @Test("cookies from Set-Cookie headers")
    func cookies() {
        let parsed = Cookies.parse([
            "csrftoken=abc; expires=Wed, 24 Nov 2027 10:00:00 GMT; Path=/; SameSite=Lax",
            "sessionid=xyz; HttpOnly; Path=/",
        ])
        #expect(parsed == ["csrftoken": "abc", "sessionid": "xyz"])
    }

    @Test("profiles: read-only, refused when readable by others, default profile and server")
    func profiles() throws {
        let scratch = try TestPaths.makeTemporaryDirectory("profiles")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let folder = scratch.appendingPathComponent("cvat-sdk")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("auth.json")
        let document = """
            {"version": 1, "default_profile": "work", "default_server": "https://fallback",
             "profiles": {"work": {"server": "https://cvat.example.com", "token": "t0k", "created_date": ""}}}
            """
        try Data(document.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let store = ProfileStore(path: file.path)
        #expect(
            try store.profile(named: "work")
                == ProfileStore.Profile(name: "work", server: "https://cvat.example.com", token: "t0k"))
        #expect(try store.defaultProfile()?.name == "work")
        #expect(try store.defaultServer() == "https://fallback")
        #expect(throws: APIError.self) { try store.profile(named: "nope") }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(throws: APIError.self) { try store.profile(named: "work") }
    }

    @Test("models decode leniently: a task without data has no size or chunk size")
    func models() throws {
        let json =
            #"{"id": 5, "name": "empty", "updated_date": "2025-01-01T00:00:00Z", "project_id": null, "extra": 1}"#
        let task = try JSONDecoder().decode(TaskModel.self, from: Data(json.utf8))
        #expect(!task.hasData)
        let shape = #"{"type": "rectangle", "frame": 1, "label_id": 2, "points": [1, 2, 3, 4]}"#
        let decoded = try JSONDecoder().decode(Shape.self, from: Data(shape.utf8))
        #expect(decoded.rotation == 0 && decoded.points == [1, 2, 3, 4])
    }
}
