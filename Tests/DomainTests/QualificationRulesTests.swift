import Contracts
import Domain
import Foundation
import Testing

/// The shared in-effect rule (docs/design.md, "The in-effect rule") as a table: the one rule the
/// registry and matching both judge with.
@Suite("The shared in-effect rule")
struct SharedQualificationRulesTests {
    static let day: TimeInterval = 86_400
    static let jobStart = Date(timeIntervalSince1970: 1_800_000_000)
    static let jobEnd = jobStart.addingTimeInterval(8 * 3600)

    static func qualification(
        types: [String] = [], zones: [String] = [], documents: [String] = [], archived: Bool = false
    ) -> Qualification {
        Qualification(
            partnerId: "p", id: "q", name: "HIPAA", description: "", providerTypes: types, zones: zones,
            requiredDocumentTypeIds: documents, archived: archived, version: 1, createdAt: jobStart, updatedAt: jobStart
        )
    }

    static let provider = Provider(
        partnerId: "p", id: "pr", name: "Ana", providerType: "asl", email: nil, phone: nil, location: nil,
        travelRadiusKm: nil, zones: [], active: true, version: 1, createdAt: jobStart, updatedAt: jobStart)

    static func document(
        type: String = "cert", issued: TimeInterval = -30 * day, expires: TimeInterval? = 30 * day,
        revoked: Bool = false
    ) -> Document {
        Document(
            partnerId: "p", id: "d-\(type)-\(issued)-\(expires ?? 0)", providerId: "pr", documentTypeId: type,
            issuedAt: jobStart.addingTimeInterval(issued), expiresAt: expires.map { jobStart.addingTimeInterval($0) },
            revokedAt: revoked ? jobStart : nil)
    }

    /// One row: the qualification, whether applied, the documents, the zone, and the expected
    /// verdict with a fragment every reason list must contain.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var qualification: Qualification
        var applied = true
        var documents: [Document] = []
        var zone: String? = nil
        var inEffect: Bool
        var reasonFragments: [String] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "plain and applied", qualification: qualification(), inEffect: true),
        Case(
            name: "not applied", qualification: qualification(), applied: false, inEffect: false,
            reasonFragments: ["not applied"]),
        // Archiving means "no new use": requests that already require it can still be filled.
        Case(name: "archived", qualification: qualification(archived: true), inEffect: true),
        Case(name: "provider type in scope", qualification: qualification(types: ["asl", "cart"]), inEffect: true),
        Case(
            name: "provider type out of scope", qualification: qualification(types: ["cart"]), inEffect: false,
            reasonFragments: ["provider type asl"]),
        Case(name: "zone in scope", qualification: qualification(zones: ["IL"]), zone: "IL", inEffect: true),
        Case(
            name: "zone out of scope", qualification: qualification(zones: ["IL"]), zone: "NM-ABQ", inEffect: false,
            reasonFragments: ["zone NM-ABQ"]),
        Case(name: "no zone given ignores zone scope", qualification: qualification(zones: ["IL"]), inEffect: true),
        Case(
            name: "required document held", qualification: qualification(documents: ["cert"]),
            documents: [document()], inEffect: true),
        Case(
            name: "required document missing", qualification: qualification(documents: ["cert"]), inEffect: false,
            reasonFragments: ["no document of type cert"]),
        Case(
            name: "document of another type", qualification: qualification(documents: ["cert"]),
            documents: [document(type: "other")], inEffect: false, reasonFragments: ["no document of type cert"]),
        Case(
            name: "expires inside the window", qualification: qualification(documents: ["cert"]),
            documents: [document(expires: 4 * 3600)], inEffect: false, reasonFragments: ["before the job ends"]),
        Case(
            name: "expires exactly at the end", qualification: qualification(documents: ["cert"]),
            documents: [document(expires: 8 * 3600)], inEffect: true),
        Case(
            name: "expired before the window", qualification: qualification(documents: ["cert"]),
            documents: [document(expires: -day)], inEffect: false, reasonFragments: ["before the job starts"]),
        Case(
            name: "issued after the job starts", qualification: qualification(documents: ["cert"]),
            documents: [document(issued: 3600)], inEffect: false, reasonFragments: ["after the job starts"]),
        Case(
            name: "no expiry", qualification: qualification(documents: ["cert"]), documents: [document(expires: nil)],
            inEffect: true),
        Case(
            name: "revoked", qualification: qualification(documents: ["cert"]), documents: [document(revoked: true)],
            inEffect: false, reasonFragments: ["revoked"]),
        Case(
            name: "a newer document covers an expiring one", qualification: qualification(documents: ["cert"]),
            documents: [document(expires: 3600), document(issued: -day, expires: 365 * day)], inEffect: true),
        Case(
            name: "renewed in the middle of the job", qualification: qualification(documents: ["cert"]),
            documents: [document(expires: 4 * 3600), document(issued: 4 * 3600, expires: 365 * day)], inEffect: true),
        Case(
            name: "renewed twice during the job", qualification: qualification(documents: ["cert"]),
            documents: [
                document(expires: 2 * 3600), document(issued: 2 * 3600, expires: 5 * 3600),
                document(issued: 4 * 3600, expires: nil),
            ], inEffect: true),
        Case(
            name: "a renewal after a gap", qualification: qualification(documents: ["cert"]),
            documents: [document(expires: 4 * 3600), document(issued: 5 * 3600, expires: 365 * day)],
            inEffect: false, reasonFragments: ["expires 2027-01-15T12:00:00Z, before the job ends"]),
        Case(
            name: "renewals that end before the job", qualification: qualification(documents: ["cert"]),
            documents: [document(expires: 2 * 3600), document(issued: 2 * 3600, expires: 4 * 3600)],
            inEffect: false, reasonFragments: ["cover the job only until 2027-01-15T12:00:00Z"]),
        Case(
            name: "a revoked renewal does not count", qualification: qualification(documents: ["cert"]),
            documents: [document(expires: 4 * 3600), document(issued: 4 * 3600, expires: nil, revoked: true)],
            inEffect: false, reasonFragments: ["before the job ends"]),
        Case(
            name: "two required types, one missing", qualification: qualification(documents: ["cert", "clearance"]),
            documents: [document()], inEffect: false, reasonFragments: ["no document of type clearance"]),
        Case(
            name: "every failing condition is reported",
            qualification: qualification(types: ["cart"], zones: ["IL"], documents: ["cert"], archived: true),
            applied: false, zone: "NM", inEffect: false,
            reasonFragments: ["not applied", "provider type", "zone NM", "no document"]),
    ]

    @Test(arguments: cases)
    func judges(_ row: Case) {
        let status = QualificationRules.evaluate(
            row.qualification, provider: Self.provider, applied: row.applied, documents: row.documents,
            documentTypeNames: [:], from: Self.jobStart, to: Self.jobEnd, zone: row.zone)
        #expect(status.inEffect == row.inEffect)
        #expect(status.reasons.isEmpty == row.inEffect)
        for fragment in row.reasonFragments {
            #expect(status.reasons.contains { $0.contains(fragment) }, "\(status.reasons) lacks \(fragment)")
        }
        #expect(status.reasons.count >= row.reasonFragments.count)
        let quick = QualificationRules.isInEffect(
            QualificationRules.Scope(row.qualification), applied: row.applied, providerType: Self.provider.providerType,
            documents: row.documents.map(QualificationRules.HeldDocument.init), from: Self.jobStart, to: Self.jobEnd,
            zone: row.zone)
        #expect(quick == status.inEffect, "isInEffect agrees with the reasons")
    }

    @Test func reasonsNameTheDocumentTypeAndDate() {
        let status = QualificationRules.evaluate(
            Self.qualification(documents: ["cert"]), provider: Self.provider, applied: true,
            documents: [Self.document(expires: 3600)], documentTypeNames: ["cert": "Hippa-cert"],
            from: Self.jobStart, to: Self.jobEnd, zone: nil)
        #expect(status.reasons == ["document Hippa-cert expires 2027-01-15T09:00:00Z, before the job ends"])
    }

    @Test func aPointInTimeNeedsTheDocumentUnexpiredAfterIt() {
        let document = Self.document(expires: 0)
        let held = QualificationRules.HeldDocument(document)
        #expect(!QualificationRules.covers(held, from: Self.jobStart, to: Self.jobStart))
        let before = Self.jobStart.addingTimeInterval(-1)
        #expect(QualificationRules.covers(held, from: before, to: before))
    }
}

extension SharedQualificationRulesTests {
    @Test func theScopeFormGivesTheSameReasonsAsTheRecordForm() {
        let qualification = Self.qualification(types: ["cart"], zones: ["IL"], documents: ["cert"])
        let documents = [Self.document(expires: 3600)]
        let status = QualificationRules.evaluate(
            qualification, provider: Self.provider, applied: true, documents: documents,
            documentTypeNames: ["cert": "Cert"], from: Self.jobStart, to: Self.jobEnd, zone: "NM")
        let reasons = QualificationRules.reasons(
            QualificationRules.Scope(qualification), applied: true, providerType: "asl",
            documents: documents.map(QualificationRules.HeldDocument.init),
            documentTypeName: { $0 == "cert" ? "Cert" : nil },
            from: Self.jobStart, to: Self.jobEnd, zone: "NM")
        #expect(status.reasons == reasons)
        #expect(reasons.count == 3)
    }
}
