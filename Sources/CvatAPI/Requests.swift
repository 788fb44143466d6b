import CvatHTTP

/// The GETs behind the endpoints: headers, the status check that turns an answer into an `APIError`, downloads
/// and pagination.
extension CvatClient {
    private func headers(accept: String, useOrganization: Bool) -> [HTTPHeader] {
        var headers = [HTTPHeader("Accept", accept)]
        if useOrganization, let organization { headers.append(HTTPHeader("X-Organization", organization)) }
        return headers
    }

    func getJSON(_ path: String, query: [(String, String)] = [], what: String, useOrganization: Bool = false)
        async throws -> [UInt8]
    {
        try await getJSON(url: server.endpoint(path, query: query), what: what, useOrganization: useOrganization)
    }

    private func getJSON(url: String, what: String, useOrganization: Bool) async throws -> [UInt8] {
        let request = HTTPRequest(
            url: url, headers: headers(accept: "application/vnd.cvat+json", useOrganization: useOrganization),
            credentialHeaders: authHeaders.withLock { $0 }, responseBody: .memory(limit: 1 << 30))
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error as HTTPError {
            throw APIError.network(error, doing: "fetching \(what)")
        }
        try check(response, what: what)
        return response.body
    }

    func download(
        _ path: String, query: [(String, String)], to file: String, what: String, accept: String, limit: Int64,
        sizeHeader: String? = nil, onBytes: (@Sendable (Int) -> Void)? = nil
    ) async throws {
        let response: HTTPResponse
        do {
            response = try await http.download(
                url: server.endpoint(path, query: query), headers: headers(accept: accept, useOrganization: false),
                credentialHeaders: authHeaders.withLock { $0 }, to: file, limit: limit, sizeHeader: sizeHeader,
                onBytes: onBytes)
        } catch let error as HTTPError {
            throw APIError.network(error, doing: "downloading \(what)")
        }
        try check(response, what: what)
    }

    private func check(_ response: HTTPResponse, what: String) throws(APIError) {
        guard !response.isSuccess else { return }
        let detail = ErrorDetail.text(response.body)
        switch response.status {
        case 401:
            if case .accessToken = credentials, detail == "Authentication credentials were not provided." {
                // A server older than personal access tokens (CVAT 2.2x) ignores the Bearer header altogether.
                throw APIError(
                    .authentication,
                    "\(server) ignored the personal access token while fetching \(what) (401: \(detail))",
                    advice:
                        "older CVAT servers (2.23, for one) have no personal access tokens; pass --auth USER (password "
                        + "from PASS or a prompt) instead")
            }
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
                .badResponse,
                "\(server) answered \(response.status) \(HTTPStatus.reason(response.status)) for \(what): \(detail)")
        }
    }

    /// A list endpoint, followed page by page through `next` until it ends: the elements of every page's
    /// `results`, as JSONSerialization produced them.
    func paginated(_ path: String, query: [(String, String)], what: String, useOrganization: Bool)
        async throws -> [Any]
    {
        var url: String? = server.endpoint(path, query: query + [("page_size", "100")])
        var items: [Any] = []
        var pages = 0
        while let next = url {
            pages += 1
            guard pages <= 100_000 else { throw APIError(.badResponse, "\(what): the server's pages never end") }
            let bytes = try await getJSON(url: next, what: what, useOrganization: useOrganization)
            let page = try JSONBody.object(bytes, what: what)
            guard let results = page["results"] as? [Any] else {
                throw APIError(.badResponse, "\(what): the server's answer has no 'results' list")
            }
            items += results
            url = page["next"] as? String
        }
        return items
    }
}
