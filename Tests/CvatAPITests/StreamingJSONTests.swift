import CvatJSON
import CvatTestSupport
import Foundation
import Testing

@testable import CvatAPI

@Suite("Streaming JSON: the scanner and element-by-element annotations")
struct StreamingJSONTests {
    func validates(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { bytes in
            (try? JSONScanner(bytes).validateObject()) != nil
        }
    }

    @Test(
        "the scanner accepts exactly what JSONSerialization accepts as an object",
        arguments: [
            "{}", " {\"a\": [1, -2.5e+3, 0, 0.0, true, false, null, \"x\\n\\u00e9\", {}, []]} \n",
            "{\"a\":{\"b\":{\"c\":[[[]]]}}}", "{\"\\u0074ags\": \"é€😀\"}", "{\"a\": -0}",
            "", "[]", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":[1,]}", "{\"a\":01}", "{\"a\":1.}",
            "{\"a\":.5}", "{\"a\":1e}", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\u{01}\"}",
            "{\"a\":1} {}", "{\"a\":[1 2]}", "{\"a\" 1}", "{1:2}", "{\"a\":\"unterminated}", "{\"a\":-}",
            "{\"a\":[}", "{\"a\":{\"b\":1]}", "{\"a\":NaN}", "{\"a\":\"\\\"\"}",
        ])
    func agreesWithFoundation(text: String) {
        let foundation = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) is [String: Any]
        #expect(validates(text) == foundation, "\(text.debugDescription)")
    }

    @Test(
        "invalid UTF-8 in a string is refused", arguments: [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF5], [0xE2, 0x82]])
    func invalidUTF8(sequence: [UInt8]) {
        let bytes = Array("{\"a\":\"".utf8) + sequence + Array("\"}".utf8)
        let valid = bytes.withUnsafeBytes { (try? JSONScanner($0).validateObject()) != nil }
        #expect(!valid)
    }

    @Test("nesting past the limit is an error, not a crash")
    func deepNesting() {
        let text = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(!validates(text))
    }

    @Test("a truncated document names the byte where it ends")
    func truncated() throws {
        let text = Array("{\"tags\": [{\"id\": 1".utf8)
        let error = text.withUnsafeBytes { bytes -> JSONScanner.SyntaxError? in
            do throws(JSONScanner.SyntaxError) {
                try JSONScanner(bytes).validateObject()
                return nil
            } catch { return error }
        }
        let found = try #require(error)
        #expect(found.offset == text.count)
        #expect(found.description.contains("the document ends"))
    }

    /// Every task of the sample dataset, decoded element by element and whole, must give the same values.
    @Test("decodeStreaming reads the sample tasks as JSONDecoder does", arguments: [1, 2, 3, 4, 6, 7])
    func sampleTasks(task: Int) throws {
        let url = TestPaths.fixtures.appendingPathComponent("datasets/sample/tasks/\(task)/annotations.json")
        let data = try Data(contentsOf: url)
        let whole = try JSONDecoder().decode(Annotations.self, from: data)
        let streamed = try data.withUnsafeBytes { try Annotations.decodeStreaming($0) }
        #expect(streamed.tags == whole.tags)
        #expect(streamed.shapes == whole.shapes)
        #expect(streamed.tracks == whole.tracks)
        let withoutTracks = try data.withUnsafeBytes { try Annotations.decodeStreaming($0, includeTracks: false) }
        #expect(withoutTracks.tracks.isEmpty && withoutTracks.shapes == whole.shapes)
    }

    @Test("missing and null lists are empty; other members are ignored")
    func missingLists() throws {
        let text = Array("{\"version\": 3, \"tags\": null, \"intervals\": [{\"x\": [1]}]}".utf8)
        let annotations = try text.withUnsafeBytes { try Annotations.decodeStreaming($0) }
        #expect(annotations.tags.isEmpty && annotations.shapes.isEmpty && annotations.tracks.isEmpty)
    }

    @Test("a bad element is named by its list and position")
    func badElement() {
        let text = Array("{\"tags\": [{\"frame\": 0, \"label_id\": 1}, {\"frame\": \"x\", \"label_id\": 1}]}".utf8)
        let message = text.withUnsafeBytes { bytes -> String? in
            do throws(AnnotationsReadError) {
                _ = try Annotations.decodeStreaming(bytes)
                return nil
            } catch { return error.description }
        }
        #expect(message?.hasPrefix("tags[1]: ") == true, "\(message ?? "no error")")
    }
}
