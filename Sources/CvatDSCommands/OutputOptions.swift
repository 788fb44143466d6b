import ArgumentParser

/// How much a command says, and in what form.
struct OutputOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print only errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print every request (never a credential).")
    var verbose = false

    @Flag(help: "Print a machine-readable summary on stdout.")
    var json = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together") }
    }

    func makeConsole() -> Console { Console(quiet: quiet, verbose: verbose, json: json) }
}
