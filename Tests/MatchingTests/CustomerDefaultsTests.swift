import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// A customer default that does not fit a job, met by `opportunities.CreateRequest` and by
/// `matching.Rank`/`Check` with the very same JSON body through the bus: both skip it with the
/// same note, and Rank ranks the job exactly as it ranks the request CreateRequest made.
@Suite("Customer defaults: one rule in opportunities and matching", .serialized)
struct CustomerDefaultsTests {
    /// Why the default does not fit the Clinic-like job (asl, on site in zone IL).
    enum Unfit: String, Sendable, CaseIterable {
        case archived, outOfZone, wrongType, unknown
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var unfit: Unfit
        var list: SkippedDefault.List
        var testDescription: String { "\(unfit.rawValue) \(list.rawValue) default" }
    }

    static let rows: [Row] =
        Unfit.allCases.map { Row(unfit: $0, list: .required) } + Unfit.allCases.map { Row(unfit: $0, list: .preferred) }

    /// A body as a client outside the repository writes it: the same bytes for both services.
    struct JobCall: Encodable {
        var request: JSONValue
        var providerId: String?
        var minSeq: [String: Int64]
    }

    @Test(arguments: rows)
    func aDefaultThatDoesNotFitIsSkippedWithTheSameNoteByBothServices(_ row: Row) async throws {
        try await MatchingSystem.with { world in
            let ada = world.ada.id
            let ben = try #require(world.fixture.providers["Ben"]).id
            let (customer, note) = try await Self.customer(with: row, world)
            // Ada 20 km from the job (-4 for distance) and Ben at it: only the unfit default,
            // counted for Ada alone, would put her first.
            let registry = RegistryClient(world.registry, actor: world.partner, options: .patient())
            _ = try await registry.upsertProvider(
                UpsertProviderRequest(id: ada, location: GeoPoint(lat: 41.88 + 0.18, lon: -87.63)))

            let body = try Self.json(world.job(customer: customer))
            let created = try Self.decode(
                RequestReply.self,
                try await world.opportunities.callJSON(
                    method: Opportunities.createRequest.name, body: body, actor: world.partner, options: .patient()))
            let seqs = try await world.lastSeqs()
            let ranked = try await Self.call(world, "matching.Rank", JobCall(request: body, minSeq: seqs))
            let checked = try await Self.call(
                world, "matching.Check", JobCall(request: body, providerId: ada, minSeq: seqs))
            let ofCreated = try await Self.call(
                world, "matching.Rank", JobCall(request: try Self.json(Self.job(of: created.request)), minSeq: seqs))

            #expect(created.defaultsSkipped == [note])
            #expect(try Self.skipped(ranked) == [note], "Rank's note")
            #expect(try Self.skipped(checked) == [note], "Check's note")
            #expect(try Self.skipped(ofCreated) == nil, "the created request has nothing left to skip")
            let rank = try Self.decode(RankResponse.self, ranked)
            let rankOfCreated = try Self.decode(RankResponse.self, ofCreated)
            #expect(rank.ranked.map(\.providerId) == [ben, ada])
            #expect(rank.ranked == rankOfCreated.ranked, "Rank of the body and of the request it made differ")
            #expect(rank.counts == rankOfCreated.counts)
            let check = try Self.decode(CheckResponse.self, checked)
            #expect(check.passes && check.criteria == rank.ranked.last?.criteria)
        }
    }

    /// The wire format of the job did not change with its Swift type: Describe publishes Rank's
    /// and Check's `request` with exactly CreateRequest's schema, and their replies' note with
    /// CreateRequest's.
    @Test func rankAndCheckPublishTheJobAsCreateRequestsBodyAndTheSameNote() async throws {
        try await MatchingSystem.with { world in
            let matching = try await world.rpc.describe(Matching.service, options: .patient()).methods
            let opportunities = try await world.opportunities.describe(Opportunities.service, options: .patient())
                .methods
            let createRequest = try #require(opportunities.first { $0.name == Opportunities.createRequest.name })
            for name in [Matching.rank.name, Matching.check.name] {
                let method = try #require(matching.first { $0.name == name })
                // The same schema, whatever each method says the field means.
                #expect(
                    Self.property("request", of: method.request).map(Self.undescribed)
                        == Self.undescribed(
                            createRequest.request), "\(name)")
                let note = Self.property("defaultsSkipped", of: method.response).map(Self.undescribed)
                #expect(
                    note != nil
                        && note == Self.property("defaultsSkipped", of: createRequest.response).map(Self.undescribed),
                    "\(name)")
            }
        }
    }

    /// `schema` without its own top-level description.
    static func undescribed(_ schema: JSONValue) -> JSONValue {
        guard case .object(var members) = schema else { return schema }
        members["description"] = nil
        return .object(members)
    }

    @Test func aJobEncodesAsTheCreateRequestBodyItCameFrom() throws {
        let body = CreateRequestRequest(
            customerId: "cu-1", providerType: "asl", startsAt: MatchingSystem.start,
            endsAt: MatchingSystem.start.addingTimeInterval(3600), remote: false, location: MatchingSystem.chicago,
            zone: "IL", teamSize: 2, requiredQualificationIds: ["q-1"], preferredQualificationIds: ["q-2"],
            overrideDefaults: true, decision: DecisionPolicy(decider: .customer, mode: .hybrid))
        #expect(try Self.json(body.job) == Self.json(body))
        #expect(try Self.decode(JobDescription.self, Self.json(body)) == body.job)
        let rank = try Self.json(RankRequest(job: body.job, requestId: "rq-1"))
        #expect(rank == .object(["request": try Self.json(body), "requestId": .string("rq-1")]))
        let check = try Self.json(CheckRequest(job: body.job, providerId: "pr-1"))
        #expect(check == .object(["request": try Self.json(body), "providerId": .string("pr-1")]))
    }

    /// A property's schema in an object schema.
    static func property(_ name: String, of schema: JSONValue) -> JSONValue? {
        guard case .object(let fields) = schema, case .object(let properties)? = fields["properties"] else {
            return nil
        }
        return properties[name]
    }

    /// A customer whose only default (in the row's list) is one that does not fit the job, and
    /// the note both services must give for it.
    static func customer(with row: Row, _ world: MatchingSystem) async throws -> (Customer, SkippedDefault) {
        let registry = RegistryClient(world.registry, actor: world.partner, options: .patient())
        func qualification(_ request: CreateQualificationRequest) async throws -> Qualification {
            let created = try await registry.createQualification(request).qualification
            // Held by Ada where the registry allows it, so counting it would change her standing.
            if request.providerTypes == nil {
                _ = try await registry.applyQualification(
                    ApplyQualificationRequest(providerId: world.ada.id, qualificationId: created.id))
            }
            return created
        }
        func customer(defaults ids: [String]) async throws -> Customer {
            try await registry.upsertCustomer(
                UpsertCustomerRequest(
                    name: "Picky (\(row.testDescription))",
                    defaultRequiredQualificationIds: row.list == .required ? ids : [],
                    defaultPreferredQualificationIds: row.list == .preferred ? ids : [])
            ).customer
        }
        switch row.unfit {
        case .archived:
            let archived = try await qualification(CreateQualificationRequest(name: "Archived since"))
            let picky = try await customer(defaults: [archived.id])
            _ = try await registry.archiveQualification(ArchiveQualificationRequest(id: archived.id))
            return (
                picky,
                SkippedDefault(qualificationId: archived.id, name: archived.name, list: row.list, reason: "archived")
            )
        case .outOfZone:
            let elsewhere = try await qualification(CreateQualificationRequest(name: "New Mexico only", zones: ["NM"]))
            return (
                try await customer(defaults: [elsewhere.id]),
                SkippedDefault(
                    qualificationId: elsewhere.id, name: elsewhere.name, list: row.list,
                    reason: "not offered in zone IL")
            )
        case .wrongType:
            let captions = try await qualification(
                CreateQualificationRequest(name: "Captioners only", providerTypes: ["cart"]))
            return (
                try await customer(defaults: [captions.id]),
                SkippedDefault(
                    qualificationId: captions.id, name: captions.name, list: row.list,
                    reason: "not for provider type asl")
            )
        case .unknown:
            let picky = try await customer(defaults: [])
            try await RegistryBackdoor.addUnknownDefault(
                "q-vanished", to: row.list, of: picky, in: world.registryApplication)
            let read = try await registry.getCustomer(GetCustomerRequest(id: picky.id)).customer
            #expect(read.defaultRequiredQualificationIds + read.defaultPreferredQualificationIds == ["q-vanished"])
            return (
                picky,
                SkippedDefault(
                    qualificationId: "q-vanished", name: "q-vanished", list: row.list, reason: "is not known")
            )
        }
    }

    /// The job of a request as it was made, its defaults already merged: what broadcast ranks.
    static func job(of request: RequestRecord) -> CreateRequestRequest {
        CreateRequestRequest(
            customerId: request.customerId, providerType: request.providerType, startsAt: request.startsAt,
            endsAt: request.endsAt, remote: request.remote, location: request.location, zone: request.zone,
            teamSize: request.teamSize, requiredQualificationIds: request.requiredQualificationIds,
            preferredQualificationIds: request.preferredQualificationIds, overrideDefaults: true)
    }

    static func call(_ world: MatchingSystem, _ method: String, _ body: JobCall) async throws -> JSONValue {
        try await world.rpc.callJSON(method: method, body: try json(body), actor: world.partner, options: .patient())
    }

    static func json(_ value: some Encodable) throws -> JSONValue {
        try WireCoding.decode(JSONValue.self, from: try WireCoding.encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue) throws -> T {
        try WireCoding.decode(type, from: try WireCoding.encode(value))
    }

    /// The reply's `defaultsSkipped`, read by its published name (nil when absent).
    static func skipped(_ reply: JSONValue) throws -> [SkippedDefault]? {
        guard case .object(let fields) = reply else { throw RPCError(.internal, "not an object: \(reply)") }
        return try fields["defaultsSkipped"].map { try decode([SkippedDefault].self, $0) }
    }
}
