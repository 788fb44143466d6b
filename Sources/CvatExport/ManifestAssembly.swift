import CvatAPI
import CvatCache
import CvatGeometry
import CvatTargets
import CvatTensors
import Foundation

/// What the writer recorded, in sample order, for the manifest: which planned samples were written (their
/// manifest records are made from the plan when the manifest is, rather than held beside it all export long) and
/// which were skipped.
struct WrittenSamples {
    /// Positions in the plan's samples.
    var indices: [Int] = []
    var skipped: [Manifest.Skipped] = []

    var count: Int { indices.count }

    /// The manifest records of the written samples.
    func samples(_ plan: ExportPlan, tasks: [CachedTask]) -> [Manifest.Sample] {
        indices.map { Exporter.record(of: plan.samples[$0], taskID: tasks[plan.samples[$0].taskIndex].id) }
    }
}

extension Exporter {
    /// A written sample as the manifest lists it.
    static func record(of sample: SampleJob, taskID: Int) -> Manifest.Sample {
        Manifest.Sample(
            taskID: taskID, frame: sample.frame, name: sample.name, width: sample.plan.sourceSize.width,
            height: sample.plan.sourceSize.height, jobID: sample.jobID, sourceFrame: sample.sourceFrame)
    }
}

extension Exporter {
    /// The manifest of a finished export: where the data came from, the labels, every written and skipped sample,
    /// the arrays (over all shards) and every parameter of the transform.
    func manifest(
        plan: ExportPlan, samples: [Manifest.Sample], skipped: [Manifest.Skipped], shards: [Manifest.Shard],
        slice: Manifest.Slice?, attributes: AttributeColumns?, toolVersion: String
    ) throws -> Manifest {
        let entries: [String: Manifest.ArrayEntry]
        let files: [String: Manifest.FileEntry]?
        if options.format == .webdataset {
            // The samples are in the tars the shards list; there are no arrays.
            (entries, files) = ([:], nil)
        } else if options.shardSize == nil {
            entries = shards.first?.arrays ?? [:]
            files = shards.first?.files
        } else {
            do {
                entries = try Manifest.combinedArrays(of: shards)
                files = try Manifest.combinedFiles(of: shards)
            } catch {
                throw ExportError(wrapping: error, "the shards' arrays differ: \(error)")
            }
        }
        let (keypointCount, keypointNames, semantic) = (plan.keypointCount, plan.keypointNames, plan.semantic)
        var transform = options.manifestRecord(
            keypointCount: keypointCount, keypointNames: keypointNames, semantic: semantic)
        if source.tasks.contains(where: { $0.model.isVideo }) {
            transform.videoFrames = options.videoFrames.rawValue
        }
        var manifest = Manifest(
            tool: Manifest.Tool(name: "cvat-ds", version: toolVersion),
            source: Manifest.Source(
                server: source.server,
                tasks: source.tasks.map {
                    Manifest.TaskVersion(
                        id: $0.id, updatedDate: $0.model.updatedDate, video: Exporter.videoRecord($0),
                        chunksUpdatedDate: $0.meta.chunksUpdatedDate)
                },
                project: source.project.map { Manifest.ProjectVersion(id: $0.id, updatedDate: $0.updatedDate) }),
            labels: labelsRecord(plan: plan, attributes: attributes),
            samples: samples, skipped: skipped, arrays: entries, transform: transform)
        manifest.files = files
        manifest.shards = options.shardSize == nil && options.format != .webdataset ? nil : shards
        manifest.slice = slice
        manifest.formatVersion = Manifest.currentFormatVersion
        return manifest
    }

    /// The label names by class index, every label as CVAT defines it, cvat-sdk's `label_id_to_index` (with the
    /// offset) and the attribute columns with their text tables.
    func labelsRecord(plan: ExportPlan, attributes: AttributeColumns?) -> Manifest.Labels {
        var idToIndex: [String: Int] = [:]
        for label in source.labels {
            if let index = plan.labelMap.index(ofLabelID: label.id) { idToIndex[String(label.id)] = index }
        }
        let columns = attributes.map { attributes in
            attributes.columns.enumerated().map { index, column in
                Manifest.AttributeColumn(
                    index: index, labelID: column.labelID, label: column.labelName, specID: column.specID,
                    attribute: column.name, inputType: column.inputType, values: column.values,
                    strings: column.inputType == "text" ? attributes.strings[index] ?? [] : nil)
            }
        }
        return Manifest.Labels(
            names: plan.labelMap.namesByIndexFlat, labelOffset: options.labelOffset,
            definitions: source.labels.sorted { $0.id < $1.id }.map(Self.definition), labelIDToIndex: idToIndex,
            attributeColumns: columns)
    }

    static func definition(_ label: LabelModel) -> Manifest.LabelDefinition {
        let sublabels = label.sublabels.flatMap { $0.isEmpty ? nil : $0 }.map { sublabels in
            sublabels.map {
                Manifest.LabelDefinition(
                    id: $0.id, name: $0.name, type: $0.type, color: $0.color, parent: label.id,
                    attributes: ($0.attributes ?? []).map(definition))
            }
        }
        let edges =
            label.type == "skeleton"
            ? SkeletonEdges.parse(svg: label.svg ?? "", sublabelIDs: (label.sublabels ?? []).map(\.id)) : nil
        return Manifest.LabelDefinition(
            id: label.id, name: label.name, type: label.type, color: label.color, parent: label.parentID,
            attributes: (label.attributes ?? []).map(definition), sublabels: sublabels, edges: edges)
    }

    static func definition(_ spec: AttributeSpec) -> Manifest.AttributeDefinition {
        Manifest.AttributeDefinition(
            id: spec.id, name: spec.name, inputType: spec.inputType, mutable: spec.mutable, values: spec.values,
            defaultValue: spec.defaultValue)
    }

    /// A video task's frame numbering and frame source, for the manifest.
    static func videoRecord(_ task: CachedTask) -> Manifest.Video? {
        guard task.model.isVideo, let source = task.videoSource else { return nil }
        return Manifest.Video(
            startFrame: task.meta.startFrame ?? 0, stopFrame: task.meta.stopFrame, frameStep: task.meta.frameStep,
            frameFilter: task.meta.frameFilter ?? "", frames: source.rawValue)
    }
}

extension Manifest {
    /// Writes `manifest.json`, atomically (a temporary file flushed and renamed into place) unless `folder` is an
    /// export's own temporary folder, which is flushed and renamed whole. Encoding comes first, so the two
    /// failures keep their kinds: a manifest that cannot be encoded (a non-finite number) is the data's fault, one
    /// that cannot be written is an I/O failure.
    func write(into folder: URL, atomically: Bool = true) throws(ExportError) {
        let url = folder.appendingPathComponent("manifest.json")
        let data: Data
        do {
            data = try encoded()
        } catch {
            throw ExportError(.data, "cannot encode the manifest \(url.path): \(error)")
        }
        do {
            try data.write(to: url, options: atomically ? .atomic : [])
        } catch {
            let failure = ManifestError.cannotWrite(path: url.path, reason: "\(error)")
            throw ExportError(wrapping: failure, "\(failure)")
        }
    }
}

extension LabelIndexMap {
    /// One name per class index (the first when a user's map sends several labels to one index).
    var namesByIndexFlat: [String] {
        namesByIndex.map { $0.first ?? "" }
    }
}
