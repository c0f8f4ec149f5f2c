import Contracts
import Foundation
import Transport
import Wire

/// A partner as most tests need one, built through the registry's own methods: document types,
/// qualifications (with and without documents, scoped and not), providers of several types with
/// documents and badges, and customers with defaults and lists. Every test target builds it the
/// same way.
public struct PartnerFixture: Sendable {
    public let partner: Actor
    /// By name: `cert` (a document type).
    public let documentTypes: [String: DocumentType]
    /// By name: `ASL certified` (needs `cert`), `Medical` (asl and cart only), `Good with octopuses`.
    public let qualifications: [String: Qualification]
    /// By name: `Ada` (asl, certified, badges), `Ben` (asl), `Cy` (cart), `Di` (spoken, inactive).
    public let providers: [String: Provider]
    /// By name: `Clinic` (requires ASL certified, prefers Ada, never Ben), `School` (no defaults).
    public let customers: [String: Customer]

    /// Builds the partner `partnerId` through `registry`, with documents issued at `now` and
    /// valid for a year.
    public static func build(
        _ rpc: RPCClient, partnerId: String = "p-fixture", now: Date = Date()
    ) async throws -> PartnerFixture {
        let partner = Actor(role: .partner, partnerId: partnerId, id: "fixture-admin")
        let registry = RegistryClient(rpc, actor: partner)
        let cert = try await registry.createDocumentType(CreateDocumentTypeRequest(name: "cert")).documentType
        var qualifications: [String: Qualification] = [:]
        for request in [
            CreateQualificationRequest(
                name: "ASL certified", providerTypes: ["asl"], requiredDocumentTypeIds: [cert.id]),
            CreateQualificationRequest(name: "Medical", providerTypes: ["asl", "cart"]),
            CreateQualificationRequest(name: "Good with octopuses"),
        ] {
            qualifications[request.name] = try await registry.createQualification(request).qualification
        }
        var providers: [String: Provider] = [:]
        for (name, type, active) in [
            ("Ada", "asl", true), ("Ben", "asl", true), ("Cy", "cart", true), ("Di", "spoken", false),
        ] {
            providers[name] = try await registry.upsertProvider(
                UpsertProviderRequest(
                    name: name, providerType: type, email: "\(name.lowercased())@example.org",
                    location: GeoPoint(lat: 41.88, lon: -87.63), travelRadiusKm: 40, zones: ["IL"], active: active)
            ).provider
        }
        let ada = providers["Ada"]!
        _ = try await registry.addDocument(
            AddDocumentRequest(
                providerId: ada.id, documentTypeId: cert.id, issuedAt: now,
                expiresAt: now.addingTimeInterval(365 * 86_400)))
        for qualification in ["ASL certified", "Medical", "Good with octopuses"] {
            _ = try await registry.applyQualification(
                ApplyQualificationRequest(
                    providerId: ada.id, qualificationId: qualifications[qualification]!.id))
        }
        _ = try await registry.applyQualification(
            ApplyQualificationRequest(
                providerId: providers["Cy"]!.id, qualificationId: qualifications["Medical"]!.id))
        let clinic = try await registry.upsertCustomer(
            UpsertCustomerRequest(
                name: "Clinic", defaultRequiredQualificationIds: [qualifications["ASL certified"]!.id],
                lists: [
                    CustomerListEntry(providerId: ada.id, kind: .preferred),
                    CustomerListEntry(providerId: providers["Ben"]!.id, kind: .doNotConsider),
                ])
        ).customer
        let school = try await registry.upsertCustomer(UpsertCustomerRequest(name: "School")).customer
        return PartnerFixture(
            partner: partner, documentTypes: ["cert": cert], qualifications: qualifications, providers: providers,
            customers: ["Clinic": clinic, "School": school])
    }
}
