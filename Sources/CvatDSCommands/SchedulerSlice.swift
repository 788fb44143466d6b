import ArgumentParser

/// `--shard auto` and `--shard auto/N`: the slice an array task of a batch scheduler stands for, read from the
/// variables the scheduler sets, so one job script serves every task and nobody computes `I/N` by hand.
///
/// Slurm arrays (`sbatch --array=A-B[:S]`) give the task's id and the array's bounds: index = (id - min) / step,
/// count = `SLURM_ARRAY_TASK_COUNT`, or (max - min) / step + 1 where an older Slurm does not set it. That is why
/// arrays starting at 1 or stepping work. Kubernetes Indexed Jobs give only `JOB_COMPLETION_INDEX`; the pod never
/// sees `completions`, so the count comes from `auto/N`.
///
/// When both are set, Slurm wins: Slurm can run inside Kubernetes pods (a `slurmd` per pod), and then the pod's
/// completion index numbers the pods, while the array task is what the user asked to slice by.
struct SchedulerSlice: Equatable, Sendable {
    var index: Int
    var count: Int
    /// Every scheduler variable read, with its value, for the manifest: a part tells which task wrote it.
    var variables: [String: String]

    static let slurmTaskID = "SLURM_ARRAY_TASK_ID"
    static let slurmMin = "SLURM_ARRAY_TASK_MIN"
    static let slurmMax = "SLURM_ARRAY_TASK_MAX"
    static let slurmCount = "SLURM_ARRAY_TASK_COUNT"
    static let slurmStep = "SLURM_ARRAY_TASK_STEP"
    static let kubernetesIndex = "JOB_COMPLETION_INDEX"
    /// In the order the usage error names them.
    static let variablesLookedFor = [slurmTaskID, slurmMin, slurmMax, slurmCount, slurmStep, kubernetesIndex]

    /// Whether `--shard` asks for the scheduler's slice (`auto` or `auto/N`) rather than giving `I/N`.
    static func isAuto(_ text: String) -> Bool { text == "auto" || text.hasPrefix("auto/") }

    /// The slice for `--shard auto` (`text` is `auto` or `auto/N`) from `environment`.
    ///
    /// Throws a `ValidationError` (a usage error, exit 64) naming the variable at fault, or, when none is set,
    /// every variable looked for: an export that silently wrote all samples on each of N machines would be worse.
    static func resolve(_ text: String, environment: [String: String]) throws(ValidationError) -> SchedulerSlice {
        let expected: Int?
        if text == "auto" {
            expected = nil
        } else {
            guard let n = Int(text.dropFirst("auto/".count)), n >= 1 else {
                throw ValidationError(
                    "--shard auto/N takes the number of slices N >= 1, e.g. auto/8 for an Indexed Job of 8 "
                        + "completions (got '\(text)')")
            }
            expected = n
        }
        if let id = value(slurmTaskID, environment) {
            return try slurm(id: id, expected: expected, environment: environment)
        }
        if let index = value(kubernetesIndex, environment) {
            return try kubernetes(index: index, expected: expected)
        }
        throw ValidationError(
            "--shard \(text): no array task found in the environment; looked for a Slurm array job ("
                + variablesLookedFor.dropLast().joined(separator: ", ") + ") and a Kubernetes Indexed Job ("
                + "\(kubernetesIndex)), and none is set. Outside a scheduler, give the slice as --shard I/N.")
    }

    /// A variable's value, with an empty one taken as unset (`export VAR=` in a script).
    private static func value(_ name: String, _ environment: [String: String]) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// Schedulers number tasks from 0 up, far below 2^31 (Slurm's MaxArraySize is at most 4000001); the bound
    /// also keeps the arithmetic below from overflowing on a value no scheduler sets.
    private static func integer(_ name: String, _ text: String) throws(ValidationError) -> Int {
        guard let number = Int(text), (0...Int(Int32.max)).contains(number) else {
            throw ValidationError("--shard auto: \(name)=\(text) is not an integer from 0 to \(Int32.max)")
        }
        return number
    }

    private static func slurm(id text: String, expected: Int?, environment: [String: String])
        throws(ValidationError) -> SchedulerSlice
    {
        var used = [slurmTaskID: text]
        func read(_ name: String) throws(ValidationError) -> Int? {
            guard let text = value(name, environment) else { return nil }
            used[name] = text
            return try integer(name, text)
        }
        let id = try integer(slurmTaskID, text)
        guard let min = try read(slurmMin) else {
            throw ValidationError(
                "--shard auto: \(slurmTaskID)=\(text) is set but \(slurmMin) is not, so the task's place in the "
                    + "array is unknown; give --shard I/N")
        }
        let max = try read(slurmMax)
        let taskCount = try read(slurmCount)
        let step = try read(slurmStep) ?? 1
        guard step >= 1 else { throw ValidationError("--shard auto: \(slurmStep)=\(step) must be at least 1") }
        guard id >= min, (id - min) % step == 0 else {
            throw ValidationError(
                "--shard auto: task \(slurmTaskID)=\(id) is not on the array's grid \(min), \(min + step), ... "
                    + "(\(slurmMin)=\(min), \(slurmStep)=\(step))")
        }
        let index = (id - min) / step
        // The span of the grid, where the array's bounds are known.
        let spanned = max.map { max in max >= min ? (max - min) / step + 1 : 0 }
        guard let count = taskCount ?? spanned else {
            throw ValidationError(
                "--shard auto: \(slurmTaskID)=\(id) is set but neither \(slurmCount) nor \(slurmMax), so the "
                    + "number of slices is unknown; give --shard auto/N or --shard I/N")
        }
        // An array given as a list (--array=0,1,5) has ids off any one grid: its count and its span disagree, and
        // slicing by id would leave slices out.
        if let spanned, spanned != count {
            throw ValidationError(
                "--shard auto: the array is not one range A-B[:S] (\(slurmCount)=\(count), but \(slurmMin)=\(min) to "
                    + "\(slurmMax)=\(max!) in steps of \(step) spans \(spanned) ids); submit it as --array=A-B or "
                    + "--array=A-B:S")
        }
        guard index < count else {
            throw ValidationError(
                "--shard auto: task \(slurmTaskID)=\(id) is slice \(index), past the array's \(count) tasks "
                    + "(\(slurmCount)); submit the array as --array=A-B or --array=A-B:S")
        }
        if let expected, expected != count {
            throw ValidationError(
                "--shard auto/\(expected): the Slurm array has \(count) tasks, not \(expected); give --shard auto, or "
                    + "make N the array's size")
        }
        return SchedulerSlice(index: index, count: count, variables: used)
    }

    private static func kubernetes(index text: String, expected: Int?) throws(ValidationError) -> SchedulerSlice {
        guard let count = expected else {
            throw ValidationError(
                "--shard auto: \(kubernetesIndex)=\(text) is set (a Kubernetes Indexed Job), but a pod does not see "
                    + "the Job's completions; give --shard auto/N with N = spec.completions")
        }
        let index = try integer(kubernetesIndex, text)
        guard (0..<count).contains(index) else {
            throw ValidationError(
                "--shard auto/\(count): \(kubernetesIndex)=\(index) is not below \(count); N must be the Job's "
                    + "spec.completions")
        }
        return SchedulerSlice(index: index, count: count, variables: [kubernetesIndex: text])
    }
}
