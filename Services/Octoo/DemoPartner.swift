import Contracts
import Foundation
import SyntheticData
import Transport
import Wire

/// The demo's agency, seeded through the registry's and opportunities' own methods: document
/// types, qualifications with and without documents, ~200 providers of three types around Chicago
/// (drawn from a fixed seed, so every run has the same people), one certificate that expires
/// three days in, customers with defaults, lists, decision policies and a cancellation policy.
struct DemoPartner {
    let partner: Actor
    /// By key: `hipaa`, `licence`, `medical`, `legal`, `spanish`, `tactile`, `children`.
    let qualifications: [String: Qualification]
    /// By key: `hospital`, `acme`, `school`, `court`.
    let customers: [String: Customer]
    /// Every provider's name by id.
    let names: [String: String]
    /// The provider whose certificate expires mid-demo, and that certificate.
    let expiring: (providerId: String, document: Document)
    /// Counts for the timeline.
    let summary: Summary

    /// What was seeded.
    struct Summary: Encodable {
        var documentTypes: Int
        var qualificationsWithDocuments: Int
        var qualificationsWithoutDocuments: Int
        var providers: Int
        var providersByType: [String: Int]
        var inactive: Int
        var documents: Int
        var badges: Int
        var availabilityWindows: Int
        var customers: Int
        var city: String
    }

    static let city = SyntheticCity.named("Chicago")!
    static let hospital = GeoPoint(lat: 41.8955, lon: -87.6206)
    static let school = GeoPoint(lat: 41.9214, lon: -87.6513)
    static let court = GeoPoint(lat: 41.8837, lon: -87.6325)
    static let types: [(code: String, share: Double)] = [("asl", 0.55), ("cart", 0.25), ("spoken", 0.20)]
    static let providerCount = 200
    static let day: TimeInterval = 86_400

    static let firstNames = [
        "Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Imani", "Jonas", "Keisha", "Luis", "Maya",
        "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
    ]
    static let lastNames = [
        "Ortiz", "Novak", "Kim", "Patel", "Johnson", "Haddad", "Okafor", "Tanaka", "Rossi", "Schmidt", "Nguyen",
        "Garcia", "Cohen", "Walsh", "Ivanova", "Mensah", "Lindqvist", "Moreau", "Brooks", "Yilmaz",
    ]

    /// One provider as drawn, before it is written.
    private struct Draft {
        var id: String
        var name: String
        var profile: SyntheticProvider
        var documents: [(type: String, expiresAt: Date)] = []
        var badges: [String] = []
        var badgeWithoutDocument = false
        var availability: [AvailabilityWindow] = []
    }

    /// Seeds partner `partnerId` as of `now` (the services' clock), each provider's calls in sequence
    /// and eight providers at a time.
    static func seed(_ clients: BusClients, partnerId: String, now: Date) async throws -> DemoPartner {
        let partner = Actor(role: .partner, partnerId: partnerId, id: "dispatcher")
        let registry = RegistryClient(try clients.client(Registry.service), actor: partner)
        _ = try await registry.setVocabulary(
            SetVocabularyRequest(
                zones: [VocabularyTerm(code: "IL", name: "Illinois"), VocabularyTerm(code: "WI", name: "Wisconsin")]
                    + SyntheticCity.all.map(\.zone).filter { $0 != "IL" && $0 != "WI" }.uniqued().map {
                        VocabularyTerm(code: $0)
                    },
                providerTypes: [
                    VocabularyTerm(code: "asl", name: "ASL interpreter"),
                    VocabularyTerm(code: "cart", name: "CART captioner"),
                    VocabularyTerm(code: "spoken", name: "Spoken-language interpreter"),
                ]))
        var documentTypesByKey: [String: DocumentType] = [:]
        for (key, name) in [
            ("hipaa", "HIPAA training certificate"), ("licence", "Illinois interpreter licence"),
            ("background", "Background check"),
        ] {
            documentTypesByKey[key] = try await registry.createDocumentType(CreateDocumentTypeRequest(name: name))
                .documentType
        }
        let documentTypes = documentTypesByKey
        var qualificationsByKey: [String: Qualification] = [:]
        for (key, request) in [
            (
                "hipaa",
                CreateQualificationRequest(name: "HIPAA trained", requiredDocumentTypeIds: [documentTypes["hipaa"]!.id])
            ),
            (
                "licence",
                CreateQualificationRequest(
                    name: "Licensed in Illinois", providerTypes: ["asl"], zones: ["IL"],
                    requiredDocumentTypeIds: [documentTypes["licence"]!.id])
            ),
            (
                "legal",
                CreateQualificationRequest(
                    name: "Legal interpreting", requiredDocumentTypeIds: [documentTypes["background"]!.id])
            ),
            ("medical", CreateQualificationRequest(name: "Medical terminology")),
            ("spanish", CreateQualificationRequest(name: "Spanish–English", providerTypes: ["spoken"])),
            ("tactile", CreateQualificationRequest(name: "Deaf-blind (tactile)", providerTypes: ["asl"])),
            ("children", CreateQualificationRequest(name: "Good with children")),
        ] {
            qualificationsByKey[key] = try await registry.createQualification(request).qualification
        }
        let qualifications = qualificationsByKey

        let drafts = draw(now: now)
        let results = try await withThrowingTaskGroup(of: (Int, [Document]).self) { group in
            var written: [Int: [Document]] = [:]
            for index in drafts.indices {
                if index >= 8, let result = try await group.next() { written[result.0] = result.1 }
                let draft = drafts[index]
                group.addTask {
                    (index, try await write(draft, registry, documentTypes, qualifications, now: now))
                }
            }
            for try await (done, documents) in group { written[done] = documents }
            return written
        }
        let expiring = results[0]!.first { $0.documentTypeId == documentTypes["hipaa"]!.id }!
        let names = Dictionary(uniqueKeysWithValues: drafts.map { ($0.id, $0.name) })

        // The hospital's lists name asl providers close to it who would otherwise rank near the top.
        let nearby = drafts.dropFirst().filter {
            $0.profile.providerType == "asl" && $0.profile.active && $0.badges.contains("hipaa")
                && !$0.badgeWithoutDocument && $0.availability.isEmpty
                && abs($0.profile.location.lat - hospital.lat) < 0.1
                && abs($0.profile.location.lon - hospital.lon) < 0.13
        }.map(\.id)
        let customers = try await seedCustomers(
            registry, qualifications, ana: drafts[0].id, nearby: Array(nearby.prefix(3)))
        let opportunities = OpportunitiesClient(try clients.client(Opportunities.service), actor: partner)
        _ = try await opportunities.setCancellationPolicy(
            SetCancellationPolicyRequest(
                scope: .customer, subjectId: customers["hospital"]!.id,
                bands: [
                    CancellationBand(hoursBeforeStart: 72, billablePercent: 50),
                    CancellationBand(hoursBeforeStart: 24, billablePercent: 100),
                ]))
        let byType = Dictionary(grouping: drafts, by: \.profile.providerType).mapValues(\.count)
        let summary = Summary(
            documentTypes: documentTypes.count,
            qualificationsWithDocuments: qualifications.values.filter { !$0.requiredDocumentTypeIds.isEmpty }.count,
            qualificationsWithoutDocuments: qualifications.values.filter { $0.requiredDocumentTypeIds.isEmpty }.count,
            providers: drafts.count, providersByType: byType, inactive: drafts.filter { !$0.profile.active }.count,
            documents: results.values.map(\.count).reduce(0, +), badges: drafts.map(\.badges.count).reduce(0, +),
            availabilityWindows: drafts.map(\.availability.count).reduce(0, +), customers: customers.count,
            city: city.name)
        return DemoPartner(
            partner: partner, qualifications: qualifications, customers: customers, names: names,
            expiring: (drafts[0].id, expiring), summary: summary)
    }

    /// The providers, from a fixed seed: Ana Ortiz first (an asl interpreter near the hospital whose
    /// HIPAA certificate expires three days in), then everyone else around the city.
    private static func draw(now: Date) -> [Draft] {
        var random = SplitMix64(seed: 2026)
        var drafts: [Draft] = []
        for index in 0..<providerCount {
            let id = String(format: "pr-%03d", index + 1)
            let name =
                "\(firstNames[index % firstNames.count]) \(lastNames[(index / firstNames.count + index) % lastNames.count])"
            var profile = SyntheticProvider.draw(around: city, types: types, using: &random)
            if index == 0 {
                profile = SyntheticProvider(
                    providerType: "asl", location: GeoPoint(lat: 41.90, lon: -87.63), travelRadiusKm: 40, zones: ["IL"],
                    hasPhone: true, active: true)
            }
            var draft = Draft(id: id, name: name, profile: profile)
            func roll(_ chance: Double) -> Bool { Double.random(in: 0..<1, using: &random) < chance }
            func lasting() -> Date { now.addingTimeInterval(Double(Int.random(in: 200...700, using: &random)) * day) }
            if index == 0 || roll(0.55) {
                draft.documents.append(("hipaa", index == 0 ? now.addingTimeInterval(3 * day) : lasting()))
                draft.badges.append("hipaa")
            } else if roll(0.1) {
                // Badged, but the certificate was never filed: the badge is not in effect.
                draft.badges.append("hipaa")
                draft.badgeWithoutDocument = true
            }
            if profile.providerType == "asl" && (index == 0 || roll(0.7)) {
                draft.documents.append(("licence", lasting()))
                draft.badges.append("licence")
            }
            if roll(0.25) {
                draft.documents.append(("background", lasting()))
                draft.badges.append("legal")
            }
            if index == 0 || roll(0.4) { draft.badges.append("medical") }
            if profile.providerType == "spoken" && roll(0.6) { draft.badges.append("spanish") }
            if profile.providerType == "asl" && roll(0.1) { draft.badges.append("tactile") }
            if roll(0.3) { draft.badges.append("children") }
            if index > 0 && roll(0.12) {
                // Away for a week that covers the hospital's job, or remote-only over it.
                let from = now.addingTimeInterval(4 * day)
                draft.availability = [
                    AvailabilityWindow(
                        from: from, to: from.addingTimeInterval(7 * day), status: roll(0.7) ? .unavailable : .remoteOnly
                    )
                ]
            }
            drafts.append(draft)
        }
        return drafts
    }

    /// Writes one provider: the record, its documents, its badges, its availability.
    private static func write(
        _ draft: Draft, _ registry: RegistryClient, _ documentTypes: [String: DocumentType],
        _ qualifications: [String: Qualification], now: Date
    ) async throws -> [Document] {
        let profile = draft.profile
        let email = draft.name.lowercased().replacingOccurrences(of: " ", with: ".") + "@example.org"
        _ = try await registry.upsertProvider(
            UpsertProviderRequest(
                id: draft.id, name: draft.name, providerType: profile.providerType, email: email,
                phone: profile.hasPhone ? "+1312555\(draft.id.suffix(3))0" : nil, location: profile.location,
                travelRadiusKm: profile.travelRadiusKm, zones: profile.zones, active: profile.active))
        var documents: [Document] = []
        for (type, expiresAt) in draft.documents {
            documents.append(
                try await registry.addDocument(
                    AddDocumentRequest(
                        providerId: draft.id, documentTypeId: documentTypes[type]!.id,
                        issuedAt: now.addingTimeInterval(-300 * day), expiresAt: expiresAt)
                ).document)
        }
        for badge in draft.badges {
            _ = try await registry.applyQualification(
                ApplyQualificationRequest(providerId: draft.id, qualificationId: qualifications[badge]!.id))
        }
        if !draft.availability.isEmpty {
            _ = try await registry.setAvailability(
                SetAvailabilityRequest(providerId: draft.id, windows: draft.availability))
        }
        return documents
    }

    /// The four customers, with their defaults, lists and decision policies.
    private static func seedCustomers(
        _ registry: RegistryClient, _ qualifications: [String: Qualification], ana: String, nearby: [String]
    ) async throws -> [String: Customer] {
        var lists: [CustomerListEntry] = [CustomerListEntry(providerId: ana, kind: .preferred)]
        for (providerId, kind) in zip(nearby, [CustomerListEntry.Kind.preferred, .lastResort, .doNotConsider]) {
            lists.append(CustomerListEntry(providerId: providerId, kind: kind))
        }
        var customers: [String: Customer] = [:]
        for (key, request) in [
            (
                "hospital",
                UpsertCustomerRequest(
                    id: "cu-hospital", name: "Northwestern Memorial Hospital",
                    defaultRequiredQualificationIds: [qualifications["hipaa"]!.id],
                    defaultPreferredQualificationIds: [qualifications["medical"]!.id], lists: lists,
                    defaultDecision: DecisionPolicy(decider: .partner, mode: .manual))
            ),
            ("acme", UpsertCustomerRequest(id: "cu-acme", name: "Acme Corp (all-hands meetings)")),
            (
                "school",
                UpsertCustomerRequest(
                    id: "cu-school", name: "Lincoln Park Elementary",
                    defaultPreferredQualificationIds: [qualifications["children"]!.id],
                    defaultDecision: DecisionPolicy(decider: .partner, mode: .automatic))
            ),
            (
                "court",
                UpsertCustomerRequest(
                    id: "cu-court", name: "Cook County Circuit Court",
                    defaultRequiredQualificationIds: [qualifications["legal"]!.id],
                    defaultDecision: DecisionPolicy(decider: .customer, mode: .manual))
            ),
        ] {
            customers[key] = try await registry.upsertCustomer(request).customer
        }
        return customers
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
