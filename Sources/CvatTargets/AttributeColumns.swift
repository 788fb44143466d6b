package import CvatAPI
package import CvatErrors

/// `--attributes`: which attribute specs become columns of `box_attributes` / `tag_attributes`.
public enum AttributeSelection: Sendable, Hashable {
    /// Every attribute of every label.
    case all
    /// The attributes with these names, on every label that has one.
    case names([String])
}

/// An `--attributes` name that no label has; the message lists what exists (a usage error).
package struct UnknownAttributeError: CvatError, Sendable, Hashable {
    package var names: [String]
    /// "label: attribute, attribute" per label with attributes, in label-id order.
    package var existing: [String]

    package var category: ErrorCategory { .usage }

    package var message: String {
        let asked = names.map { "'\($0)'" }.joined(separator: ", ")
        let known =
            existing.isEmpty
            ? "no label has attributes" : "the labels' attributes are " + existing.joined(separator: "; ")
        return "--attributes: no label has the attribute\(names.count == 1 ? "" : "s") \(asked); \(known)"
    }
}

/// One column of the attribute arrays: one attribute spec of one label.
package struct AttributeColumn: Sendable, Hashable {
    package var labelID: Int
    package var labelName: String
    package var specID: Int
    package var name: String
    package var inputType: String
    package var values: [String]
}

/// The columns `--attributes` asks for and how a row's stored values become numbers.
///
/// select and radio: the value's index in the spec's `values`; checkbox: 1 for "true", 0 for "false"; number:
/// the number; text: the value's index in the column's string table (`strings`). NaN where the column's label is
/// not the row's, where the row has no value for the attribute, and where the value is not one the spec allows.
package struct AttributeColumns: Sendable {
    package let columns: [AttributeColumn]
    /// Per text column (by column index): every value the export's annotations give it, sorted. Collected over
    /// every planned frame before `--shard I/N` slices them, so that all slices number text values alike.
    package private(set) var strings: [Int: [String]] = [:]
    private var positions: [Int: [String: Int]] = [:]

    /// Columns over the labels in label-id order, each label's specs in their stored order.
    package init(labels: [LabelModel], selection: AttributeSelection) throws(UnknownAttributeError) {
        let sorted = labels.sorted { $0.id < $1.id }
        var columns: [AttributeColumn] = []
        for label in sorted {
            for spec in label.attributes ?? [] {
                if case .names(let names) = selection, !names.contains(spec.name) { continue }
                columns.append(
                    AttributeColumn(
                        labelID: label.id, labelName: label.name, specID: spec.id, name: spec.name,
                        inputType: spec.inputType, values: spec.values))
            }
        }
        if case .names(let names) = selection {
            let missing = names.filter { name in !columns.contains { $0.name == name } }
            if !missing.isEmpty {
                let existing = sorted.compactMap { label -> String? in
                    let specs = label.attributes ?? []
                    return specs.isEmpty ? nil : "\(label.name): " + specs.map(\.name).joined(separator: ", ")
                }
                throw UnknownAttributeError(names: missing, existing: existing)
            }
        }
        self.columns = columns
    }

    package var count: Int { columns.count }

    /// Adds the text values of a task's tags and shapes (tracks' shapes included) to the string tables.
    package mutating func collectTextValues(_ annotations: FrameAnnotations) {
        let textColumns = columns.indices.filter { columns[$0].inputType == "text" }
        guard !textColumns.isEmpty else { return }
        var seen: [Int: Set<String>] = [:]
        func add(_ labelID: Int, _ attributes: [AttributeValue]) {
            for index in textColumns where columns[index].labelID == labelID {
                for value in attributes where value.specID == columns[index].specID {
                    seen[index, default: []].insert(value.value)
                }
            }
        }
        for tag in annotations.tags.all { add(tag.labelID, tag.attributes ?? []) }
        for shapes in annotations.shapes.values { for shape in shapes { add(shape.labelID, shape.details.attributes) } }
        for (index, values) in seen {
            let table = Set(strings[index] ?? []).union(values).sorted()
            strings[index] = table
            positions[index] = Dictionary(uniqueKeysWithValues: table.enumerated().map { ($1, $0) })
        }
    }

    /// One row of `count` values.
    package func encode(_ row: AttributedRow) -> [Float] {
        var result = [Float](repeating: .nan, count: columns.count)
        for (index, column) in columns.enumerated() where column.labelID == row.labelID {
            guard let stored = row.attributes.first(where: { $0.specID == column.specID }) else { continue }
            result[index] = value(stored.value, column: column, index: index)
        }
        return result
    }

    /// The rows one after another.
    package func encode(_ rows: [AttributedRow]) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(rows.count * columns.count)
        for row in rows { values += encode(row) }
        return values
    }

    private func value(_ text: String, column: AttributeColumn, index: Int) -> Float {
        switch column.inputType {
        case "select", "radio":
            return column.values.firstIndex(of: text).map { Float($0) } ?? .nan
        case "checkbox":
            switch text.lowercased() {
            case "true": return 1
            case "false": return 0
            default: return .nan
            }
        case "number":
            let trimmed = text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()
            return Double(String(trimmed)).map { Float($0) } ?? .nan
        default:
            return positions[index]?[text].map { Float($0) } ?? .nan
        }
    }
}
