extension Manifest {
    /// The manifest's `transform`: every parameter that decided the export's content, so that an export can be
    /// reproduced and read back without guessing.
    ///
    /// The exporter writes this record and the export reader reads it through this one type, so the two cannot
    /// disagree on a key's name or its type. Enumerations of higher modules (the target, the resize filter, the
    /// resize mode) are kept as their command-line spellings, because this module sits below them.
    public struct Transform: Codable, Sendable, Hashable {
        /// `--transform`: `none`, `label`, `bboxes`, `masks`, `semantic` or `keypoints`.
        public var target: String
        public var resize: Resize
        /// The resampling filter's name (`--filter`).
        public var filter: String
        /// The image array's axis order: `nhwc` or `nchw`.
        public var layout: String
        /// The image array's element type: uint8, or float32 (divided by 255, then normalised when asked).
        public var dtype: DType
        /// Per-channel mean and std applied after dividing by 255; written as null when none was asked.
        public var normalize: Normalize?
        /// `npy`, `raw`, `safetensors` or `webdataset`.
        public var format: String
        public var labelOffset: Int
        /// The user's name → index map (`--label-map`); written as null for cvat-sdk's default numbering.
        public var labelMap: [String: Int]?
        /// The shape types the target read, sorted.
        public var shapeTypes: [String]
        /// How an ellipse's box is taken (always `full-ellipse`, cvat-sdk's rule).
        public var ellipseBox: String
        /// Whether tracks were turned into per-frame shapes.
        public var tracks: Bool
        /// The job stages and states frames were kept for; written as null when every frame was kept.
        public var jobFilter: JobFilter?
        public var skipInvalid: Bool
        public var dctScaling: String
        public var maxPixels: Int
        /// `semantic` only: the value of pixels no shape covers.
        public var backgroundIndex: Int?
        /// `semantic` only: the class map's element type (uint16 when a class index does not fit in uint8).
        public var maskDType: DType?
        /// `keypoints` only: K, the points per instance.
        public var keypointCount: Int?
        /// `keypoints` only: the skeleton's point names, in order; written as null when the points have none.
        public var keypointNames: [String]?
        /// Video tasks only: `original` (PNG frames) or `compressed` (the JPEG chunks).
        public var videoFrames: String?
        /// Whether annotations.jsonl was written (false with `--no-annotations`); nil in older manifests.
        public var annotations: Bool?
        /// `--attributes`: ["all"] or the names asked; nil when no attribute array was asked for.
        public var attributes: [String]?
        /// `--keep-encoded` (webdataset): the images are the frames' original JPEG or PNG bytes, targets in
        /// source pixels; absent otherwise.
        public var keepEncoded: Bool?

        public init(
            target: String, resize: Resize, filter: String, layout: String, dtype: DType, normalize: Normalize?,
            format: String, labelOffset: Int, labelMap: [String: Int]?, shapeTypes: [String], ellipseBox: String,
            tracks: Bool, jobFilter: JobFilter?, skipInvalid: Bool, dctScaling: String, maxPixels: Int,
            backgroundIndex: Int? = nil, maskDType: DType? = nil, keypointCount: Int? = nil,
            keypointNames: [String]? = nil, videoFrames: String? = nil
        ) {
            self.target = target
            self.resize = resize
            self.filter = filter
            self.layout = layout
            self.dtype = dtype
            self.normalize = normalize
            self.format = format
            self.labelOffset = labelOffset
            self.labelMap = labelMap
            self.shapeTypes = shapeTypes
            self.ellipseBox = ellipseBox
            self.tracks = tracks
            self.jobFilter = jobFilter
            self.skipInvalid = skipInvalid
            self.dctScaling = dctScaling
            self.maxPixels = maxPixels
            self.backgroundIndex = backgroundIndex
            self.maskDType = maskDType
            self.keypointCount = keypointCount
            self.keypointNames = keypointNames
            self.videoFrames = videoFrames
        }

        /// The JSON keys. `CaseIterable` lets `differingKeys` visit every key, and its exhaustive switch makes a
        /// new key fail to compile until it is compared too.
        public enum CodingKeys: String, CodingKey, CaseIterable, Sendable {
            case target, resize, filter, layout, dtype, normalize, format, tracks
            case labelOffset = "label_offset"
            case labelMap = "label_map"
            case shapeTypes = "shape_types"
            case ellipseBox = "ellipse_box"
            case jobFilter = "job_filter"
            case skipInvalid = "skip_invalid"
            case dctScaling = "dct_scaling"
            case maxPixels = "max_pixels"
            case backgroundIndex = "background_index"
            case maskDType = "mask_dtype"
            case keypointCount = "keypoint_count"
            case keypointNames = "keypoint_names"
            case videoFrames = "video_frames"
            case annotations, attributes
            case keepEncoded = "keep_encoded"
        }

        /// `resize`: the mode and the sizes that mode takes; a mode's keys are the only ones written.
        public struct Resize: Codable, Sendable, Hashable {
            /// `none`, `resize`, `letterbox` or `resize-shorter`.
            public var mode: String
            /// `resize` and `letterbox`: the output size.
            public var width: Int?
            public var height: Int?
            /// `letterbox`: the value of the padding bars.
            public var padValue: Int?
            /// `resize-shorter`: the length of the shorter side after resizing.
            public var shorter: Int?
            /// `resize-shorter`: the centre crop taken afterwards, when one was asked.
            public var centerCrop: Size?

            public init(
                mode: String, width: Int? = nil, height: Int? = nil, padValue: Int? = nil, shorter: Int? = nil,
                centerCrop: Size? = nil
            ) {
                self.mode = mode
                self.width = width
                self.height = height
                self.padValue = padValue
                self.shorter = shorter
                self.centerCrop = centerCrop
            }

            enum CodingKeys: String, CodingKey {
                case mode, width, height, shorter
                case padValue = "pad_value"
                case centerCrop = "center_crop"
            }
        }

        public struct Size: Codable, Sendable, Hashable {
            public var width: Int
            public var height: Int
            public init(width: Int, height: Int) {
                self.width = width
                self.height = height
            }
        }

        /// `normalize`: three means and three standard deviations, one per channel.
        public struct Normalize: Codable, Sendable, Hashable {
            /// Doubles, as JSON numbers are: the writer widens the Float values it used, so the digits written
            /// are those of the Float.
            public var mean: [Double]
            public var std: [Double]
            public init(mean: [Double], std: [Double]) {
                self.mean = mean
                self.std = std
            }
        }

        /// `job_filter`: the stages and states kept, sorted (an empty list keeps any).
        public struct JobFilter: Codable, Sendable, Hashable {
            public var stages: [String]
            public var states: [String]
            public init(stages: [String], states: [String]) {
                self.stages = stages
                self.states = states
            }
        }

        /// Writes null (rather than leaving the key out) for the parameters every export records, so a reader
        /// sees "not asked" spelled out; the target's and the video's own keys appear only where they apply.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(target, forKey: .target)
            try c.encode(resize, forKey: .resize)
            try c.encode(filter, forKey: .filter)
            try c.encode(layout, forKey: .layout)
            try c.encode(dtype, forKey: .dtype)
            try c.encodeOrNull(normalize, forKey: .normalize)
            try c.encode(format, forKey: .format)
            try c.encode(labelOffset, forKey: .labelOffset)
            try c.encodeOrNull(labelMap, forKey: .labelMap)
            try c.encode(shapeTypes, forKey: .shapeTypes)
            try c.encode(ellipseBox, forKey: .ellipseBox)
            try c.encode(tracks, forKey: .tracks)
            try c.encodeOrNull(jobFilter, forKey: .jobFilter)
            try c.encode(skipInvalid, forKey: .skipInvalid)
            try c.encode(dctScaling, forKey: .dctScaling)
            try c.encode(maxPixels, forKey: .maxPixels)
            try c.encodeIfPresent(backgroundIndex, forKey: .backgroundIndex)
            try c.encodeIfPresent(maskDType, forKey: .maskDType)
            try c.encodeIfPresent(keypointCount, forKey: .keypointCount)
            // A keypoints export always says whether its points have names.
            if keypointCount != nil { try c.encodeOrNull(keypointNames, forKey: .keypointNames) }
            try c.encodeIfPresent(videoFrames, forKey: .videoFrames)
            try c.encodeIfPresent(annotations, forKey: .annotations)
            try c.encodeIfPresent(attributes, forKey: .attributes)
            try c.encodeIfPresent(keepEncoded, forKey: .keepEncoded)
        }

        /// The keys whose values differ between the two records, sorted: what merge-manifests names when
        /// two parts were exported differently.
        public func differingKeys(from other: Transform) -> [String] {
            CodingKeys.allCases.filter { !sameValue(as: other, at: $0) }.map(\.stringValue).sorted()
        }

        private func sameValue(as other: Transform, at key: CodingKeys) -> Bool {
            switch key {
            case .target: target == other.target
            case .resize: resize == other.resize
            case .filter: filter == other.filter
            case .layout: layout == other.layout
            case .dtype: dtype == other.dtype
            case .normalize: normalize == other.normalize
            case .format: format == other.format
            case .tracks: tracks == other.tracks
            case .labelOffset: labelOffset == other.labelOffset
            case .labelMap: labelMap == other.labelMap
            case .shapeTypes: shapeTypes == other.shapeTypes
            case .ellipseBox: ellipseBox == other.ellipseBox
            case .jobFilter: jobFilter == other.jobFilter
            case .skipInvalid: skipInvalid == other.skipInvalid
            case .dctScaling: dctScaling == other.dctScaling
            case .maxPixels: maxPixels == other.maxPixels
            case .backgroundIndex: backgroundIndex == other.backgroundIndex
            case .maskDType: maskDType == other.maskDType
            case .keypointCount: keypointCount == other.keypointCount
            case .keypointNames: keypointNames == other.keypointNames
            case .videoFrames: videoFrames == other.videoFrames
            case .annotations: annotations == other.annotations
            case .attributes: attributes == other.attributes
            case .keepEncoded: keepEncoded == other.keepEncoded
            }
        }
    }
}

extension KeyedEncodingContainer {
    /// `value`, or an explicit null when it is nil.
    fileprivate mutating func encodeOrNull<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}
