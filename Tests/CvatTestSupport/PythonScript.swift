public import Foundation

/// Runs one of the Python scripts in `Fixtures/` with the test interpreter (the one that has cvat-sdk).
public enum PythonScript {
    public static func run(_ script: String, _ arguments: [String], timeout: Double = 300) throws -> CLI.Result {
        let process = Process()
        let python = TestPaths.python.split(separator: " ").map(String.init)
        process.executableURL = URL(fileURLWithPath: python[0])
        process.arguments = Array(python.dropFirst()) + [TestPaths.fixtures.appendingPathComponent(script).path]
            + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            throw TestServerError(message: "\(script) did not finish in \(timeout) s")
        }
        process.waitUntilExit()
        return CLI.Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
