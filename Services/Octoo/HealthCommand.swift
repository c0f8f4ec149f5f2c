import ArgumentParser
import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// `octoo health`: every service's `Health`, as a table or JSON.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "Show every service's health.")

    @OptionGroup var bus: BusOptions
    @Flag(help: "Print JSON instead of a table.")
    var json = false
    @Option(help: "How long to wait for each service, in milliseconds.")
    var timeoutMs: Int = 2000

    /// One row of the report.
    struct Row: Encodable {
        var service: String
        var status: String
        var instance: String?
        var version: String?
        var uptimeSeconds: Int64?
        var error: String?
    }

    func validate() throws {
        guard (1...86_400_000).contains(timeoutMs) else {
            throw ValidationError("--timeout-ms must be from 1 to 86400000")
        }
    }

    func run() async throws {
        let clients = try BusClients(endpoints: try bus.endpoints())
        defer { clients.close() }
        let rows = await Self.check(clients, timeout: .milliseconds(timeoutMs))
        if json {
            say(prettyJSON(rows))
        } else {
            say(Self.table(rows))
            // What the broker sees behind those answers: replicas, credit, queues.
            if let status = try? await clients.client("registry").busStatus(
                options: CallOptions(timeout: .milliseconds(timeoutMs), retry: .none))
            {
                say("")
                say(BusCommand.table(status))
            }
        }
        if rows.contains(where: { $0.status != "SERVING" }) { throw ExitCode(1) }
    }

    static func check(_ clients: BusClients, timeout: Duration) async -> [Row] {
        await withTaskGroup(of: Row.self) { group in
            for service in BusEndpoints.services {
                group.addTask {
                    do {
                        let health = try await clients.client(service).health(
                            service, options: CallOptions(timeout: timeout, retry: .none))
                        return Row(
                            service: service, status: health.status.rawValue, instance: health.instance,
                            version: health.version, uptimeSeconds: health.uptimeSeconds)
                    } catch let error as RPCError {
                        let status = error.code == .deadlineExceeded ? "UNREACHABLE" : error.code.name
                        return Row(service: service, status: status, error: error.message)
                    } catch {
                        return Row(service: service, status: "UNREACHABLE", error: "\(error)")
                    }
                }
            }
            var rows: [Row] = []
            for await row in group { rows.append(row) }
            return rows.sorted {
                BusEndpoints.services.firstIndex(of: $0.service)! < BusEndpoints.services.firstIndex(of: $1.service)!
            }
        }
    }

    static func table(_ rows: [Row]) -> String {
        let header = ["SERVICE", "STATUS", "INSTANCE", "VERSION", "UPTIME"]
        let cells = rows.map { row in
            [
                row.service, row.status, row.instance ?? (row.error ?? "-"), row.version ?? "-",
                row.uptimeSeconds.map { "\($0)s" } ?? "-",
            ]
        }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max()! }
        func line(_ values: [String]) -> String {
            values.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + cells.map(line)).joined(separator: "\n")
    }
}
