import ArgumentParser
import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// `octoo bus`: what the broker knows per service (`bus.Status`): workers, credit, queue, counters.
struct BusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus", abstract: "Show the bus's workers, queues and counters per service (bus.Status).")

    @OptionGroup var bus: BusOptions
    @OptionGroup var curve: CurveClientOptions
    @Flag(help: "Print JSON instead of a table.")
    var json = false
    @Option(help: "How long to wait for the bus, in milliseconds.")
    var timeoutMs: Int = 2000

    func validate() throws {
        guard (1...86_400_000).contains(timeoutMs) else {
            throw ValidationError("--timeout-ms must be from 1 to 86400000")
        }
    }

    func run() async throws {
        let clients = try BusClients(endpoints: try bus.endpoints(), curve: try curve.keys())
        defer { clients.close() }
        do {
            let status = try await clients.client("registry").busStatus(
                options: CallOptions(timeout: .milliseconds(timeoutMs), retry: .none))
            say(json ? prettyJSON(status) : Self.table(status))
        } catch {
            say("octoo: the bus did not answer bus.Status: \(error)")
            throw ExitCode(1)
        }
    }

    /// One line per worker (or per service without one), then the counters.
    static func table(_ status: BusStatusResponse) -> String {
        let header = [
            "SERVICE", "WORKER", "CREDIT", "IN FLIGHT", "HEARD", "QUEUED", "DISPATCHED", "EXPIRED", "LOST", "REFUSED",
        ]
        var cells: [[String]] = []
        for service in status.services {
            let counters = [
                "\(service.queueDepth)", "\(service.dispatched)", "\(service.expiredInQueue)",
                "\(service.lostWithWorker)",
                "\(service.rejectedQueueFull)",
            ]
            if service.workers.isEmpty {
                cells.append([service.service, "(none)", "-", "-", "-"] + counters)
            }
            for (index, worker) in service.workers.enumerated() {
                let own = ["\(worker.credit)", "\(worker.inFlight)", "\(worker.lastHeardMsAgo)ms ago"]
                cells.append(
                    [index == 0 ? service.service : "", worker.instance] + own
                        + (index == 0 ? counters : ["", "", "", "", ""]))
            }
        }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max()! }
        func line(_ values: [String]) -> String {
            values.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return (["bus \(status.instance), up \(status.uptimeSeconds)s", line(header)] + cells.map(line)).joined(
            separator: "\n")
    }
}
