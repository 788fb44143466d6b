import CvatAPI
import CvatJSON
import Foundation
import FuzzSupport

/// Fuzzes the REST models as the client decodes them (JSONDecoder over the server's bytes), and the one-line
/// description of a decoding error that users see.
func decode<T: Decodable & Encodable>(_ type: T.Type, _ data: Data) {
    do {
        let value = try JSONDecoder().decode(type, from: data)
        // What was decoded must encode and decode to the same thing (the cache re-reads what was written).
        let again = try JSONEncoder().encode(value)
        _ = try JSONDecoder().decode(type, from: again)
    } catch let error as DecodingError {
        _ = DecodingErrorText.describe(error)
    } catch {
        fatalError("re-encoding a decoded \(type) failed: \(error)")
    }
}

func fuzzOne(_ input: UnsafeRawBufferPointer) {
    let data = Data(input)
    decode(TaskModel.self, data)
    decode(ProjectModel.self, data)
    decode([LabelModel].self, data)
    decode(DataMeta.self, data)
    decode(Annotations.self, data)
    streamed(input)
}

/// The streaming reader must agree with JSONDecoder: the same values when both read the input, and never a
/// document JSONDecoder reads that the scanner calls malformed (it may refuse more: invalid UTF-8 in unread parts).
func streamed(_ input: UnsafeRawBufferPointer) {
    let scannerValid = (try? JSONScanner(input).validateObject()) != nil
    let streamed = try? Annotations.decodeStreaming(input)
    precondition(streamed == nil || scannerValid, "decodeStreaming read a document the scanner refuses")
    guard let whole = try? JSONDecoder().decode(Annotations.self, from: Data(input)) else { return }
    // A repeated top-level key is read by position rules the two readers need not share.
    guard let streamed, let members = try? JSONScanner(input).topLevelMembers(),
        Set(members.map(\.key)).count == members.count
    else { return }
    precondition(
        streamed.tags == whole.tags && streamed.shapes == whole.shapes && streamed.tracks == whole.tracks,
        "decodeStreaming and JSONDecoder read different annotations")
}

@main
enum Entry {
    static func main() { FuzzDriver.run(fuzzOne) }
}
