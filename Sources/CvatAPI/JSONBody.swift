import Foundation

/// Small helpers around Foundation's JSON, kept here so the endpoints' callers never see `Any`.
enum JSONBody {
    static func object(_ bytes: [UInt8], what: String) throws(APIError) -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw APIError(.badResponse, "\(what): the server's answer is not a JSON object")
        }
        return object
    }

    /// Re-encodes what `object` or a page's `results` produced, with sorted keys so the bytes are stable.
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
            throw APIError(
                .badResponse, "\(what): unexpected JSON from the server (\(DecodingErrorText.describe(error)))")
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
