import ArgumentParser
import Contracts
import Foundation

/// `octoo api-docs`: writes the API reference (`docs/api.md`) from the contracts, exactly what each
/// service's `Describe` serves, so the document is regenerated rather than edited.
struct APIDocsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-docs", abstract: "Write the API reference (docs/api.md) from every service's Describe.")

    @Option(help: "Write to this file instead of standard output.")
    var out: String?

    func run() throws {
        let text = APIReference.markdown()
        guard let out else {
            print(text, terminator: "")
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw ValidationError("cannot write \(out): \(error.localizedDescription)")
        }
    }
}
