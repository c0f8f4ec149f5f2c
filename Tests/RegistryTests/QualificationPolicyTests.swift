import Contracts
import Domain
import Foundation
import Testing

@testable import RegistryService

@Suite("What the registry lets a qualification be used for (the in-effect rule itself: DomainTests)")
struct QualificationPolicyTests {
    static let jobStart = Date(timeIntervalSince1970: 1_800_000_000)

    static func qualification(
        types: [String] = [], zones: [String] = [], documents: [String] = [], archived: Bool = false
    ) -> Qualification {
        Qualification(
            partnerId: "p", id: "q", name: "HIPAA", description: "", providerTypes: types, zones: zones,
            requiredDocumentTypeIds: documents, archived: archived, version: 1, createdAt: jobStart,
            updatedAt: jobStart)
    }

    static let provider = Provider(
        partnerId: "p", id: "pr", name: "Ana", providerType: "asl", email: nil, phone: nil, location: nil,
        travelRadiusKm: nil, zones: [], active: true, version: 1, createdAt: jobStart, updatedAt: jobStart)

    @Test func anArchivedQualificationIsFrozenAndNeverNewlyUsed() throws {
        let archived = Self.qualification(archived: true)
        #expect(throws: RegistryError.archived(qualification: "HIPAA")) {
            try QualificationPolicy.requireChangeable(archived)
        }
        #expect(throws: RegistryError.archived(qualification: "HIPAA")) {
            try QualificationPolicy.requireApplicable(archived, to: Self.provider)
        }
        let field = "body.defaultRequiredQualificationIds[0]"
        #expect(throws: RegistryError.archived(qualification: "HIPAA", field: field)) {
            try QualificationPolicy.requireUsableAsDefault(archived, alreadyDefault: false, field: field)
        }
        // A default it already was may stay.
        try QualificationPolicy.requireUsableAsDefault(archived, alreadyDefault: true, field: field)
        try QualificationPolicy.requireChangeable(Self.qualification())
    }

    @Test func aQualificationAppliesOnlyToTheProviderTypesItNames() throws {
        #expect(
            throws: RegistryError.providerTypeExcluded(
                qualification: "HIPAA", providerTypes: ["cart", "spoken"], providerType: "asl")
        ) {
            try QualificationPolicy.requireApplicable(Self.qualification(types: ["cart", "spoken"]), to: Self.provider)
        }
        try QualificationPolicy.requireApplicable(Self.qualification(types: ["asl"]), to: Self.provider)
        try QualificationPolicy.requireApplicable(Self.qualification(), to: Self.provider)
    }
}
