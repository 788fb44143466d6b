package import CvatAPI

/// The names annotation lines give to label ids and attribute spec ids, sublabels included.
///
/// CVAT's ids are global across a server (a project's tasks share them), so one catalog serves every task of an
/// export.
package struct LabelCatalog: Sendable {
    package private(set) var labelNames: [Int: String] = [:]
    package private(set) var attributeNames: [Int: String] = [:]

    package init(_ labels: [LabelModel]) {
        for label in labels {
            labelNames[label.id] = label.name
            for spec in label.attributes ?? [] { attributeNames[spec.id] = spec.name }
            for sublabel in label.sublabels ?? [] {
                labelNames[sublabel.id] = sublabel.name
                for spec in sublabel.attributes ?? [] { attributeNames[spec.id] = spec.name }
            }
        }
    }
}

/// A skeleton's edges from its SVG, as pairs of keypoint indices into its `sublabels`.
///
/// CVAT draws a skeleton as `<circle data-type="element node" data-node-id="N" data-label-id="L">` per keypoint
/// and `<line data-type="edge" data-node-from="A" data-node-to="B">` per edge; node ids are local to the SVG, so
/// each is mapped through its circle's label id (or, when a circle names none, its position among the circles)
/// to the keypoint's index. An edge naming a node that is not drawn is left out.
package enum SkeletonEdges {
    package static func parse(svg: String, sublabelIDs: [Int]) -> [[Int]] {
        var indexOfNode: [String: Int] = [:]
        var edges: [(String, String)] = []
        var circle = 0
        for element in tags(in: svg) {
            let attributes = attributes(of: element.body)
            switch (element.name, attributes["data-type"]) {
            case ("circle", "element node"?):
                defer { circle += 1 }
                guard let node = attributes["data-node-id"] else { continue }
                if let label = attributes["data-label-id"].flatMap(Int.init) {
                    if let index = sublabelIDs.firstIndex(of: label) { indexOfNode[node] = index }
                } else if circle < sublabelIDs.count {
                    indexOfNode[node] = circle
                }
            case ("line", "edge"?):
                if let from = attributes["data-node-from"], let to = attributes["data-node-to"] {
                    edges.append((from, to))
                }
            default:
                continue
            }
        }
        return edges.compactMap { from, to in
            guard let a = indexOfNode[from], let b = indexOfNode[to] else { return nil }
            return [a, b]
        }
    }

    /// The start tags of an SVG fragment: each element's name and the text of its attributes.
    private static func tags(in svg: String) -> [(name: String, body: Substring)] {
        var result: [(String, Substring)] = []
        var rest = svg[...]
        while let open = rest.firstIndex(of: "<") {
            let after = rest.index(after: open)
            guard let close = rest[after...].firstIndex(of: ">") else { break }
            let inside = rest[after..<close]
            rest = rest[rest.index(after: close)...]
            guard let first = inside.first, first.isLetter else { continue }
            let name = inside.prefix { !$0.isWhitespace && $0 != "/" }
            result.append((String(name), inside.dropFirst(name.count)))
        }
        return result
    }

    /// `key="value"` (or single-quoted) pairs of a start tag.
    private static func attributes(of body: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = body
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].split(whereSeparator: \.isWhitespace).last.map(String.init) ?? ""
            var value = rest[rest.index(after: equals)...].drop { $0.isWhitespace }
            guard let quote = value.first, quote == "\"" || quote == "'" else { break }
            value = value.dropFirst()
            guard let end = value.firstIndex(of: quote) else { break }
            result[key] = String(value[..<end])
            rest = value[value.index(after: end)...]
        }
        return result
    }
}
