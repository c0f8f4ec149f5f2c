import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// Every method of every service, as read from each service's `Describe`, against
/// `TenancyMatrix`: its roles are the matrix's, every other role is `PERMISSION_DENIED`, and
/// another partner sending partner A's ids gets `NOT_FOUND` or the row's exact status with
/// nothing of A's, and changes nothing of A's: no event of A's, and everything A reads back of
/// its own (`TenantSnapshot`) the same as before.
@Suite("The tenancy and role matrix over the real executables", .serialized)
struct TenancyMatrixTests {
    static let services = ["registry", "matching", "broadcast", "opportunities"]
    static let options = CallOptions.patient(retry: .none)

    @Test func everyMethodKeepsTenantsApartAndRefusesOtherRoles() async throws {
        try await withExecutableSystem(Self.services) { system in
            let ids = try await Self.partnerA(system)
            let fixtureB = try await PartnerFixture.build(try system.client("registry"), partnerId: "p-b")
            var b = ids
            b.partnerId = "p-b"
            b.ada = fixtureB.providers["Ada"]!.id
            b.school = fixtureB.customers["School"]!.id
            var clients: [String: RPCClient] = [:]
            for service in Self.services { clients[service] = try system.client(service) }
            let baseline = try await Self.quiescentSeqs(clients, ids)
            let before = try await TenantSnapshot.take(ids, clients)

            var described: Set<String> = []
            var checked = 0
            for service in Self.services {
                let methods = try await clients[service]!.describe(service).methods
                for method in methods {
                    described.insert(method.name)
                    guard let row = TenancyMatrix.rows[method.name] else {
                        Issue.record("\(method.name) has no row in TenancyMatrix: add its roles and tenancy")
                        continue
                    }
                    #expect(Set(method.roles) == row.roles, "\(method.name): Describe's roles are not the matrix's")
                    checked += try await Self.checkTenancy(method.name, row, ids, b, clients[service]!)
                    checked += try await Self.checkRoles(method.name, row, ids, clients[service]!)
                }
            }
            for stale in Set(TenancyMatrix.rows.keys).subtracting(described).sorted() {
                Issue.record("TenancyMatrix has a row for \(stale), which no service describes")
            }
            print("tenancy matrix: \(described.count) methods, \(checked) calls")

            // Nothing of partner A changed: everything A reads back is as it was, and no event of
            // A's came after the baseline, in any service.
            let after = try await TenantSnapshot.take(ids, clients)
            let changed = after.differences(from: before)
            #expect(changed.isEmpty, "partner A's records changed:\n\(changed.joined(separator: "\n"))")
            #expect(before.replies.count >= 30, "A's snapshot read \(before.replies.count) records")
            for service in Self.services {
                let events = try await clients[service]!.readEvents(
                    service, afterSeq: baseline[service]!, limit: 1000, options: Self.options
                ).events
                let ofA = events.filter { $0.partnerId == ids.partnerId }
                #expect(ofA.isEmpty, "\(service) recorded \(ofA.map(\.type)) for partner A")
            }
        }
    }

    /// Another partner, with A's ids: `NOT_FOUND` (naming one of the row's fields), or the row's
    /// exact status (a reply with none of A's ids), the same a never-seen id gets when the row
    /// says so. It acts as partner B (which has its own
    /// fixture) in the first role the method allows; a call that makes a record of its own out
    /// of A's ids acts as partner C, so that nothing B lists or reads later holds them.
    /// Returns the number of calls made.
    static func checkTenancy(
        _ method: String, _ row: TenancyMatrix.Row, _ ids: TenantIds, _ b: TenantIds, _ client: RPCClient
    ) async throws -> Int {
        // A method for the service role alone is called by it, naming B's tenant.
        let role =
            ["partner", "provider", "customer"].first { row.roles.isEmpty || row.roles.contains($0) } ?? "service"
        let actor: Actor
        switch (row.expectation, role) {
        case (.likeAnUnknownId, _): actor = Actor(role: .partner, partnerId: "p-c", id: "c-admin")
        case (_, "provider"): actor = Actor(role: .provider, partnerId: b.partnerId, id: b.ada)
        case (_, "customer"): actor = Actor(role: .customer, partnerId: b.partnerId, id: b.school)
        case (_, "service"): actor = Actor(role: .service, partnerId: b.partnerId, id: "b-service")
        default: actor = Actor(role: .partner, partnerId: b.partnerId, id: "b-admin")
        }
        let text = row.body(ids)
        let outcome = await call(method, text, actor, client)
        switch (row.expectation, outcome) {
        case (.notFound, .success(let reply)):
            Issue.record("\(method): another partner with partner A's ids was answered OK: \(reply)")
        case (.notFound(let fields), .failure(let error)):
            #expect(error.code == .notFound, "\(method): another partner with A's ids: \(error)")
            if !fields.isEmpty {
                #expect(
                    error.details.contains { fields.contains($0.field) },
                    "\(method): NOT_FOUND should name one of \(fields)")
            }
        case (.noneOfA(let expected), _), (.likeAnUnknownId(let expected), _):
            // An INTERNAL, a crash or a refusal of another kind is no proof that tenancy held.
            #expect(code(outcome) == expected.name, "\(method): another partner with A's ids: \(outcome)")
            if case .success(let reply) = outcome {
                let shown = String(decoding: try JSONEncoder().encode(reply), as: UTF8.self)
                let leaked = ids.all.filter { shown.contains($0) && !text.contains($0) }
                #expect(leaked.isEmpty, "\(method): another partner's reply shows partner A's \(leaked)")
            }
        }
        guard case .likeAnUnknownId = row.expectation else { return 1 }
        // The same call with ids nobody has: the same answer.
        var unknown = text
        for (index, id) in ids.all.enumerated() {
            unknown = unknown.replacingOccurrences(of: id, with: "UNKNOWN_\(index)")
        }
        let other = await call(method, unknown, Actor(role: .partner, partnerId: "p-d", id: "d-admin"), client)
        #expect(code(outcome) == code(other), "\(method): A's ids answer \(code(outcome)), unknown ids \(code(other))")
        return 2
    }

    static func call(_ method: String, _ body: String, _ actor: Actor, _ client: RPCClient) async -> Result<
        JSONValue, RPCError
    > {
        do {
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))
            return .success(try await client.callJSON(method: method, body: json, actor: actor, options: options))
        } catch let error as RPCError {
            return .failure(error)
        } catch {
            return .failure(RPCError(.internal, "the matrix's body for \(method) is not JSON: \(error)"))
        }
    }

    static func code(_ outcome: Result<JSONValue, RPCError>) -> String {
        switch outcome {
        case .success: "OK"
        case .failure(let error): error.code.name
        }
    }

    /// Every role the row does not allow, acting in A's own tenant: `PERMISSION_DENIED`.
    static func checkRoles(_ method: String, _ row: TenancyMatrix.Row, _ ids: TenantIds, _ client: RPCClient)
        async throws -> Int
    {
        guard !row.roles.isEmpty else { return 0 }
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(row.body(ids).utf8))
        var calls = 0
        for role in Actor.Role.allCases where !row.roles.contains(role.rawValue) {
            let who = role == .customer ? ids.school : role == .provider ? ids.ada : "a-admin"
            let actor = Actor(role: role, partnerId: ids.partnerId, id: who)
            calls += 1
            do {
                _ = try await client.callJSON(method: method, body: body, actor: actor, options: options)
                Issue.record("\(method) allowed role \(role.rawValue)")
            } catch {
                #expect(error.code == .permissionDenied, "\(method) as \(role.rawValue): \(error)")
            }
        }
        return calls
    }

    /// Partner A: the fixture, a request in five days whose broadcast sent its first wave (two
    /// attempts, two offers), a custom disposition, a block and a cancellation policy.
    static func partnerA(_ system: ExecutableSystem) async throws -> TenantIds {
        let fixture = try await PartnerFixture.build(try system.client("registry"), partnerId: "p-a")
        let partner = fixture.partner
        let registry = RegistryClient(try system.client("registry"), actor: partner)
        let broadcast = BroadcastClient(try system.client("broadcast"), actor: partner, options: options)
        let opportunities = OpportunitiesClient(try system.client("opportunities"), actor: partner)
        let ada = fixture.providers["Ada"]!.id
        let ben = fixture.providers["Ben"]!.id
        let school = fixture.customers["School"]!.id
        let document = try #require(try await registry.getProvider(GetProviderRequest(id: ada)).documents.first).id
        _ = try await broadcast.setPolicy(
            SetPolicyRequest(
                bands: [PolicyBand(minLeadHours: 0, waveSize: 0, intervalMinutes: 60 * 24 * 30)], autoStart: false))
        let startsAt = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 5 * 86_400).rounded())
        let request = try await opportunities.createRequest(
            CreateRequestRequest(
                customerId: school, providerType: "asl", startsAt: startsAt, endsAt: startsAt.addingTimeInterval(7200),
                remote: true, zone: "IL")
        ).request
        // Matching must know the request's customer before it ranks for it.
        var detail = try await broadcast.start(StartRequest(requestId: request.id))
        try await eventually("a contact sent: \(detail)") {
            detail = try await broadcast.get(BroadcastRequestId(requestId: request.id))
            return detail.attempts.contains { $0.opportunityId != nil }
        }
        let attempt = try #require(detail.attempts.first { $0.opportunityId != nil }, "no contact sent: \(detail)")
        _ = try await broadcast.defineDisposition(DefineDispositionRequest(code: "A_ONLY", label: "A's own"))
        _ = try await broadcast.block(BlockRequest(providerId: ben, customerId: school, reason: "A's block"))
        _ = try await opportunities.setCancellationPolicy(
            SetCancellationPolicyRequest(
                scope: .customer, subjectId: school,
                bands: [CancellationBand(hoursBeforeStart: 24, billablePercent: 50)]))
        return TenantIds(
            partnerId: "p-a", ada: ada, ben: ben, clinic: fixture.customers["Clinic"]!.id, school: school,
            certified: fixture.qualifications["ASL certified"]!.id, medical: fixture.qualifications["Medical"]!.id,
            documentType: fixture.documentTypes["cert"]!.id, document: document, request: request.id,
            opportunity: attempt.opportunityId!, attempt: attempt.id, disposition: "A_ONLY")
    }

    /// Each service's last `seq` once the work A's setup started in the background has settled:
    /// A's first wave sent in full (each attempt sent, its opportunity offered) and every
    /// service's last `seq` the same twice in a row.
    static func quiescentSeqs(_ clients: [String: RPCClient], _ ids: TenantIds) async throws -> [String: Int64] {
        let broadcast = BroadcastClient(
            try #require(clients["broadcast"]), actor: Actor(role: .partner, partnerId: ids.partnerId), options: options
        )
        try await eventually("A's first wave sent") {
            try await broadcast.get(BroadcastRequestId(requestId: ids.request)).waves.first?.sentAt != nil
        }
        var last: [String: Int64] = [:]
        // Every pass reads each service once; two that agree mean nothing moved in between.
        try await eventually("the event logs settled; last \(last)", every: .milliseconds(300)) {
            var seqs: [String: Int64] = [:]
            for (service, client) in clients {
                seqs[service] = try await client.readEvents(service, afterSeq: 0, limit: 1, options: options).lastSeq
            }
            defer { last = seqs }
            return seqs == last
        }
        return last
    }
}
