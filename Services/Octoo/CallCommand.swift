import ArgumentParser
import Foundation
import ServiceKit
import Transport
import Wire

/// `octoo call METHOD [JSON]`: calls any method and prints the reply.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call any method, e.g. octoo call registry.Describe, and print the reply body.")

    @Argument(help: "<service>.<Method>, e.g. registry.Health.")
    var method: String
    @Argument(help: "The request body as a JSON object (default {}); - reads it from standard input.")
    var body: String = "{}"
    @OptionGroup var actor: ActorOptions
    @OptionGroup var bus: BusOptions
    @OptionGroup var curve: CurveClientOptions
    @Option(help: "Idempotency key for a mutation.")
    var idempotencyKey: String?
    @Option(help: "Deadline in milliseconds.")
    var timeoutMs: Int = 5000

    func validate() throws {
        guard (1...86_400_000).contains(timeoutMs) else {
            throw ValidationError("--timeout-ms must be from 1 to 86400000")
        }
        _ = try actor.actor(for: method)
    }

    func run() async throws {
        let service = String(method.prefix { $0 != "." })
        guard BusEndpoints.services.contains(service), method.count > service.count + 1 else {
            throw ValidationError(
                "METHOD must be <service>.<Method> with service one of \(BusEndpoints.services.joined(separator: ", "))"
            )
        }
        let text = body == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : body
        let json: JSONValue
        do {
            json = try WireCoding.makeDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw ValidationError("the body is not valid JSON: \(error)")
        }
        guard case .object = json else { throw ValidationError("the body must be a JSON object") }
        let actor = try actor.actor(for: method)
        let clients = try BusClients(endpoints: try bus.endpoints(), curve: try curve.keys())
        defer { clients.close() }
        do {
            let reply = try await clients.client(service).callJSON(
                method: method, body: json, actor: actor,
                options: CallOptions(timeout: .milliseconds(timeoutMs), idempotencyKey: idempotencyKey))
            say(prettyJSON(reply))
        } catch let error as RPCError {
            FileHandle.standardError.write(Data((prettyJSON(Status(error)) + "\n").utf8))
            throw ExitCode(1)
        }
    }
}
