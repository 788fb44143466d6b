/// Plain values read straight from a document's bytes, for the hand-written decoders of the small records that
/// make up most of CVAT's JSON and of a manifest: a tag, a frame of data/meta, a manifest's sample.
///
/// JSONDecoder's Codable machinery costs microseconds per small record (a re-export that reuses its images spent a
/// third of its time decoding 2000 tags, 2000 frames and 2000 samples). These readers take only the plainest
/// forms (integers without a fraction or an exponent, strings and keys without escapes, `null`)
/// and answer nil for anything else. A decoder built on them gives up on a record it cannot read plainly, and its
/// caller decodes that record with JSONDecoder: the answer, and any error, is then always JSONDecoder's.
///
/// The readers assume the document's syntax was checked (`topLevelMembers` or `validateObject` first).
extension JSONScanner {
    /// Calls `body` with each member of the object at `range`: its key and its value's byte range. Answers false,
    /// without calling `body` further, when the value is not an object, a key has an escape, or `body` answers
    /// false; true when every member was read.
    package func forEachPlainMember(ofObject range: Range<Int>, _ body: (String, Range<Int>) -> Bool) -> Bool {
        var i = range.lowerBound
        guard i < range.upperBound, bytes[i] == UInt8(ascii: "{") else { return false }
        i = skipWhitespace(i + 1)
        while i < range.upperBound, bytes[i] != UInt8(ascii: "}") {
            guard bytes[i] == UInt8(ascii: "\""), let keyEnd = try? skipString(at: i) else { return false }
            let keyBytes = UnsafeRawBufferPointer(rebasing: bytes[(i + 1)..<(keyEnd - 1)])
            guard !keyBytes.contains(UInt8(ascii: "\\")) else { return false }
            i = skipWhitespace(keyEnd)
            guard i < range.upperBound, bytes[i] == UInt8(ascii: ":") else { return false }
            let start = skipWhitespace(i + 1)
            guard let end = try? skipValue(at: start), end <= range.upperBound else { return false }
            guard body(String(decoding: keyBytes, as: UTF8.self), start..<end) else { return false }
            i = skipWhitespace(end)
            if i < range.upperBound, bytes[i] == UInt8(ascii: ",") { i = skipWhitespace(i + 1) }
        }
        return i < range.upperBound
    }

    /// Calls `body` with each element's range of the array at `range`; false when the value is not an array or
    /// `body` answers false.
    package func forEachPlainElement(ofArray range: Range<Int>, _ body: (Range<Int>) -> Bool) -> Bool {
        var i = range.lowerBound
        guard i < range.upperBound, bytes[i] == UInt8(ascii: "[") else { return false }
        i = skipWhitespace(i + 1)
        while i < range.upperBound, bytes[i] != UInt8(ascii: "]") {
            guard let end = try? skipValue(at: i), end <= range.upperBound, body(i..<end) else { return false }
            i = skipWhitespace(end)
            if i < range.upperBound, bytes[i] == UInt8(ascii: ",") { i = skipWhitespace(i + 1) }
        }
        return i < range.upperBound
    }

    /// The integer at `range` when it is written as digits with an optional minus sign and fits an `Int`.
    package func plainInt(_ range: Range<Int>) -> Int? {
        var i = range.lowerBound
        let negative = i < range.upperBound && bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < range.upperBound else { return nil }
        var value = 0
        while i < range.upperBound {
            let digit = Int(bytes[i]) - Int(UInt8(ascii: "0"))
            guard digit >= 0, digit <= 9 else { return nil }
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) =
                negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            guard !overflow, !overflow2 else { return nil }
            value = next
            i += 1
        }
        return value
    }

    /// The string at `range` when it has no escape.
    package func plainString(_ range: Range<Int>) -> String? {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\"") else { return nil }
        let inner = UnsafeRawBufferPointer(rebasing: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)])
        guard !inner.contains(UInt8(ascii: "\\")) else { return nil }
        return String(decoding: inner, as: UTF8.self)
    }

    /// The bytes of the whole document with the value at `range` replaced by `replacement`: a caller decodes the
    /// rest with JSONDecoder after reading a large array in that place plainly.
    package func document(replacing range: Range<Int>, with replacement: StaticString) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count - range.count + replacement.utf8CodeUnitCount)
        result.append(contentsOf: bytes[..<range.lowerBound])
        result.append(
            contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
        result.append(contentsOf: bytes[range.upperBound...])
        return result
    }
}

extension JSONScanner {
    /// The document's top-level array `key`, read element by element with `element`, and the rest of the document
    /// (that array replaced by `[]`) for JSONDecoder; nil when the member is not there exactly once, is not an
    /// array, or has an element `element` cannot read. The elements come in an array of exactly their count, as
    /// callers keep them (grown by appending, it would hold up to twice their memory).
    package func plainArray<Element>(
        member key: String, _ element: (JSONScanner, Range<Int>) -> Element?
    ) -> (elements: [Element], rest: [UInt8])? {
        guard let members = try? topLevelMembers() else { return nil }
        let matching = members.filter { $0.key == key }
        guard matching.count == 1, let range = matching.first?.value else { return nil }
        var elements: [Element] = []
        let read = forEachPlainElement(ofArray: range) { range in
            guard let value = element(self, range) else { return false }
            elements.append(value)
            return true
        }
        guard read else { return nil }
        var exact: [Element] = []
        exact.reserveCapacity(elements.count)
        exact.append(contentsOf: elements)
        return (exact, document(replacing: range, with: "[]"))
    }
}

/// The fields of one record read by a hand-written decoder: each known key taken once (a repeated key gives the
/// record up, since which value JSONDecoder keeps is its business), unknown keys ignored as Codable ignores them.
/// A decoder numbers its keys 0..<64 (a bit each: hashing every key into a Set cost more than the decoding).
package struct PlainRecord {
    private var seen: UInt64 = 0

    package init() {}

    /// Whether the key numbered `field` is seen for the first time (then it is remembered).
    package mutating func first(_ field: Int) -> Bool {
        let bit: UInt64 = 1 << UInt64(field)
        defer { seen |= bit }
        return seen & bit == 0
    }

    /// For an optional field: `.some(nil)` for `null`, `.some(value)` for a plain integer, nil for anything else.
    package static func optionalInt(_ scanner: JSONScanner, _ range: Range<Int>) -> Int?? {
        if scanner.isNull(range) { return .some(nil) }
        return scanner.plainInt(range).map { .some($0) }
    }

    /// For an optional field: `.some(nil)` for `null`, `.some(value)` for a plain string, nil for anything else.
    package static func optionalString(_ scanner: JSONScanner, _ range: Range<Int>) -> String?? {
        if scanner.isNull(range) { return .some(nil) }
        return scanner.plainString(range).map { .some($0) }
    }
}
