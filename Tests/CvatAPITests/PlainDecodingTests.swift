import CvatJSON
import CvatTestSupport
import Foundation
import Testing

@testable import CvatAPI

/// The hand-written decoders must give JSONDecoder's answer whenever they answer, and must answer for the plain
/// records servers send (else they would save nothing).
@Suite("Plain decoding: hand-written readers of tags and frames agree with JSONDecoder")
struct PlainDecodingTests {
    /// `body` with a scanner over `text` and the range of its whole value (the scanner has checked the syntax).
    func withValue<T>(_ text: String, _ body: (JSONScanner, Range<Int>) -> T) -> T {
        let wrapped = Array("{\"v\": \(text)}".utf8)
        return wrapped.withUnsafeBytes { bytes in
            let scanner = JSONScanner(bytes)
            let members = try! scanner.topLevelMembers()
            return body(scanner, members[0].value)
        }
    }

    @Test("the tags of the sample tasks are read plainly unless they hold an escape", arguments: [1, 2, 3, 4, 6, 7])
    func sampleTags(task: Int) throws {
        let url = TestPaths.fixtures.appendingPathComponent("datasets/sample/tasks/\(task)/annotations.json")
        let data = try Data(contentsOf: url)
        let expected = try JSONDecoder().decode(Annotations.self, from: data).tags
        let read: [(plain: CvatAPI.Tag?, escaped: Bool)] = data.withUnsafeBytes { bytes in
            let scanner = JSONScanner(bytes)
            guard let range = try? scanner.topLevelMembers().first(where: { $0.key == "tags" })?.value else {
                return []
            }
            var tags: [(CvatAPI.Tag?, Bool)] = []
            _ = scanner.forEachPlainElement(ofArray: range) { element in
                tags.append((CvatAPI.Tag.plain(scanner, element), bytes[element].contains(UInt8(ascii: "\\"))))
                return true
            }
            return tags
        }
        try #require(read.count == expected.count)
        for (tag, expected) in zip(read, expected) {
            #expect(tag.plain == (tag.escaped ? nil : expected))
        }
    }

    @Test(
        "a tag is read plainly only when it is plain, and then as JSONDecoder reads it",
        arguments: [
            ("{\"frame\": 0, \"label_id\": 1}", true),
            (
                "{\"id\": null, \"frame\": 3, \"label_id\": -2, \"group\": 0, \"source\": \"manual\", \"attributes\": "
                    + "[{\"spec_id\": 1, \"value\": \"a b\"}, {\"value\": \"\", \"spec_id\": 9}], \"x\": {\"y\": [1, \"\\n\"]}}",
                true
            ),
            ("{\"frame\": 1, \"label_id\": 1, \"attributes\": null, \"group\": null, \"source\": null}", true),
            ("{\"frame\": 1, \"label_id\": 1, \"source\": \"é€😀\", \"attributes\": []}", true),
            ("{\"frame\": -0, \"label_id\": 9223372036854775807}", true),
            ("{\"frame\": 1.0, \"label_id\": 1}", false),
            ("{\"frame\": 1e2, \"label_id\": 1}", false),
            ("{\"frame\": 1, \"label_id\": 9223372036854775808}", false),
            ("{\"frame\": 1, \"label_id\": 1, \"source\": \"a\\u0062\"}", false),
            ("{\"fr\\u0061me\": 1, \"label_id\": 1}", false),
            ("{\"frame\": 1, \"frame\": 2, \"label_id\": 1}", false),
            ("{\"frame\": 1}", false),
            ("{\"frame\": \"1\", \"label_id\": 1}", false),
            ("{\"frame\": 1, \"label_id\": 1, \"attributes\": [{\"spec_id\": 1}]}", false),
            ("{\"frame\": 1, \"label_id\": 1, \"attributes\": [{\"spec_id\": 1, \"value\": 2}]}", false),
            ("{\"frame\": 1, \"label_id\": 1, \"attributes\": {}}", false),
            ("{\"frame\": null, \"label_id\": 1}", false),
            ("[]", false), ("null", false),
        ])
    func tagVariants(text: String, readsPlainly: Bool) {
        let plain = withValue(text) { CvatAPI.Tag.plain($0, $1) }
        let decoded = try? JSONDecoder().decode(CvatAPI.Tag.self, from: Data(text.utf8))
        #expect((plain != nil) == readsPlainly, "\(text)")
        if let plain { #expect(plain == decoded, "\(text)") }
    }

    @Test(
        "a frame of data/meta is read plainly only when it is plain, and then as JSONDecoder reads it",
        arguments: [
            ("{\"width\": 4, \"height\": 3, \"name\": \"images/f0.jpg\", \"related_files\": 0}", true),
            ("{\"name\": \"a\", \"width\": null}", true),
            ("{\"name\": \"a\\/b.jpg\", \"width\": 4, \"height\": 3}", false),
            ("{\"name\": \"a\", \"name\": \"b\"}", false),
            ("{\"name\": \"a\", \"width\": 4.5}", false),
            ("{\"width\": 4, \"height\": 3}", false),
        ])
    func frameVariants(text: String, readsPlainly: Bool) {
        let plain = withValue(text) { DataMeta.FrameMeta.plain($0, $1) }
        let decoded = try? JSONDecoder().decode(DataMeta.FrameMeta.self, from: Data(text.utf8))
        #expect((plain != nil) == readsPlainly, "\(text)")
        if let plain { #expect(plain == decoded, "\(text)") }
    }

    static let meta =
        "\"chunks_updated_date\": \"2025-03-10T12:30:05.123456Z\", \"chunk_size\": 2, \"size\": 3, \"deleted_frames\": [1]"

    @Test(
        "DataMeta.decode gives JSONDecoder's data/meta, or its error",
        arguments: [
            "{\(meta), \"frames\": [{\"width\": 4, \"height\": 4, \"name\": \"f0.jpg\"}, {\"name\": \"f1.jpg\"}]}",
            "{\"frames\": [{\"name\": \"f\\u00e9.jpg\"}, {\"name\": \"g.jpg\"}], \(meta)}",
            "{\(meta), \"frames\": null}", "{\(meta)}", "{\(meta), \"frames\": []}",
            "{\(meta), \"frames\": [{\"name\": \"a\"}], \"frames\": [{\"name\": \"b\"}]}",
            "{\(meta), \"frames\": [{\"name\": 1}]}", "{\"size\": 3, \"frames\": [{\"name\": \"a\"}]}",
            "{\"size\": \"3\", \"deleted_frames\": [], \"frames\": [{\"name\": \"a\"}]}", "{\(meta), \"frames\": {}}",
        ])
    func dataMeta(text: String) {
        let bytes = Array(text.utf8)
        let decoded = Result { try JSONDecoder().decode(DataMeta.self, from: Data(bytes)) }
        let read = Result { try bytes.withUnsafeBytes { try DataMeta.decode($0) } }
        switch (decoded, read) {
        case (.success(let a), .success(let b)): #expect(a == b, "\(text)")
        case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)", "\(text)")
        default: Issue.record("\(text): JSONDecoder \(decoded), DataMeta.decode \(read)")
        }
    }

    @Test("the fuzzer's data/meta seed reads as JSONDecoder reads it")
    func fuzzSeed() throws {
        let url = TestPaths.fixtures.appendingPathComponent("fuzz/fuzz-json-models/meta.json")
        let bytes = try [UInt8](Data(contentsOf: url))
        let read = try bytes.withUnsafeBytes { try DataMeta.decode($0) }
        #expect(read == (try JSONDecoder().decode(DataMeta.self, from: Data(bytes))))
        #expect(read.frames?.count == 3)
    }
}
