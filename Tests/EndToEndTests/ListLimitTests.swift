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
}
