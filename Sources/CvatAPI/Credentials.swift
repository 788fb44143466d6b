/// How cvat-ds proves who it is, in cvat-cli's terms.
public enum Credentials: Sendable {
    /// A Personal Access Token, sent as `Authorization: Bearer`.
    case accessToken(String)
    /// A user name (or e-mail) and password.
    case password(user: String, password: String, method: PasswordMethod)
    /// No credentials: only `/api/server/about` and offline work are possible.
    case none

    /// What a password is turned into.
    public enum PasswordMethod: String, Sendable, CaseIterable {
        /// `POST /api/auth/login`, then the `sessionid` cookie (plus `X-CSRFToken` for unsafe methods), as cvat-sdk.
        case session
        /// `POST /api/auth/login`, then `Authorization: Token <key>` (CVAT's legacy token scheme).
        case token
        /// `Authorization: Basic` on every request; no login call at all.
        case basic
    }
}
