import CvatHTTP
import Foundation

extension CvatClient {
    /// Turns the credentials into request headers, logging in first when a password needs it.
    ///
    /// Throws `APIError`, or `CancellationError` when the task is cancelled during the login.
    public func authenticate() async throws {
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

    private func login(user: String, password: String, method: Credentials.PasswordMethod) async throws {
        let field = user.contains("@") ? "email" : "username"
        let body: Data
        do {
            body = try JSONEncoder().encode([field: user, "password": password])
        } catch {
            // Strings always encode; this is here because the encoder's signature says it may throw.
            throw APIError(.usage, "the user name or password for \(server) cannot be sent as JSON")
        }
        let request = HTTPRequest(
            method: .post, url: server.endpoint("/api/auth/login"),
            headers: [
                HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "application/vnd.cvat+json"),
                HTTPHeader("Origin", server.url),
            ], body: Array(body), responseBody: .memory(limit: 1 << 20))
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error as HTTPError {
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
}
