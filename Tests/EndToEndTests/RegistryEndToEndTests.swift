import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

@Suite("Registry end to end: the real executable through the bus", .serialized)
struct RegistryEndToEndTests {
    @Test func qualificationsDocumentsAndAnExpiryThatSurvivesARestart() async throws {
        let system = try ExecutableSystem()
        defer { Task { await system.shutdown() } }
        try system.startBus()
        try system.start("registry", arguments: ["--manual-clock"])
        try await system.waitUntilServing("registry")
        let client = try system.client("registry")
        defer { client.close() }
        let partner = Actor(role: .partner, partnerId: "agency-1", id: "admin")
        let now = Date()

        let type = try await client.call(Registry.createDocumentType, CreateDocumentTypeRequest(name: "Hippa-cert"), actor: partner).documentType
        let qualification = try await client.call(Registry.createQualification, CreateQualificationRequest(
            name: "HIPAA certification", providerTypes: ["asl_interpreter"], requiredDocumentTypeIds: [type.id]), actor: partner).qualification
        let provider = try await client.call(Registry.upsertProvider, UpsertProviderRequest(
            name: "Ana", providerType: "asl_interpreter", location: GeoPoint(lat: 41.88, lon: -87.63), zones: ["IL"]), actor: partner).provider
        _ = try await client.call(Registry.applyQualification, ApplyQualificationRequest(providerId: provider.id, qualificationId: qualification.id), actor: partner)
        _ = try await client.call(Registry.addDocument, AddDocumentRequest(
            providerId: provider.id, documentTypeId: type.id, issuedAt: now.addingTimeInterval(-86_400), expiresAt: now.addingTimeInterval(3600)), actor: partner)
        var mine = try await client.call(Registry.getProvider, GetProviderRequest(id: provider.id), actor: Actor(role: .provider, partnerId: "agency-1", id: provider.id))
        #expect(mine.qualifications.map(\.inEffect) == [true])

        // Tenancy and roles hold across the wire.
        do {
            _ = try await client.call(Registry.getProvider, GetProviderRequest(id: provider.id), actor: Actor(role: .partner, partnerId: "agency-2"))
            Issue.record("another tenant read the provider")
        } catch { #expect(error.code == .notFound) }
        do {
            _ = try await client.call(Registry.createDocumentType, CreateDocumentTypeRequest(name: "X"), actor: Actor(role: .provider, partnerId: "agency-1", id: provider.id))
            Issue.record("a provider wrote")
        } catch { #expect(error.code == .permissionDenied) }

        // Restart: the expiry timer is in SQLite, so it fires after the restart.
        #expect(await system.terminate("registry") == 0)
        try system.start("registry", arguments: ["--manual-clock"])
        try await system.waitUntilServing("registry")
        _ = try await client.setClock("registry", to: now.addingTimeInterval(7200))
        let events = try await client.readEvents("registry", afterSeq: 0, actor: partner)
        #expect(events.events.map(\.type).filter { $0 == "document.expired" }.count == 1)
        mine = try await client.call(Registry.getProvider, GetProviderRequest(id: provider.id), actor: partner)
        #expect(mine.qualifications.first?.inEffect == false)

        let described = try await client.describe("registry")
        #expect(described.methods.count == 21)
        #expect(described.methods.first { $0.name == "registry.ApplyQualification" }?.roles == ["partner", "service"])
    }
}
