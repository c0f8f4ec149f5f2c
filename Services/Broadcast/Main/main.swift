import ArgumentParser
import BroadcastService
import ServiceKit

/// The `broadcast` executable.
@main
struct BroadcastCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broadcast", abstract: "Octoo's broadcast service: contacts ranked providers in well-timed waves.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(BroadcastService.definition, options: options)
    }
}
