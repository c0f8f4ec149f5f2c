import Contracts
import Foundation
import OctooTesting
import RegistryService
import Testing
import Transport

@Suite("The shared partner fixture, in a scoped system")
struct PartnerFixtureTests {
    @Test func theFixtureIsBuiltThroughTheRegistryAndTheSystemIsTornDown() async throws {
        let directory = try await withInProcessSystem([RegistryService.definition]) { system in
            let client = try system.client("registry")
            defer { client.close() }
            let fixture = try await PartnerFixture.build(client)
            let registry = RegistryClient(client, actor: fixture.partner)
            let ada = try await registry.getProvider(GetProviderRequest(id: fixture.providers["Ada"]!.id))
            #expect(ada.qualifications.filter(\.inEffect).count == 3)
            let providers = try await registry.listProviders(ListProvidersRequest())
            #expect(providers.providers.count == 4)
            return system.dataDirectory
        }
        #expect(!FileManager.default.fileExists(atPath: directory), "teardown removes the data folder before returning")
    }
}
