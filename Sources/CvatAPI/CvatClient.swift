public import CvatHTTP
import Foundation
import Synchronization

/// A connection to one CVAT server with one set of credentials: the REST calls a sync needs, and nothing else.
///
/// It never calls `POST /api/auth/logout`: on current servers that deletes the user's one shared API token and so
/// logs out every other client of that user.
public final class CvatClient: Sendable {
    public let server: ServerAddress
    public let http: HTTPClient
    private let credentials: Credentials
    private let organization: String?
    /// Headers proving identity, settled by `authenticate()`.
    private let authHeaders = Mutex<[HTTPHeader]>([])

    public init(server: ServerAddress, http: HTTPClient, credentials: Credentials, organization: String?) {
        self.server = server
        self.http = http
        self.credentials = credentials
        self.organization = organization
    }

    /// Turns the credentials into request headers, logging in first when a password needs it.
    public func authenticate() async throws(APIError) {
        switch credentials {
        case .none:
            authHeaders.withLock { $0 = [] }
        case .accessToken(let token):
            authHeaders.withLock { $0 = [HTTPHeader("Authorization", "Bearer \(token)")] }
        case .password(let user, let password, .basic):
            let encoded = Data("\(user):\(password)".utf8).base64EncodedString()
            authHeaders.withLock { $0 = [HTTPHeader("Authorization", "Basic \(encoded)")] }
        case .password(let user, let password, let method):
            try await login(user: user, password: password, method: method)
        }
    }

    private func login(user: String, password: String, method: Credentials.PasswordMethod) async throws(APIError) {
        let field = user.contains("@") ? "email" : "username"
        let body = try! JSONSerialization.data(withJSONObject: [field: user, "password": password])
        let request = HTTPRequest(
            method: .post, url: server.endpoint("/api/auth/login"),
            headers: [
                HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "application/vnd.cvat+json"),
                HTTPHeader("Origin", server.url),
            ], body: Array(body), responseBody: .memory(limit: 1 << 20))
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw APIError.network(error, doing: "logging in to \(server)")
        }
        guard response.status == 200 else {
            let detail = ErrorDetail.text(response.body)
            if response.status == 400 || response.status == 401 || response.status == 403 {
                throw APIError(.authentication, "login to \(server) as '\(user)' was refused: \(detail)")
            }
            throw APIError(.badResponse, "login to \(server) failed with status \(response.status): \(detail)")
        }
        switch method {
        case .token:
            guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                let key = object["key"] as? String
            else { throw APIError(.badResponse, "login to \(server) answered without a token key") }
            authHeaders.withLock { $0 = [HTTPHeader("Authorization", "Token \(key)")] }
        case .session, .basic:
            let cookies = Cookies.parse(response.setCookies)
            guard let session = cookies["sessionid"] else {
                throw APIError(.badResponse, "login to \(server) did not set a session cookie")
            }
            var cookieHeader = "sessionid=\(session)"
            var headers: [HTTPHeader] = []
            if let csrf = cookies["csrftoken"] {
                cookieHeader += "; csrftoken=\(csrf)"
                headers.append(HTTPHeader("X-CSRFToken", csrf))
            }
            headers.append(HTTPHeader("Cookie", cookieHeader))
            authHeaders.withLock { $0 = headers }
        }
    }

    // MARK: - Endpoints

    /// `GET /api/tasks/{id}`: the task model and its JSON as received.
    public func task(_ id: Int) async throws(APIError) -> (model: TaskModel, json: [UInt8]) {
        let bytes = try await getJSON("/api/tasks/\(id)", what: "task \(id)")
        return (try JSONBody.decode(TaskModel.self, bytes, what: "task \(id)"), bytes)
    }

    /// `GET /api/projects/{id}`.
    public func project(_ id: Int) async throws(APIError) -> (model: ProjectModel, json: [UInt8]) {
        let bytes = try await getJSON("/api/projects/\(id)", what: "project \(id)")
        return (try JSONBody.decode(ProjectModel.self, bytes, what: "project \(id)"), bytes)
    }

    /// `GET /api/labels?task_id=` or `project_id=`, all pages, as a JSON array of label objects.
    public func labels(taskID: Int? = nil, projectID: Int? = nil) async throws(APIError) -> (
        models: [LabelModel], json: [UInt8]
    ) {
        let (filter, owner) = taskID.map { ("task_id", "task \($0)") } ?? ("project_id", "project \(projectID!)")
        let items = try await paginated(
            "/api/labels", query: [(filter, String(taskID ?? projectID!))], what: "the labels of \(owner)",
            useOrganization: false)
        let json = try JSONBody.serialize(items.map(\.raw))
        return (try JSONBody.decode([LabelModel].self, json, what: "the labels of \(owner)"), json)
    }

    /// `GET /api/tasks?project_id=`, all pages, each task with its JSON as received.
    public func tasks(projectID: Int) async throws(APIError) -> [(model: TaskModel, json: [UInt8])] {
        let items = try await paginated(
            "/api/tasks", query: [("project_id", String(projectID)), ("sort", "id")],
            what: "the tasks of project \(projectID)", useOrganization: true)
        var result: [(model: TaskModel, json: [UInt8])] = []
        for item in items {
            let json = try JSONBody.serialize(item.raw)
            result.append((try JSONBody.decode(TaskModel.self, json, what: "a task of project \(projectID)"), json))
        }
        return result
    }

    /// `GET /api/jobs?task_id=`, all pages, sorted by id, as a JSON array of job objects.
    ///
    /// Sent without an organization: a task's jobs are those of the task's organization, and the filter by task
    /// id already selects them (an organization header would hide the jobs of a task in another one).
    public func jobs(taskID: Int) async throws(APIError) -> (models: [JobModel], json: [UInt8]) {
        let what = "the jobs of task \(taskID)"
        let items = try await paginated(
            "/api/jobs", query: [("task_id", String(taskID)), ("sort", "id")], what: what, useOrganization: false)
        let json = try JSONBody.serialize(items.map(\.raw))
        return (try JSONBody.decode([JobModel].self, json, what: what), json)
    }

    /// `GET /api/tasks/{id}/data/meta`.
    public func dataMeta(taskID: Int) async throws(APIError) -> (model: DataMeta, json: [UInt8]) {
        let bytes = try await getJSON("/api/tasks/\(taskID)/data/meta", what: "the frame list of task \(taskID)")
        return (try JSONBody.decode(DataMeta.self, bytes, what: "the frame list of task \(taskID)"), bytes)
    }

    /// `GET /api/tasks/{id}/annotations`, straight into a file: a large task's annotations need not fit in memory.
    public func downloadAnnotations(taskID: Int, to path: String) async throws(APIError) {
        try await download(
            "/api/tasks/\(taskID)/annotations", query: [], to: path, what: "the annotations of task \(taskID)",
            accept: "application/vnd.cvat+json", limit: 16 << 30)
    }

    /// `GET /api/tasks/{id}/data?type=chunk&number=N&quality=original` into `path`, resuming what `path` holds.
    ///
    /// A chunk can never be larger than 4 GiB - 1: the chunk reader has no ZIP64, so a larger body is unusable
    /// and only fills the disk. A server that announces the chunk's size (`X-Chunk-Size`) is held to it.
    public func downloadChunk(
        taskID: Int, number: Int, quality: ChunkQuality = .original, to path: String,
        onBytes: (@Sendable (Int) -> Void)? = nil
    ) async throws(APIError) {
        let what = quality == .original ? "chunk \(number)" : "compressed chunk \(number)"
        try await download(
            "/api/tasks/\(taskID)/data",
            query: [("type", "chunk"), ("number", String(number)), ("quality", quality.rawValue)], to: path,
            what: "\(what) of task \(taskID)", accept: "*/*", limit: Int64(UInt32.max),
            sizeHeader: "X-Chunk-Size", onBytes: onBytes)
    }

    /// `GET /api/tasks/{id}/data?type=frame&number=N&quality=original` into `path`, resuming what `path` holds.
    ///
    /// For a video task the server decodes the frame from the video and answers PNG (API.md §1.5): the only
    /// lossless way to a video frame without an H.264 decoder on this side.
    public func downloadFrame(
        taskID: Int, frame: Int, to path: String, onBytes: (@Sendable (Int) -> Void)? = nil
    ) async throws(APIError) {
        try await download(
            "/api/tasks/\(taskID)/data",
            query: [("type", "frame"), ("number", String(frame)), ("quality", "original")], to: path,
            what: "frame \(frame) of task \(taskID)", accept: "*/*", limit: 1 << 30, onBytes: onBytes)
    }

    // MARK: - Plumbing

    private func headers(accept: String, useOrganization: Bool) -> [HTTPHeader] {
        var headers = [HTTPHeader("Accept", accept)]
        if useOrganization, let organization { headers.append(HTTPHeader("X-Organization", organization)) }
        return headers
    }

    private func getJSON(_ path: String, query: [(String, String)] = [], what: String, useOrganization: Bool = false)
        async throws(APIError) -> [UInt8]
    {
        try await getJSON(url: server.endpoint(path, query: query), what: what, useOrganization: useOrganization)
    }

    private func getJSON(url: String, what: String, useOrganization: Bool) async throws(APIError) -> [UInt8] {
        let request = HTTPRequest(
            url: url, headers: headers(accept: "application/vnd.cvat+json", useOrganization: useOrganization),
            credentialHeaders: authHeaders.withLock { $0 }, responseBody: .memory(limit: 1 << 30))
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw APIError.network(error, doing: "fetching \(what)")
        }
        try check(response, what: what)
        return response.body
    }

    private func download(
        _ path: String, query: [(String, String)], to file: String, what: String, accept: String, limit: Int64,
        sizeHeader: String? = nil, onBytes: (@Sendable (Int) -> Void)? = nil
    ) async throws(APIError) {
        let response: HTTPResponse
        do {
            response = try await http.download(
                url: server.endpoint(path, query: query), headers: headers(accept: accept, useOrganization: false),
                credentialHeaders: authHeaders.withLock { $0 }, to: file, limit: limit, sizeHeader: sizeHeader,
                onBytes: onBytes)
        } catch {
            throw APIError.network(error, doing: "downloading \(what)")
        }
        try check(response, what: what)
    }

    private func check(_ response: HTTPResponse, what: String) throws(APIError) {
        guard !response.isSuccess else { return }
        let detail = ErrorDetail.text(response.body)
        switch response.status {
        case 401:
            throw APIError(
                .authentication,
                "\(server) rejected the credentials while fetching \(what) (401: \(detail)); check --auth, "
                    + "CVAT_ACCESS_TOKEN or --profile")
        case 403:
            throw APIError(.permission, "this account may not read \(what) on \(server) (403: \(detail))")
        case 404:
            throw APIError(.notFound, "\(what) was not found on \(server), or this account cannot see it")
        case 406:
            throw APIError(.badResponse, "\(server) does not speak CVAT's API version 2.0 (406 for \(what))")
        default:
            throw APIError(
                .badResponse, "\(server) answered \(response.status) \(HTTPStatus.reason(response.status)) for \(what): \(detail)")
        }
    }

    /// A list endpoint, followed page by page through `next` until it ends.
    private func paginated(_ path: String, query: [(String, String)], what: String, useOrganization: Bool)
        async throws(APIError) -> [JSONBody.Item]
    {
        var url: String? = server.endpoint(path, query: query + [("page_size", "100")])
        var items: [JSONBody.Item] = []
        var pages = 0
        while let next = url {
            pages += 1
            guard pages <= 100_000 else { throw APIError(.badResponse, "\(what): the server's pages never end") }
            let bytes = try await getJSON(url: next, what: what, useOrganization: useOrganization)
            let page = try JSONBody.object(bytes, what: what)
            guard let results = page["results"] as? [Any] else {
                throw APIError(.badResponse, "\(what): the server's answer has no 'results' list")
            }
            items += results.map { JSONBody.Item(raw: $0) }
            url = page["next"] as? String
        }
        return items
    }
}

/// The `quality` of a chunk request: source files (`original`) or CVAT's JPEG re-encoding at `image_quality`.
public enum ChunkQuality: String, Sendable {
    case original, compressed
}

/// Small helpers around Foundation's JSON, kept here so callers never see `Any`.
enum JSONBody {
    /// One element of a JSON list, still as JSONSerialization produced it.
    struct Item: @unchecked Sendable {
        let raw: Any
    }

    static func object(_ bytes: [UInt8], what: String) throws(APIError) -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw APIError(.badResponse, "\(what): the server's answer is not a JSON object")
        }
        return object
    }

    static func serialize(_ value: Any) throws(APIError) -> [UInt8] {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else {
            throw APIError(.badResponse, "a server answer could not be re-encoded as JSON")
        }
        return Array(data)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], what: String) throws(APIError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            throw APIError(.badResponse, "\(what): unexpected JSON from the server (\(DecodingErrorText.describe(error)))")
        } catch {
            throw APIError(.badResponse, "\(what): unreadable JSON from the server")
        }
    }
}

/// A DecodingError said in one line: which field, and what was wrong with it.
public enum DecodingErrorText {
    public static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the top level" : String(keys.drop(while: { $0 == "." }))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return "malformed JSON at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// The useful part of a DRF error body: `{"detail": "..."}` or the raw text, shortened.
enum ErrorDetail {
    static func text(_ body: [UInt8]) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            if let detail = object["detail"] as? String { return detail }
            if let errors = object["non_field_errors"] as? [String], let first = errors.first { return first }
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "no details" : text
    }
}

/// `Set-Cookie` values reduced to name → value; attributes (Path, Expires, ...) do not matter for one run.
enum Cookies {
    static func parse(_ headers: [String]) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in headers {
            guard let pair = header.split(separator: ";", maxSplits: 1).first,
                let equals = pair.firstIndex(of: "=")
            else { continue }
            let name = pair[..<equals].trimmingCharacters(in: .whitespaces)
            cookies[name] = String(pair[pair.index(after: equals)...])
        }
        return cookies
    }
}
