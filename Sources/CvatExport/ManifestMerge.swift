import CvatTensors
public import Foundation

/// `merge-manifests`: one manifest over the parts that `--shard I/N` exports wrote on separate machines.
///
/// The parts' files stay where they are; the merged manifest refers to them by paths relative to its own folder,
/// as shards (an unsharded part becomes one shard). So the parts must stay at the same place relative to it:
/// typically `OUT/part-0`, `OUT/part-1`, ... with the merged manifest in `OUT`.
public enum ManifestMerge {
    /// What a merge produced.
    public struct Report: Sendable, Codable {
        public var manifest: String
        public var parts: Int
        public var samples: Int
        public var shards: Int
    }

    public static func merge(parts partFolders: [URL], into output: URL, force: Bool) throws(ExportError) -> Report {
        guard !partFolders.isEmpty else { throw ExportError(.usage, "name at least one part folder") }
        var parts: [(folder: URL, manifest: Manifest)] = []
        for folder in partFolders {
            let url = folder.appendingPathComponent("manifest.json")
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ExportError(.data, "\(url.path) does not exist: \(folder.path) is not a finished cvat-ds export")
            }
            do {
                parts.append((folder, try Manifest.read(from: url)))
            } catch {
                throw ExportError(wrapping: error, "\(error)")
            }
        }
        // Every part must be a slice of one and the same export.
        var slices: [SlicePart] = []
        for part in parts {
            guard part.manifest.parts == nil else {
                throw ExportError(
                    .data, "\(part.folder.path) holds a merged manifest; merge the original parts instead")
            }
            guard let slice = part.manifest.slice else {
                throw ExportError(
                    .data,
                    "\(part.folder.path) is not a slice: it was exported without --shard I/N, so it holds every sample")
            }
            slices.append(SlicePart(folder: part.folder, manifest: part.manifest, slice: slice))
        }
        let first = slices[0]
        for part in slices.dropFirst() {
            if let difference = difference(first.manifest, part.manifest) {
                throw ExportError(
                    .data,
                    "\(part.folder.path) and \(first.folder.path) are not slices of the same export: \(difference)")
            }
        }
        let count = first.slice.count
        let total = first.slice.totalSamples
        var byIndex: [Int: SlicePart] = [:]
        for part in slices {
            let slice = part.slice
            // A hand-edited or damaged manifest may say anything here; `--shard I/N` writes 0 <= I < N.
            guard count > 0, (0..<count).contains(slice.index) else {
                throw ExportError(
                    .data, "\(part.folder.path) says it is slice \(slice.index)/\(count), which no --shard I/N writes")
            }
            if let earlier = byIndex[slice.index] {
                throw ExportError(
                    .data,
                    "slice \(slice.index)/\(count) appears twice: in \(earlier.folder.path) and \(part.folder.path)")
            }
            byIndex[slice.index] = part
        }
        // Named up to 10 (a damaged manifest's N may be huge; the scan stops after the 10th).
        let missingCount = count - byIndex.count
        let missing = Array((0..<count).lazy.filter { byIndex[$0] == nil }.prefix(10))
        guard missing.isEmpty else {
            let more = missingCount > missing.count ? " and \(missingCount - missing.count) more" : ""
            let plural = missingCount > 1
            throw ExportError(
                .data,
                "slice\(plural ? "s" : "") \(missing.map { "\($0)/\(count)" }.joined(separator: ", "))\(more) of "
                    + "\(total) samples \(plural ? "are" : "is") missing: no part folder given holds "
                    + "\(plural ? "them" : "it")")
        }
        let outputFolder = output.standardizedFileURL
        let manifestURL = outputFolder.appendingPathComponent("manifest.json")
        if FileManager.default.fileExists(atPath: manifestURL.path) && !force {
            throw ExportError(.output, "\(manifestURL.path) already exists; pass --force to replace it")
        }

        var merged = first.manifest
        merged.samples = []
        merged.skipped = []
        merged.slice = nil
        var shards: [Manifest.Shard] = []
        var partRecords: [Manifest.Part] = []
        var expectedStart = 0
        // None is missing, so these are the slices 0..<count in order.
        for part in (0..<count).compactMap({ byIndex[$0] }) {
            let (folder, manifest, slice, index) = (part.folder, part.manifest, part.slice, part.slice.index)
            guard slice.samples.count == 2, slice.samples[0] == expectedStart, slice.samples[1] >= slice.samples[0]
            else {
                throw ExportError(
                    .data,
                    "slice \(index)/\(count) in \(folder.path) covers samples \(slice.samples), but the slices before "
                        + "it end at \(expectedStart)")
            }
            expectedStart = slice.samples[1]
            let relative = relativePath(from: outputFolder, to: folder.standardizedFileURL)
            partRecords.append(Manifest.Part(folder: relative, slice: index))
            let partShards =
                manifest.shards
                ?? [
                    Manifest.Shard(
                        index: 0, samples: 0..<manifest.samples.count, arrays: manifest.arrays, files: manifest.files)
                ]
            let base = merged.samples.count
            // The part's shards must tile its samples in order, as an export writes them; a gap or an overlap
            // would give the merged manifest shards that do not match its samples (fuzz-manifest crash-f4c06caf...).
            var partEnd = 0
            for shard in partShards {
                guard let range = shard.sampleRange, range.lowerBound == partEnd,
                    range.upperBound <= manifest.samples.count
                else {
                    throw ExportError(
                        .data,
                        "\(folder.path)/manifest.json: shard \(shard.index) has a bad sample range \(shard.samples) "
                            + "(the shards before it end at sample \(partEnd) of \(manifest.samples.count))")
                }
                partEnd = range.upperBound
                var arrays: [String: Manifest.ArrayEntry] = [:]
                for (name, entry) in shard.arrays {
                    let file = folder.appendingPathComponent(entry.file)
                    guard !entry.file.isEmpty, FileManager.default.fileExists(atPath: file.path) else {
                        throw ExportError(
                            .data,
                            "\(file.path), array '\(name)' of slice \(index)/\(count), does not exist: the part is "
                                + "incomplete")
                    }
                    var moved = entry
                    moved.file = relative == "." ? entry.file : relative + "/" + entry.file
                    arrays[name] = moved
                }
                var files: [String: Manifest.FileEntry]?
                for (name, entry) in shard.files ?? [:] {
                    let file = folder.appendingPathComponent(entry.file)
                    guard !entry.file.isEmpty, FileManager.default.fileExists(atPath: file.path) else {
                        throw ExportError(
                            .data,
                            "\(file.path), file '\(name)' of slice \(index)/\(count), does not exist: the part is "
                                + "incomplete")
                    }
                    var moved = entry
                    moved.file = relative == "." ? entry.file : relative + "/" + entry.file
                    files = (files ?? [:]).merging([name: moved]) { $1 }
                }
                var merged = Manifest.Shard(
                    index: shards.count, samples: (base + range.lowerBound)..<(base + range.upperBound),
                    arrays: arrays, files: files)
                // A webdataset shard's tar and DALI index, renumbered by position but kept where the part wrote them.
                for (what, name) in [("tar", shard.file), ("DALI index", shard.daliIndex)] {
                    guard let name else { continue }
                    let file = folder.appendingPathComponent(name)
                    guard !name.isEmpty, FileManager.default.fileExists(atPath: file.path) else {
                        throw ExportError(
                            .data,
                            "\(file.path), the \(what) of shard \(shard.index) of slice \(index)/\(count), does not "
                                + "exist: the part is incomplete")
                    }
                }
                let moved = { (name: String?) in name.map { relative == "." ? $0 : relative + "/" + $0 } }
                (merged.file, merged.daliIndex) = (moved(shard.file), moved(shard.daliIndex))
                (merged.bytes, merged.sha256) = (shard.bytes, shard.sha256)
                shards.append(merged)
            }
            guard partEnd == manifest.samples.count else {
                throw ExportError(
                    .data,
                    "\(folder.path)/manifest.json: its shards hold samples 0..<\(partEnd), but it lists "
                        + "\(manifest.samples.count)")
            }
            merged.samples += manifest.samples
            merged.skipped += manifest.skipped
        }
        guard expectedStart == total else {
            throw ExportError(.data, "the slices cover \(expectedStart) of \(total) samples")
        }
        merged.shards = shards
        merged.parts = partRecords
        do {
            merged.arrays = try Manifest.combinedArrays(of: shards)
            merged.files = try Manifest.combinedFiles(of: shards)
        } catch {
            throw ExportError(wrapping: error, "the parts' arrays differ: \(error)")
        }
        do {
            try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
        } catch {
            throw ExportError(.output, "cannot create \(outputFolder.path): \(error.localizedDescription)")
        }
        try merged.write(into: outputFolder)
        return Report(
            manifest: manifestURL.path, parts: parts.count, samples: merged.samples.count, shards: shards.count)
    }

    /// A part folder's manifest and the slice it holds.
    struct SlicePart {
        var folder: URL
        var manifest: Manifest
        var slice: Manifest.Slice
    }

    /// What makes two parts slices of different exports, in words, or nil when they agree.
    static func difference(_ a: Manifest, _ b: Manifest) -> String? {
        if a.formatVersion != b.formatVersion {
            return "manifest format \(a.formatVersion) vs \(b.formatVersion)"
        }
        if a.source.server != b.source.server { return "server \(a.source.server) vs \(b.source.server)" }
        if a.source.project != b.source.project { return "the project (or its updated_date) differs" }
        if a.source.tasks != b.source.tasks {
            let aIDs = a.source.tasks.map(\.id)
            let bIDs = b.source.tasks.map(\.id)
            if aIDs != bIDs { return "tasks \(aIDs) vs \(bIDs)" }
            let changed = zip(a.source.tasks, b.source.tasks).filter { $0 != $1 }.map { "\($0.0.id)" }
            return "task(s) \(changed.joined(separator: ", ")) changed between the two exports (updated_date or "
                + "video frames); export every part from the same sync"
        }
        if a.labels != b.labels { return "the label names or --label-offset differ" }
        if a.transform != b.transform {
            let keys = a.transform.differingKeys(from: b.transform)
            return "the transform differs in \(keys.joined(separator: ", "))"
        }
        guard let sa = a.slice, let sb = b.slice else { return nil }
        if sa.count != sb.count { return "one is a slice of \(sa.count), the other of \(sb.count) (--shard I/N)" }
        if sa.totalSamples != sb.totalSamples {
            return "their exports planned \(sa.totalSamples) and \(sb.totalSamples) samples (the data changed)"
        }
        return nil
    }

    /// `to` relative to the folder `from` (both absolute and standardized), e.g. `part-0` or `../run/part-0`.
    static func relativePath(from: URL, to: URL) -> String {
        let a = from.pathComponents
        let b = to.pathComponents
        var common = 0
        while common < a.count, common < b.count, a[common] == b[common] { common += 1 }
        let parts = Array(repeating: "..", count: a.count - common) + b[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
