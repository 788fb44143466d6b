import CvatAPI
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
}

@main
enum Entry {
    static func main() { FuzzDriver.run(fuzzOne) }
}
