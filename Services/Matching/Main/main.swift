import ArgumentParser
import MatchingService
import ServiceKit

/// The `matching` executable.
@main
struct MatchingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matching",
        abstract: "Octoo's matching service: ranks providers for a request from its read model of the registry "
            + "and job history.")

    @OptionGroup var options: ServiceOptions

    @Flag(help: "Forget the read model (ranking settings are kept) and rebuild it from every source's events first.")
    var rebuild = false

    func run() async throws {
        if rebuild {
            try await MatchingService.rebuild(configuration: try options.configuration(service: MatchingService.name))
        }
        try await ServiceRunner.run(MatchingService.definition, options: options)
    }
}
