import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// Every list in every request, as each service's `Describe` declares it: one value over its
/// `maxItems` (or the default) is `INVALID_ARGUMENT` naming the list, before any handler runs,
/// and writes nothing.
@Suite("List limits over the real executables", .serialized)
struct ListLimitTests {
    static let services = ["registry", "matching", "broadcast", "opportunities"]

    /// Each array in `schema`, by its path under `body` (items of an array as `[0]`), with its schema.
    static func arrays(in schema: JSONValue, path: String = "body") -> [(path: String, schema: JSONValue)] {
        var found: [(String, JSONValue)] = []
        if schema["type"] == .string("array") {
            found.append((path, schema))
            if let items = schema["items"] { found += arrays(in: items, path: "\(path)[0]") }
        }
        if case .object(let properties)? = schema["properties"] {
            for (key, property) in properties.sorted(by: { $0.key < $1.key }) {
                found += arrays(in: property, path: "\(path).\(key)")
            }
        }
        return found
    }

    /// `body` with the value at `path` (under `body`, `[0]` for an array's first item) replaced.
    static func replacing(_ body: JSONValue, at path: [String], with value: JSONValue) -> JSONValue {
        guard let key = path.first else { return value }
        if key == "[0]" {
            guard case .array(let items) = body else { return body }
            let first = items.first ?? .object([:])
            return .array([replacing(first, at: Array(path.dropFirst()), with: value)] + items.dropFirst())
        }
        guard case .object(var members) = body else { return body }
        members[key] = replacing(members[key] ?? .object([:]), at: Array(path.dropFirst()), with: value)
        return .object(members)
    }

    static func steps(_ path: String) -> [String] {
        path.dropFirst("body".count).replacingOccurrences(of: "[0]", with: ".[0]").split(separator: ".").map(
            String.init)
    }

    @Test func aListOverItsLimitIsRefusedNamingItAndWritesNothing() async throws {
        try await withExecutableSystem(Self.services) { system in
            var clients: [String: RPCClient] = [:]
            for service in Self.services { clients[service] = try system.client(service) }
            var before: [String: Int64] = [:]
            for service in Self.services {
                before[service] = try await clients[service]!.readEvents(service, afterSeq: 0, limit: 1).lastSeq
            }
            var checked: [String] = []
            for service in Self.services {
                for method in try await clients[service]!.describe(service).methods {
                    let roles = method.roles.compactMap(Actor.Role.init(rawValue:))
                    let role: Actor.Role = roles.isEmpty || roles.contains(.partner) ? .partner : roles[0]
                    let actor = Actor(role: role, partnerId: role == .service ? nil : "p-lists", id: "lists")
                    for (path, schema) in Self.arrays(in: method.request) {
                        let limit = schema["maxItems"]?.integerValue.map(Int.init) ?? JSONSchema.defaultMaxItems
                        let item = SchemaSample.minimal(schema["items"] ?? .object([:]))
                        let list = JSONValue.array(Array(repeating: item, count: limit + 1))
                        let body = Self.replacing(SchemaSample.full(method.request), at: Self.steps(path), with: list)
                        do {
                            _ = try await clients[service]!.callJSON(
                                method: method.name, body: body, actor: actor, options: .patient(retry: .none))
                            Issue.record("\(method.name) \(path): \(limit + 1) values were accepted")
                        } catch let error as RPCError {
                            #expect(error.code == .invalidArgument, "\(method.name) \(path): \(error)")
                            #expect(
                                error.details.contains { $0.field == path }, "\(method.name) \(path): \(error.details)")
                        }
                        checked.append("\(method.name) \(path)")
                    }
                }
            }
            print("list limits: \(checked.count) lists checked")
            #expect(checked.contains("registry.UpsertCustomer body.lists"))
            #expect(checked.contains("broadcast.Start body.pin"))
            for service in Self.services {
                let after = try await clients[service]!.readEvents(service, afterSeq: 0, limit: 1).lastSeq
                #expect(after == before[service], "\(service) wrote events")
            }
        }
    }

    /// What a newcomer met: a misspelt field silently ignored, a fraction blamed on the payload,
    /// a Swift message for an unknown enum value.
    @Test func aMisshapenBodyIsRefusedInTheAPIsWords() async throws {
        try await withExecutableSystem(Self.services) { system in
            let partner = Actor(role: .partner, partnerId: "p-shape", id: "shape")
            let opportunities = try system.client("opportunities")
            let registry = try system.client("registry")
            func refusal(_ client: RPCClient, _ method: String, _ body: JSONValue) async -> [String: String] {
                do {
                    _ = try await client.callJSON(
                        method: method, body: body, actor: partner, options: .patient(retry: .none))
                    return [:]
                } catch {
                    #expect(error.code == .invalidArgument, "\(method): \(error)")
                    return Dictionary(
                        error.details.map { ($0.field, $0.description) }, uniquingKeysWith: { first, _ in first })
                }
            }
            let request: [String: JSONValue] = [
                "customerId": .string("cu-1"), "providerType": .string("asl"),
                "startsAt": .string("2031-03-01T09:00:00Z"), "endsAt": .string("2031-03-01T11:00:00Z"),
                "remote": .bool(true),
            ]
            var misspelt = request
            misspelt["requiredQualificationId"] = .string("q-1")
            let unknown = await refusal(opportunities, "opportunities.CreateRequest", .object(misspelt))
            #expect(unknown["body.requiredQualificationId"]?.contains("requiredQualificationIds") == true, "\(unknown)")
            var fraction = request
            fraction["teamSize"] = .number(2.5)
            let whole = await refusal(opportunities, "opportunities.CreateRequest", .object(fraction))
            #expect(whole == ["body.teamSize": "must be a whole number"])
            let entry: JSONValue = .object(["providerId": .string("pr-1"), "kind": .string("favourite")])
            let kind = await refusal(
                registry, "registry.UpsertCustomer", .object(["name": .string("Clinic"), "lists": .array([entry])]))
            #expect(kind["body.lists[0].kind"]?.hasPrefix("must be one of ") == true, "\(kind)")
            #expect(kind["body.lists[0].kind"]?.contains("doNotConsider") == true, "\(kind)")
            let requests = try await opportunities.readEvents("opportunities", afterSeq: 0, limit: 1).lastSeq
            #expect(requests == 0, "nothing was written")
        }
    }
}
