import Foundation

/// Runs one of the Python scripts in `Fixtures/` with the test interpreter (the one that has cvat-sdk).
public enum PythonScript {
    public static func run(_ script: String, _ arguments: [String], timeout: Double = 300) throws -> CLI.Result {
        let python = TestPaths.python.split(separator: " ").map(String.init)
        return try CLI.runProcess(
            URL(fileURLWithPath: python[0]),
            Array(python.dropFirst()) + [TestPaths.fixtures.appendingPathComponent(script).path] + arguments,
            environment: nil, timeout: timeout, what: script)
    }
}
