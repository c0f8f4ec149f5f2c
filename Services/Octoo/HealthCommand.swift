import ArgumentParser
import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// `octoo health`: every service's `Health` (or the named ones'), as a table or JSON; exits 0 only
/// when all of them are SERVING, so that it serves as a container's health check.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Show every service's health; exit 0 only if all are SERVING.",
        discussion: """
            With --service, only the services named (a container's health check: \
            octoo health --service registry --timeout-ms 1000).
            """)

    @OptionGroup var bus: BusOptions
    @OptionGroup var curve: CurveClientOptions
    @Flag(help: "Print JSON instead of a table.")
    var json = false
    @Option(help: "How long to wait for each service, in milliseconds.")
    var timeoutMs: Int = 2000
    @Option(name: .customLong("service"), help: "Check only this service (repeatable); default: all four.")
    var onlyServices: [String] = []

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
        for service in onlyServices where !BusEndpoints.services.contains(service) {
            throw ValidationError(
                "--service \(service) must be one of \(BusEndpoints.services.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let clients = try BusClients(endpoints: try bus.endpoints(), curve: try curve.keys())
        defer { clients.close() }
        let services = onlyServices.isEmpty ? BusEndpoints.services : onlyServices
        let rows = await Self.check(clients, timeout: .milliseconds(timeoutMs), services: services)
        if json {
            say(prettyJSON(rows))
        } else {
            say(Self.table(rows))
            // What the broker sees behind those answers: replicas, credit, queues (not for a health check).
            if onlyServices.isEmpty,
                let status = try? await clients.client("registry").busStatus(
                    options: CallOptions(timeout: .milliseconds(timeoutMs), retry: .none))
            {
                say("")
                say(BusCommand.table(status))
            }
        }
        if rows.contains(where: { $0.status != "SERVING" }) { throw ExitCode(1) }
    }

    static func check(
        _ clients: BusClients, timeout: Duration, services: [String] = BusEndpoints.services
    ) async -> [Row] {
        await withTaskGroup(of: Row.self) { group in
            for service in services {
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
