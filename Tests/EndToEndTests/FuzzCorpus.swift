import Contracts
import OctooTesting
import Transport
import Wire

/// The valid requests the fuzzer mutates, for every service: reads of a real partner's data
/// (`p-fuzz`: the partner fixture, one request and one offer), writes that the state refuses
/// (a stale version), and writes in a tenant of their own (`fz<frame>`), whose events can only
/// come from a request that was answered `OK`.
struct FuzzCorpus: Sendable {
    /// One request to mutate: the port it goes to and its envelope, given the frame's number.
    struct Base: Sendable {
        var service: String
        var method: String
        var make: @Sendable (_ frame: Int) -> FuzzJSON
    }

    let bases: [Base]
    /// The fixture's Ada, whose record the test reads back at the end.
    let ada: String
    /// Every base's body, to send to other methods.
    let bodies: [FuzzJSON]

    /// Methods that change nothing, whatever they answer.
    static let readPrefixes = [
        "Get", "List", "Check", "Rank", "Stats", "History", "Health", "Describe", "ReadEvents", "Search",
    ]

    static func isRead(_ method: String) -> Bool {
        let name = method.split(separator: ".", maxSplits: 1).last.map(String.init) ?? method
        return readPrefixes.contains { name.hasPrefix($0) } || name == "Status"
    }

    /// The tenant of writes made by frame `frame`.
    static func freshTenant(_ frame: Int) -> String { "fz\(frame)" }

    init(fixture: PartnerFixture, requestId: String, opportunityId: String) {
        let partnerId = fixture.partner.partnerId!
        let ada = fixture.providers["Ada"]!.id
        let school = fixture.customers["School"]!.id
        let clinic = fixture.customers["Clinic"]!.id
        let certified = fixture.qualifications["ASL certified"]!.id
        let medical = fixture.qualifications["Medical"]!.id
        let cert = fixture.documentTypes["cert"]!.id
        let from: FuzzJSON = "2031-03-01T09:00:00Z"
        let to: FuzzJSON = "2031-03-01T11:00:00Z"
        let job: FuzzJSON = [
            "customerId": .string(school), "providerType": "asl", "startsAt": from, "endsAt": to, "remote": true,
            "zone": "IL", "requiredQualificationIds": [.string(medical)],
        ]
        @Sendable func actor(_ role: String, _ tenant: String?, _ id: String? = nil) -> FuzzJSON {
            var members: [(key: String, value: FuzzJSON)] = [("role", .string(role))]
            if let tenant { members.append(("partnerId", .string(tenant))) }
            if let id { members.append(("id", .string(id))) }
            return .object(members)
        }
        let partner = actor("partner", partnerId, "fuzz-admin")
        var bases: [Base] = []
        /// A request as the fixture partner (or `who`) sends it.
        func read(_ service: String, _ method: String, _ body: FuzzJSON, as who: FuzzJSON? = nil) {
            bases.append(
                Base(service: service, method: "\(service).\(method)") { frame in
                    [
                        "id": .string("f\(frame)"), "method": .string("\(service).\(method)"), "deadlineMs": 20000,
                        "actor": who ?? partner, "body": body,
                    ]
                })
        }
        /// A write in the frame's own tenant, with a key of its own.
        func write(_ service: String, _ method: String, _ body: @escaping @Sendable (Int) -> FuzzJSON) {
            bases.append(
                Base(service: service, method: "\(service).\(method)") { frame in
                    [
                        "id": .string("f\(frame)"), "method": .string("\(service).\(method)"), "deadlineMs": 20000,
                        "idempotencyKey": .string("k\(frame)"),
                        "actor": actor("partner", Self.freshTenant(frame), "fuzz-admin"), "body": body(frame),
                    ]
                })
        }
        for service in BusEndpoints.services {
            read(service, "Health", [:])
            read(service, "Describe", [:])
            read(service, "ReadEvents", ["afterSeq": 0, "limit": 3], as: actor("service", nil))
            read(service, "ReadEvents", ["afterSeq": 1])
            read(service, "SetClock", ["now": "2031-01-01T00:00:00Z"], as: actor("service", nil))
        }
        // The registry.
        read("registry", "ListDocumentTypes", ["pageSize": 10])
        read("registry", "ListQualifications", ["includeArchived": true, "pageSize": 2])
        read("registry", "GetProvider", ["id": .string(ada)])
        read("registry", "GetProvider", ["id": .string(ada)], as: actor("provider", partnerId, ada))
        read("registry", "ListProviders", ["providerType": "asl", "zone": "IL", "activeOnly": true, "pageSize": 2])
        read(
            "registry", "CheckQualifications",
            [
                "providerId": .string(ada), "from": from, "to": to, "zone": "IL",
                "qualificationIds": [.string(certified), .string(medical)],
            ])
        read("registry", "ListAvailability", ["providerIds": [.string(ada)], "from": from, "to": to])
        read("registry", "GetCustomer", ["id": .string(clinic)], as: actor("customer", partnerId, clinic))
        read("registry", "ListCustomers", ["pageSize": 1])
        read("registry", "GetVocabulary", [:])
        read("registry", "UpdateQualification", ["id": .string(medical), "expectedVersion": 1_000_000, "name": "M"])
        write("registry", "CreateDocumentType") { ["name": .string("dt \($0)"), "description": "fuzzed"] }
        write("registry", "CreateQualification") {
            ["name": .string("q \($0)"), "providerTypes": ["asl"], "zones": ["IL"], "requiredDocumentTypeIds": []]
        }
        write("registry", "UpsertProvider") {
            [
                "name": .string("p \($0)"), "providerType": "asl", "email": "a@example.org",
                "location": ["lat": 41, "lon": -87], "travelRadiusKm": 40, "zones": ["IL"], "active": true,
            ]
        }
        write("registry", "MarkChannelInvalid") { _ in
            ["providerId": .string(ada), "channel": "email", "address": "a@example.org", "reason": "fuzzed"]
        }
        write("registry", "UpsertCustomer") { ["name": .string("c \($0)"), "lists": []] }
        write("registry", "SetVocabulary") { _ in ["zones": [["code": "IL"]], "providerTypes": [["code": "asl"]]] }
        write("registry", "AddDocument") { _ in
            ["providerId": .string(ada), "documentTypeId": .string(cert), "issuedAt": from]
        }
        write("registry", "SetAvailability") { _ in
            ["providerId": .string(ada), "windows": [["from": from, "to": to, "status": "available"]]]
        }
        write("registry", "ApplyQualification") { _ in
            ["providerId": .string(ada), "qualificationId": .string(medical)]
        }
        write("registry", "ArchiveQualification") { _ in ["id": .string(medical)] }
        write("registry", "RevokeDocument") { _ in ["id": "doc-none"] }
        // No base's body names Ada with a reason: a swapped body and a fixture actor must not
        // erase her (the test reads her back).
        write("registry", "EraseProvider") { _ in ["providerId": "pr-none", "reason": "fuzzed"] }
        // Matching.
        read("matching", "Rank", ["request": job, "limit": 5, "pageSize": 5])
        read("matching", "Check", ["request": job, "providerId": .string(ada), "requestId": .string(requestId)])
        read("matching", "GetSettings", [:])
        read("matching", "Status", [:], as: actor("service", nil))
        write("matching", "SetSettings") { _ in
            ["weights": ["preferredList": 500, "noShow": 30], "travelBufferMinutes": 30, "workloadWindowDays": 14]
        }
        // Broadcast.
        read("broadcast", "Get", ["requestId": .string(requestId)])
        read("broadcast", "List", ["pageSize": 5])
        read("broadcast", "ListDispositions", ["includeArchived": true])
        read("broadcast", "ListBlocks", ["providerId": .string(ada)])
        read("broadcast", "GetPolicy", [:])
        read("broadcast", "Stats", ["requestId": .string(requestId)])
        read("broadcast", "Stats", ["from": from, "to": to])
        read(
            "broadcast", "SearchAttempts",
            ["dispositions": ["DECLINED", "NO_RESPONSE"], "customerId": .string(school), "from": from, "pageSize": 2])
        write("broadcast", "DefineDisposition") { _ in
            ["code": "CALL_BACK", "label": "Call back", "final": false, "recycleAfterSeconds": 3600, "maxAttempts": 2]
        }
        write("broadcast", "SetPolicy") { _ in
            ["bands": [["minLeadHours": 0, "waveSize": 0, "intervalMinutes": 30]], "autoStart": false]
        }
        write("broadcast", "Block") { _ in ["providerId": .string(ada), "customerId": .string(school)] }
        write("broadcast", "BulkRecycle") { _ in ["requestId": .string(requestId), "dispositions": ["DECLINED"]] }
        write("broadcast", "BulkBlock") { _ in ["dispositions": ["DO_NOT_CONTACT"], "reason": "fuzzed"] }
        write("broadcast", "Start") { _ in ["requestId": .string(requestId)] }
        write("broadcast", "Override") { _ in ["requestId": .string(requestId), "pin": [.string(ada)]] }
        write("broadcast", "SetDisposition") { _ in ["attemptId": "att-none", "code": "DECLINED"] }
        write("broadcast", "Recycle") { _ in ["requestId": .string(requestId)] }
        // Opportunities.
        read("opportunities", "GetRequest", ["id": .string(requestId)])
        read("opportunities", "GetRequest", ["id": .string(requestId)], as: actor("customer", partnerId, school))
        read("opportunities", "ListRequests", ["customerId": .string(school), "pageSize": 3])
        read("opportunities", "GetOpportunity", ["id": .string(opportunityId)], as: actor("provider", partnerId, ada))
        read("opportunities", "ListOpportunities", ["requestId": .string(requestId)])
        read("opportunities", "History", ["id": .string(opportunityId), "pageSize": 2])
        read("opportunities", "GetCancellationPolicy", ["scope": "customer", "subjectId": .string(school)])
        read("opportunities", "GetSettings", [:])
        write("opportunities", "SetSettings") { _ in ["unfilledSoonLeadHours": 12] }
        write("opportunities", "CreateRequest") { _ in job }
        write("opportunities", "SetCancellationPolicy") { _ in
            [
                "scope": "customer", "subjectId": .string(school),
                "bands": [["hoursBeforeStart": 24, "billablePercent": 50]],
            ]
        }
        write("opportunities", "Offer") { _ in ["requestId": .string(requestId), "providerId": .string(ada)] }
        write("opportunities", "Respond") { _ in
            [
                "opportunityId": .string(opportunityId), "interested": true,
                "quote": ["amount": 120, "currency": "USD", "per": "hour", "note": "fuzzed"],
            ]
        }
        write("opportunities", "WithdrawOffer") { _ in ["opportunityId": .string(opportunityId), "reason": "fuzz"] }
        write("opportunities", "Decide") { _ in ["opportunityId": .string(opportunityId), "assign": true] }
        write("opportunities", "Cancel") { _ in ["opportunityId": .string(opportunityId), "reason": "fuzz"] }
        write("opportunities", "CancelRequest") { _ in ["id": .string(requestId)] }
        // Every described method is fuzzed: one without a body above gets one made from its schema.
        let covered = Set(bases.map(\.method))
        for service in APIReference.described {
            for method in service.methods where !covered.contains(method.name) {
                let name = String(method.name.dropFirst(service.service.count + 1))
                let body = FuzzJSON(SchemaSample.full(method.request))
                if Self.isRead(method.name) {
                    read(service.service, name, body)
                } else {
                    write(service.service, name) { _ in body }
                }
            }
        }
        self.bases = bases
        self.ada = ada
        bodies = bases.map { $0.make(0)["body"] ?? [:] }
    }
}
