/// A byte scanner over one JSON document that finds where values begin and end without building them.
///
/// Foundation's JSON readers build the whole document (JSONSerialization an object tree, JSONDecoder a map of
/// every value) before the first field is read: for a task whose annotations are a gigabyte of dense tracks
/// that is many gigabytes. The scanner checks the syntax as it goes and only ever holds a stack of the open
/// containers, so a caller can validate a document in constant memory, or split a top-level array into its
/// elements and decode one element at a time.
package struct JSONScanner {
    /// Where the syntax is broken, as a byte offset into the document, and what was expected there.
    package struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        package var offset: Int
        package var reason: String
        package var description: String { "\(reason) at byte \(offset)" }
    }

    /// Deeper nesting is refused: no CVAT document comes close, and hostile input should not grow the stack.
    package static let maxDepth = 4096

    let bytes: UnsafeRawBufferPointer
    /// Called with an offset every `progressStep` bytes scanned: everything before it has been read. A caller that
    /// maps a file gives the pages behind back to the kernel here, so a pass over a gigabyte stays small.
    private let onProgress: ((Int) -> Void)?
    private let progressStep = 8 << 20

    package init(_ bytes: UnsafeRawBufferPointer, onProgress: ((Int) -> Void)? = nil) {
        self.bytes = bytes
        self.onProgress = onProgress
    }

    /// Checks that the whole buffer is one JSON object (surrounded by whitespace only).
    package func validateObject() throws(SyntaxError) {
        var i = skipWhitespace(0)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { throw fail(i, "expected a JSON object") }
        i = try skipValue(at: i)
        i = skipWhitespace(i)
        guard i == bytes.count else { throw fail(i, "unexpected bytes after the JSON object") }
    }

    /// The members of the top-level object, in document order: each key (unescaped) and its value's byte range.
    /// The document is validated completely, so a truncated one fails here rather than after some members were
    /// used.
    package func topLevelMembers() throws(SyntaxError) -> [(key: String, value: Range<Int>)] {
        var members: [(key: String, value: Range<Int>)] = []
        var i = skipWhitespace(0)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { throw fail(i, "expected a JSON object") }
        i = skipWhitespace(i + 1)
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail(i, "expected a key") }
                let keyEnd = try skipString(at: i)
                let key = try keyString(i..<keyEnd)
                i = skipWhitespace(keyEnd)
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail(i, "expected ':'") }
                let start = skipWhitespace(i + 1)
                let end = try skipValue(at: start)
                members.append((key, start..<end))
                i = skipWhitespace(end)
                guard i < bytes.count else { throw fail(i, "unterminated object") }
                if bytes[i] == UInt8(ascii: ",") {
                    i = skipWhitespace(i + 1)
                    if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                        i += 1
                        break
                    }
                    continue
                }
                guard bytes[i] == UInt8(ascii: "}") else { throw fail(i, "expected ',' or '}'") }
                i += 1
                break
            }
        }
        i = skipWhitespace(i)
        guard i == bytes.count else { throw fail(i, "unexpected bytes after the JSON object") }
        return members
    }

    /// Calls `body` with the byte range of each element of the array at `range` (a range `topLevelMembers`
    /// gave), in order. A value that is not an array is an error; so is `null`, which callers handle first.
    package func forEachElement<E: Error>(
        ofArray range: Range<Int>, _ body: (Range<Int>) throws(E) -> Void
    ) throws(ElementError<E>) {
        var i = range.lowerBound
        guard i < range.upperBound, bytes[i] == UInt8(ascii: "[") else {
            throw .syntax(fail(i, "expected an array"))
        }
        i = skipWhitespace(i + 1)
        if i < range.upperBound, bytes[i] == UInt8(ascii: "]") { return }
        while i < range.upperBound {
            let end: Int
            do throws(SyntaxError) {
                end = try skipValue(at: i)
            } catch {
                throw .syntax(error)
            }
            do throws(E) {
                try body(i..<end)
            } catch {
                throw .element(error)
            }
            i = skipWhitespace(end)
            guard i < range.upperBound else { break }
            if bytes[i] == UInt8(ascii: ",") {
                i = skipWhitespace(i + 1)
                if i < range.upperBound, bytes[i] == UInt8(ascii: "]") { return }
                continue
            }
            guard bytes[i] == UInt8(ascii: "]") else { throw .syntax(fail(i, "expected ',' or ']'")) }
            return
        }
        throw .syntax(fail(i, "unterminated array"))
    }

    /// What `forEachElement` throws: the document's syntax, or the caller's own error for one element.
    package enum ElementError<E: Error>: Error {
        case syntax(SyntaxError)
        case element(E)
    }

    /// Whether the value at `range` is the literal `null`.
    package func isNull(_ range: Range<Int>) -> Bool {
        range.count == 4 && bytes[range.lowerBound] == UInt8(ascii: "n")
    }

    // MARK: - Scanning

    func fail(_ offset: Int, _ reason: String) -> SyntaxError {
        SyntaxError(offset: offset, reason: offset >= bytes.count ? "\(reason) (the document ends)" : reason)
    }

    func skipWhitespace(_ start: Int) -> Int {
        var i = start
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return i
            }
        }
        return i
    }

    /// The end of the value starting at `start` (no leading whitespace), checking its syntax. Containers are
    /// followed with an explicit stack, not recursion, so nesting depth costs one byte per level.
    func skipValue(at start: Int) throws(SyntaxError) -> Int {
        // true: inside an object (the next value is a member's); false: inside an array.
        var stack: [Bool] = []
        var i = start
        var nextProgress = onProgress == nil ? Int.max : start + progressStep
        while true {
            if i >= nextProgress {
                onProgress?(i)
                nextProgress = i + progressStep
            }
            // A value at i.
            guard i < bytes.count else { throw fail(i, "expected a value") }
            switch bytes[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = bytes[i] == UInt8(ascii: "{")
                guard stack.count < Self.maxDepth else { throw fail(i, "nesting deeper than \(Self.maxDepth)") }
                stack.append(isObject)
                i = skipWhitespace(i + 1)
                let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if i < bytes.count, bytes[i] == close {
                    stack.removeLast()
                    i += 1
                    break
                }
                if isObject { i = try memberKey(at: i) }
                continue
            case UInt8(ascii: "\""):
                i = try skipString(at: i)
            case UInt8(ascii: "t"):
                i = try literal("true", at: i)
            case UInt8(ascii: "f"):
                i = try literal("false", at: i)
            case UInt8(ascii: "n"):
                i = try literal("null", at: i)
            default:
                i = try skipNumber(at: i)
            }
            // After a value: close containers or move to the next element.
            while let isObject = stack.last {
                i = skipWhitespace(i)
                guard i < bytes.count else { throw fail(i, "unterminated \(isObject ? "object" : "array")") }
                let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if bytes[i] == close {
                    stack.removeLast()
                    i += 1
                    continue
                }
                guard bytes[i] == UInt8(ascii: ",") else {
                    throw fail(i, "expected ',' or '\(isObject ? "}" : "]")'")
                }
                i = skipWhitespace(i + 1)
                // A comma before the closing bracket is accepted, as Foundation's readers accept it.
                if i < bytes.count, bytes[i] == close {
                    stack.removeLast()
                    i += 1
                    continue
                }
                if isObject { i = try memberKey(at: i) }
                break
            }
            if stack.isEmpty { return i }
        }
    }

    /// Skips `"key" :` and the whitespace after it; returns where the member's value starts.
    private func memberKey(at start: Int) throws(SyntaxError) -> Int {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "\"") else { throw fail(start, "expected a key") }
        var i = skipWhitespace(try skipString(at: start))
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail(i, "expected ':'") }
        i = skipWhitespace(i + 1)
        return i
    }

    private func literal(_ word: StaticString, at start: Int) throws(SyntaxError) -> Int {
        let count = word.utf8CodeUnitCount
        guard start + count <= bytes.count else { throw fail(start, "invalid literal") }
        for k in 0..<count where bytes[start + k] != word.utf8Start[k] {
            throw fail(start + k, "invalid literal")
        }
        return start + count
    }

    private func skipNumber(at start: Int) throws(SyntaxError) -> Int {
        var i = start
        func digits() -> Int {
            let from = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - from
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let leadingZero = i < bytes.count && bytes[i] == UInt8(ascii: "0")
        let integerDigits = digits()
        guard integerDigits > 0 else { throw fail(i, "expected a value") }
        guard !leadingZero || integerDigits == 1 else { throw fail(start, "a number with a leading zero") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw fail(i, "expected digits after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw fail(i, "expected digits in the exponent") }
        }
        return i
    }

    /// The end of the string starting at `start` (its opening quote), checking escapes, control characters and
    /// UTF-8.
    func skipString(at start: Int) throws(SyntaxError) -> Int {
        var i = start + 1
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "\""):
                return i + 1
            case UInt8(ascii: "\\"):
                guard i + 1 < bytes.count else { throw fail(i, "unterminated string") }
                switch bytes[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 6 <= bytes.count, (i + 2..<i + 6).allSatisfy({ Self.isHexDigit(bytes[$0]) }) else {
                        throw fail(i, "invalid \\u escape")
                    }
                    i += 6
                default:
                    throw fail(i, "invalid escape")
                }
            case 0..<0x20:
                throw fail(i, "a control character in a string")
            case 0..<0x80:
                i += 1
            default:
                i = try skipUTF8Scalar(at: i)
            }
        }
        throw fail(i, "unterminated string")
    }

    /// One multi-byte UTF-8 scalar (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
    private func skipUTF8Scalar(at start: Int) throws(SyntaxError) -> Int {
        let lead = bytes[start]
        let count: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: count = 2
        case 0xE0:
            count = 3
            lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: count = 3
        case 0xED:
            count = 3
            upper = 0x9F
        case 0xF0:
            count = 4
            lower = 0x90
        case 0xF1...0xF3: count = 4
        case 0xF4:
            count = 4
            upper = 0x8F
        default: throw fail(start, "invalid UTF-8")
        }
        guard start + count <= bytes.count else { throw fail(start, "invalid UTF-8") }
        let second = bytes[start + 1]
        guard second >= lower, second <= upper else { throw fail(start + 1, "invalid UTF-8") }
        for k in 2..<max(2, count) where bytes[start + k] & 0xC0 != 0x80 {
            throw fail(start + k, "invalid UTF-8")
        }
        return start + count
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            true
        default: false
        }
    }

    /// A key's text. Keys with escapes are compared unescaped, so `"t\u0061gs"` is `tags` as JSONDecoder reads it.
    private func keyString(_ range: Range<Int>) throws(SyntaxError) -> String {
        let inner = UnsafeRawBufferPointer(rebasing: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)])
        guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var units: [UInt16] = []
        var i = 0
        var plain: [UInt8] = []
        func flushPlain() {
            if !plain.isEmpty {
                scalars.append(contentsOf: String(decoding: plain, as: UTF8.self).unicodeScalars)
                plain.removeAll()
            }
        }
        func flushUnits() {
            if !units.isEmpty {
                scalars.append(contentsOf: String(decoding: units, as: UTF16.self).unicodeScalars)
                units.removeAll()
            }
        }
        while i < inner.count {
            guard inner[i] == UInt8(ascii: "\\") else {
                flushUnits()
                plain.append(inner[i])
                i += 1
                continue
            }
            flushPlain()
            let escape = inner[i + 1]
            if escape == UInt8(ascii: "u") {
                var value: UInt16 = 0
                for k in 2..<6 {
                    let c = inner[i + k]
                    let digit: UInt8 =
                        c <= UInt8(ascii: "9") ? c - UInt8(ascii: "0") : (c | 0x20) - UInt8(ascii: "a") + 10
                    value = value << 4 | UInt16(digit)
                }
                units.append(value)
                i += 6
                continue
            }
            flushUnits()
            let mapped: UInt8
            switch escape {
            case UInt8(ascii: "b"): mapped = 0x08
            case UInt8(ascii: "f"): mapped = 0x0C
            case UInt8(ascii: "n"): mapped = 0x0A
            case UInt8(ascii: "r"): mapped = 0x0D
            case UInt8(ascii: "t"): mapped = 0x09
            default: mapped = escape
            }
            plain.append(mapped)
            i += 2
        }
        flushPlain()
        flushUnits()
        return String(scalars)
    }
}
