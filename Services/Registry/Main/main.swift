import ArgumentParser
import RegistryService
import ServiceKit

/// The `registry` executable.
@main
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract:
            "Octoo's registry service: the source of truth for providers, qualifications, documents, availability and customers."
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(RegistryService.definition, options: options)
    }
}
