import ArgumentParser
import ServiceKit
import Transport
import Wire

/// A stand-in worker for end-to-end tests: answers the common methods plus `<service>.Sleep`,
/// which holds a call for a while so tests can catch it in flight (deadlines, SIGTERM).
@main
struct TestServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "octoo-test-service")

    @Option(help: "Which service's worker port to serve (its methods are named after it).")
    var `as`: String = "matching"
    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(TestService.definition(name: `as`), options: options)
    }
}

/// `Sleep`'s request.
struct SleepRequest: Codable, Sendable {
    var ms: Int
}

/// `Sleep`'s reply.
struct SleepResponse: Codable, Sendable {
    var sleptMs: Int
}

enum TestService {
    static func definition(name: String) -> ServiceDefinition {
        ServiceDefinition(name: name, durability: .normal) { _ in
            ServiceParts { router in
                let sleep = MethodDescriptor<SleepRequest, SleepResponse>(
                    "\(name).Sleep", idempotent: true, roles: nil, summary: "Waits ms milliseconds, then answers.",
                    request: JSONSchema.object(["ms": JSONSchema.integer(minimum: 0)], required: ["ms"]),
                    response: JSONSchema.object(["sleptMs": JSONSchema.integer()]))
                router.register(sleep) { request, _ in
                    try await Task.sleep(for: .milliseconds(request.ms))
                    return SleepResponse(sleptMs: request.ms)
                }
            }
        }
    }
}
