import ArgumentParser
import MatchingService
import ServiceKit

/// The `matching` executable.
@main
struct MatchingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matching",
        abstract:
            "Octoo's matching service: ranks providers for a request from its read model of the registry and job history."
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(MatchingService.definition, options: options)
    }
}
