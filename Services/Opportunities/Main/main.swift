import ArgumentParser
import OpportunitiesService
import ServiceKit

/// The `opportunities` executable.
@main
struct OpportunitiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opportunities",
        abstract: "Octoo's opportunities service: requests and each provider's opportunity through to assignment.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(OpportunitiesService.definition, options: options)
    }
}
