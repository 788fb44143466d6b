public import ArgumentParser

public struct CvatDS: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "cvat-ds")
    public init() {}
    public func run() async throws {}
}
