import Contracts
import Foundation
import Testing
import Transport

/// The catalogue is the one list of services; what cannot import it (Package.swift, compose's
/// file) is checked against it here.
@Suite("The service catalogue")
struct ServiceCatalogueTests {
    /// The repository's root, from this file's place in it.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func thePortsAreProtocolsDefaults() {
        #expect(
            BusEndpoints.defaultRPCPorts == [
                "registry": .init(client: 7101, worker: 7201), "matching": .init(client: 7102, worker: 7202),
                "broadcast": .init(client: 7103, worker: 7203), "opportunities": .init(client: 7104, worker: 7204),
            ])
        #expect(BusEndpoints.services == ["registry", "matching", "broadcast", "opportunities"])
        let ports = ServiceCatalogue.entries.compactMap(\.ports).flatMap { [$0.client, $0.worker] }
        #expect(Set(ports).count == ports.count)
    }

    @Test func namesAreUniqueAndEveryContractIsABusWorker() {
        let names = ServiceCatalogue.entries.map(\.name)
        #expect(Set(names).count == names.count)
        for service in [Registry.service, Matching.service, Broadcast.service, Opportunities.service] {
            #expect(ServiceCatalogue.entry(service)?.ports != nil, "\(service)")
        }
        #expect(ServiceCatalogue.entries.filter(\.replicable).map(\.name) == [Matching.service])
    }

    /// Package.swift's `services`: `(library, folder, executable)`, one per line.
    static func packageServices() throws -> [(library: String, folder: String, executable: String)] {
        let text = try text("Package.swift")
        let start = try #require(
            text.range(of: "let services: [(library: String, folder: String, executable: String)] = ["))
        let end = try #require(text.range(of: "\n]", range: start.upperBound..<text.endIndex))
        return text[start.upperBound..<end.lowerBound].split(separator: "\n").compactMap { line in
            let quoted = line.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 1 }.map { String($0.element) }
            return quoted.count == 3 ? (quoted[0], quoted[1], quoted[2]) : nil
        }
    }

    @Test func packageSwiftBuildsEveryServiceOfTheCatalogue() throws {
        let services = try Self.packageServices()
        #expect(services.map(\.executable) == ServiceCatalogue.entries.map(\.name))
        for service in services {
            let main = Self.root.appendingPathComponent("Services/\(service.folder)/Main").path
            #expect(FileManager.default.fileExists(atPath: main), "\(service.folder) has no Main folder")
        }
    }

    /// The names directly under compose's `services:`, each with its `command`.
    static func composeServices() throws -> [String: String] {
        var services: [String: String] = [:]
        var current: String?
        var inServices = false
        for line in try text("compose/docker-compose.yml").split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty && !line.hasPrefix("#") { inServices = line == "services:" }
            guard inServices else { continue }
            if line.hasPrefix("  "), !line.hasPrefix("   "), line.hasSuffix(":") {
                current = String(line.dropFirst(2).dropLast())
                services[current!] = ""
            } else if let current, line.trimmingCharacters(in: .whitespaces).hasPrefix("command:") {
                services[current] = line.split(separator: "\"").dropFirst().first.map(String.init) ?? ""
            }
        }
        return services
    }

    @Test func composeRunsEveryServiceOfTheCatalogue() throws {
        let services = try Self.composeServices()
        #expect(services["bus"] == "octoo-bus")
        for entry in ServiceCatalogue.entries {
            #expect(services[entry.name] == entry.name, "compose has no service running \(entry.name)")
        }
    }
}
