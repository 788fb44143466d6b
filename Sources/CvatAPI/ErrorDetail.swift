import Foundation

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
