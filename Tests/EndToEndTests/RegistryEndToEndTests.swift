import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

@Suite("Registry end to end: the real executable through the bus", .serialized)
struct RegistryEndToEndTests {
    @Test func qualificationsDocumentsAndAnExpiryThatSurvivesARestart() async throws {
        // The registry is started here rather than by the harness: it needs `--manual-clock`.
        try await withExecutableSystem([]) { system in
            try system.start("registry", arguments: ["--manual-clock"])
            try await system.waitUntilServing("registry")
            let client = try system.client("registry")
            defer { client.close() }
            let partner = Actor(role: .partner, partnerId: "agency-1", id: "admin")
            let registry = RegistryClient(client, actor: partner)
            let now = Date()

            let type = try await registry.createDocumentType(CreateDocumentTypeRequest(name: "Hippa-cert")).documentType
            let qualification = try await registry.createQualification(
                CreateQualificationRequest(
                    name: "HIPAA certification", providerTypes: ["asl_interpreter"], requiredDocumentTypeIds: [type.id]
                )
            ).qualification
            let provider = try await registry.upsertProvider(
                UpsertProviderRequest(
                    name: "Ana", providerType: "asl_interpreter", location: GeoPoint(lat: 41.88, lon: -87.63),
                    zones: ["IL"]
                )
            ).provider
            _ = try await registry.applyQualification(
                ApplyQualificationRequest(providerId: provider.id, qualificationId: qualification.id))
            _ = try await registry.addDocument(
                AddDocumentRequest(
                    providerId: provider.id, documentTypeId: type.id, issuedAt: now.addingTimeInterval(-86_400),
                    expiresAt: now.addingTimeInterval(3600)))
            let itself = RegistryClient(client, actor: Actor(role: .provider, partnerId: "agency-1", id: provider.id))
            var mine = try await itself.getProvider(GetProviderRequest(id: provider.id))
            #expect(mine.qualifications.map(\.inEffect) == [true])

            // Tenancy and roles hold across the wire.
            let otherTenant = RegistryClient(client, actor: Actor(role: .partner, partnerId: "agency-2"))
            let hidden = await #expect(throws: RPCError.self) {
                try await otherTenant.getProvider(GetProviderRequest(id: provider.id))
            }
            #expect(hidden?.code == .notFound)
            let denied = await #expect(throws: RPCError.self) {
                try await itself.createDocumentType(CreateDocumentTypeRequest(name: "X"))
            }
            #expect(denied?.code == .permissionDenied)

            // Restart: the expiry timer is in SQLite, so it fires after the restart.
            #expect(await system.terminate("registry") == 0)
            try system.start("registry", arguments: ["--manual-clock"])
            try await system.waitUntilServing("registry")
            _ = try await client.setClock("registry", to: now.addingTimeInterval(7200))
            let events = try await client.readEvents("registry", afterSeq: 0, actor: partner)
            #expect(events.events.map(\.type).filter { $0 == "document.expired" }.count == 1)
            mine = try await registry.getProvider(GetProviderRequest(id: provider.id))
            #expect(mine.qualifications.first?.inEffect == false)

            let described = try await client.describe("registry")
            #expect(described.methods.count == 27)
            let apply = described.methods.first { $0.name == "registry.ApplyQualification" }
            #expect(apply?.roles == ["partner", "service"])
        }
    }
}
