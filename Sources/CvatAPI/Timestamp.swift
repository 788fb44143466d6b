/// An ISO-8601 timestamp as CVAT writes them (`2025-08-01T11:44:47.600000Z`), comparable in time.
///
/// Parsed by hand into microseconds since the epoch: the fraction matters (two saves within one second must
/// still compare), and Foundation's ISO-8601 parser drops or mangles six-digit fractions.
public struct Timestamp: Sendable, Comparable, Hashable, CustomStringConvertible {
    public let microseconds: Int64
    public let text: String

    public init?(_ text: String) {
        let chars = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= chars.count else { return nil }
            var value = 0
            for c in chars[start..<start + count] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard chars.count >= 19, let year = number(0, 4), chars[4] == 45, let month = number(5, 2), chars[7] == 45,
            let day = number(8, 2), chars[10] == 84 || chars[10] == 32, let hour = number(11, 2), chars[13] == 58,
            let minute = number(14, 2), chars[16] == 58, let second = number(17, 2)
        else { return nil }
        var index = 19
        var micros = 0
        if index < chars.count, chars[index] == 46 {
            index += 1
            var digits = 0
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                if digits < 6 { micros = micros * 10 + Int(chars[index] - 48) }
                digits += 1
                index += 1
            }
            for _ in digits..<max(digits, 6) { micros *= 10 }
        }
        var offsetSeconds = 0
        if index < chars.count {
            if chars[index] == 90 {
                index += 1
            } else if chars[index] == 43 || chars[index] == 45, let oh = number(index + 1, 2) {
                let om = chars.count > index + 3 && chars[index + 3] == 58 ? number(index + 4, 2) : number(index + 3, 2)
                offsetSeconds = (oh * 3600 + (om ?? 0) * 60) * (chars[index] == 43 ? 1 : -1)
                index = chars.count
            } else {
                return nil
            }
        }
        // Days from civil (Howard Hinnant's algorithm), so no calendar object is needed.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        microseconds = seconds * 1_000_000 + Int64(micros)
        self.text = text
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }
    public static func == (a: Timestamp, b: Timestamp) -> Bool { a.microseconds == b.microseconds }
    public func hash(into hasher: inout Hasher) { hasher.combine(microseconds) }
    public var description: String { text }
}
