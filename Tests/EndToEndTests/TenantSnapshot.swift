import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// Everything partner A can read of its own through the services' Get and List methods: its
/// document types, qualifications, providers (with documents and qualifications), customers,
/// vocabulary and availability; its requests, opportunities and their histories, and its
/// cancellation policy; its broadcasts with their attempts, dispositions, blocks and policy; its
/// ranking settings. The tenancy matrix takes one before and one after partner B's calls: "B
/// changed nothing of A's" is then A's own records read back, not only the absence of events.
struct TenantSnapshot: Equatable {
    /// Each read (method and body) and A's reply.
    var replies: [String: JSONValue] = [:]

    /// What differs from `other`, read by read.
    func differences(from other: TenantSnapshot) -> [String] {
        Set(replies.keys).union(other.replies.keys).sorted().compactMap { read in
            replies[read] == other.replies[read]
                ? nil : "\(read): \(Self.text(other.replies[read])) became \(Self.text(replies[read]))"
        }
    }

    /// Reads everything of A's: the lists first, then each record they name.
    static func take(_ ids: TenantIds, _ clients: [String: RPCClient]) async throws -> TenantSnapshot {
        var snapshot = TenantSnapshot()
        let actor = Actor(role: .partner, partnerId: ids.partnerId, id: "a-admin")
        func read(_ method: String, _ body: JSONValue = .object([:])) async throws -> JSONValue {
            let service = String(method.prefix { $0 != "." })
            let client = try #require(clients[service])
            let reply = try await client.callJSON(
                method: method, body: body, actor: actor, options: .patient(retry: .none))
            snapshot.replies["\(method) \(text(body))"] = reply
            return reply
        }
        func id(_ value: String) -> JSONValue { .object(["id": .string(value)]) }

        _ = try await read("registry.ListDocumentTypes")
        _ = try await read("registry.ListQualifications", .object(["includeArchived": .bool(true)]))
        _ = try await read("registry.GetVocabulary")
        let providers = recordIds(in: try await read("registry.ListProviders"), list: "providers")
        for provider in providers { _ = try await read("registry.GetProvider", id(provider)) }
        _ = try await read(
            "registry.ListAvailability",
            .object([
                "providerIds": .array(providers.map(JSONValue.string)), "from": .string("2030-01-01T00:00:00Z"),
                "to": .string("2032-01-01T00:00:00Z"),
            ]))
        let customers = recordIds(in: try await read("registry.ListCustomers"), list: "customers")
        for customer in customers { _ = try await read("registry.GetCustomer", id(customer)) }
        _ = try await read(
            "opportunities.GetCancellationPolicy",
            .object(["scope": .string("customer"), "subjectId": .string(ids.school)]))

        let requests = recordIds(in: try await read("opportunities.ListRequests"), list: "requests")
        for request in requests {
            _ = try await read("opportunities.GetRequest", id(request))
            let body = JSONValue.object(["requestId": .string(request)])
            for opportunity in recordIds(
                in: try await read("opportunities.ListOpportunities", body), list: "opportunities")
            {
                _ = try await read("opportunities.GetOpportunity", id(opportunity))
                _ = try await read("opportunities.History", id(opportunity))
            }
            _ = try await read("broadcast.Get", body)
            _ = try await read("broadcast.Stats", body)
        }
        _ = try await read("broadcast.List")
        _ = try await read("broadcast.ListDispositions", .object(["includeArchived": .bool(true)]))
        for provider in providers {
            _ = try await read("broadcast.ListBlocks", .object(["providerId": .string(provider)]))
        }
        _ = try await read("broadcast.GetPolicy")
        _ = try await read("matching.GetSettings")
        // The reads above must have found what the matrix names, or they prove nothing.
        #expect(providers.contains(ids.ada) && providers.contains(ids.ben), "A's providers: \(providers)")
        #expect(customers.contains(ids.school) && requests == [ids.request], "A's customers and requests")
        return snapshot
    }

    /// The `id` of each element of the reply's `list`.
    static func recordIds(in reply: JSONValue, list: String) -> [String] {
        guard case .object(let fields) = reply, case .array(let items)? = fields[list] else { return [] }
        return items.compactMap { item in
            guard case .object(let record) = item, case .string(let id)? = record["id"] else { return nil }
            return id
        }
    }

    static func text(_ value: JSONValue?) -> String {
        guard let value, let bytes = try? WireCoding.makeEncoder(sortedKeys: true).encode(value) else {
            return "nothing"
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
