import Foundation
import Synchronization

/// Where the commands talk to the user: stderr for people, stdout only for `--json` results.
final class Console: Sendable {
    let quiet: Bool
    let verbose: Bool
    let json: Bool
    /// Progress bars only where a person watches: stderr is a terminal and output is not being scripted.
    let interactive: Bool
    private let lock = Mutex(())

    init(quiet: Bool, verbose: Bool, json: Bool) {
        self.quiet = quiet
        self.verbose = verbose
        self.json = json
        interactive = isatty(STDERR_FILENO) == 1 && !quiet
    }

    /// A line of ordinary output (suppressed by --quiet).
    func info(_ line: String) {
        guard !quiet else { return }
        write(line)
    }

    /// Details for --verbose.
    func debug(_ line: String) {
        guard verbose else { return }
        write(line)
    }

    /// Warnings are shown unless --quiet.
    func warning(_ line: String) {
        guard !quiet else { return }
        write("warning: \(line)")
    }

    /// Errors are always shown.
    func error(_ line: String) {
        write("error: \(line)")
    }

    /// Redraws the progress line in place (TTY only).
    func progress(_ line: String) {
        guard interactive else { return }
        lock.withLock { _ in
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
        }
    }

    func clearProgress() {
        guard interactive else { return }
        lock.withLock { _ in FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }

    private func write(_ line: String) {
        lock.withLock { _ in
            let prefix = interactive ? "\r\u{1B}[2K" : ""
            FileHandle.standardError.write(Data((prefix + line + "\n").utf8))
        }
    }

    /// The machine-readable result on stdout.
    func emitJSON<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

/// Human-readable sizes and durations for progress lines.
enum Format {
    static func bytes(_ count: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = count
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `[#####...........] 12/40 files`, the start of every progress line.
    static func bar(done: Int, of total: Int, unit: String, width: Int = 24) -> String {
        let fraction = total > 0 ? min(Double(done) / Double(total), 1) : 0
        let filled = Int(fraction * Double(width))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            + "] \(done)/\(total) \(unit)"
    }

    /// `  ETA 5s` while work is under way, else nothing.
    static func eta(done: Int, of total: Int, elapsed: Double) -> String {
        guard total > 0, done > 0, done < total else { return "" }
        let fraction = Double(done) / Double(total)
        return "  ETA \(duration(elapsed / fraction - elapsed))"
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.0fs", seconds) }
        if seconds < 3600 { return String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60) }
        return String(format: "%dh%02dm", Int(seconds) / 3600, (Int(seconds) % 3600) / 60)
    }
}
