import Contracts
import Foundation
import OctooTesting
import Testing
import Wire

/// Each method's JSON Schemas say exactly what its Swift types read and write: a value made from
/// the schema decodes, re-encodes to JSON the schema accepts with every property still there, and
/// `required` lists exactly the fields the type cannot do without.
@Suite("Schemas match their Swift types")
struct SchemaMatchesTypeTests {
    @Test("request schema matches its type", arguments: ContractSubject.all)
    func requestSchema(_ subject: ContractSubject) throws {
        try check(subject.info.request, subject.requestType)
    }

    @Test("reply schema matches its type", arguments: ContractSubject.all)
    func replySchema(_ subject: ContractSubject) throws {
        try check(subject.info.response, subject.responseType)
    }

    func check(_ schema: JSONValue, _ type: any (Codable & Sendable).Type) throws {
        // Fully populated: it decodes, and encodes back to all of it, valid under the schema.
        let full = SchemaSample.full(schema)
        let decoded: any Encodable
        do {
            decoded = try Self.decode(type, full)
        } catch {
            Issue.record("a value the schema allows does not decode: \(error)\n\(Self.text(full))")
            return
        }
        let encoded = try Self.encode(decoded)
        let faults = SchemaValidator.faults(encoded, schema)
        #expect(faults.isEmpty, "the encoded value breaks the schema: \(faults)")
        let lost = Self.missingKeys(full, in: encoded)
        #expect(lost.isEmpty, "schema properties the type does not encode: \(lost)")

        // Every value an enum allows is one the type reads.
        for (path, values) in Self.enumPaths(schema) {
            for allowed in values.dropFirst() {
                let variant = Self.setting(path, to: allowed, in: full)
                #expect(
                    (try? Self.decode(type, variant)) != nil,
                    "\(path.joined(separator: ".")) = \(allowed) is allowed by the schema but does not decode")
            }
        }

        // Only the required properties: enough for the type.
        let unlisted = Self.unlistedRequired(type, schema)
        #expect(unlisted.isEmpty, "fields the type cannot do without that the schema does not require: \(unlisted)")
        // Each required property, left out: the type refuses.
        for path in Self.requiredPaths(schema) {
            let without = Self.removing(path, from: full)
            #expect(
                (try? Self.decode(type, without)) == nil,
                "\(path.joined(separator: ".")) is required by the schema, but the type decodes without it")
        }
    }

    /// Fields the type needs that the schema leaves optional: decoding the minimal sample, each
    /// missing key reported is named and filled from the full sample, until it decodes.
    static func unlistedRequired(_ type: any (Codable & Sendable).Type, _ schema: JSONValue) -> [String] {
        let full = SchemaSample.full(schema)
        var value = SchemaSample.minimal(schema)
        var found: [String] = []
        for _ in 0..<500 {
            do {
                _ = try decode(type, value)
                return found
            } catch DecodingError.keyNotFound(let key, let context) {
                let path = context.codingPath.map { $0.intValue == nil ? $0.stringValue : "[0]" } + [key.stringValue]
                found.append(path.joined(separator: "."))
                guard let member = member(at: path, of: full) else { return found + ["(not in the schema)"] }
                value = setting(path, to: member, in: value)
            } catch {
                return found + ["\(error)"]
            }
        }
        return found
    }

    /// The member of `value` at `path`.
    static func member(at path: [String], of value: JSONValue) -> JSONValue? {
        guard let head = path.first else { return value }
        switch value {
        case .object(let members): return members[head].flatMap { member(at: Array(path.dropFirst()), of: $0) }
        case .array(let items) where head == "[0]":
            return items.first.flatMap { member(at: Array(path.dropFirst()), of: $0) }
        default: return nil
        }
    }

    /// `value` with `member` at `path` (the path's parents exist).
    static func setting(_ path: [String], to member: JSONValue, in value: JSONValue) -> JSONValue {
        guard let head = path.first else { return member }
        let rest = Array(path.dropFirst())
        switch value {
        case .object(var members):
            members[head] = rest.isEmpty ? member : setting(rest, to: member, in: members[head] ?? .emptyObject)
            return .object(members)
        case .array(var items) where head == "[0]" && !items.isEmpty:
            items[0] = setting(rest, to: member, in: items[0])
            return .array(items)
        default:
            return value
        }
    }

    static func decode(_ type: any (Codable & Sendable).Type, _ value: JSONValue) throws -> any Encodable {
        func open<T: Decodable & Encodable>(_: T.Type) throws -> any Encodable {
            try WireCoding.decoder.decode(T.self, from: WireCoding.encoder.encode(value))
        }
        return try open(type)
    }

    static func encode(_ value: any Encodable) throws -> JSONValue {
        try WireCoding.decoder.decode(JSONValue.self, from: WireCoding.encoder.encode(value))
    }

    static func text(_ value: JSONValue) -> String {
        (try? String(decoding: WireCoding.makeEncoder(sortedKeys: true).encode(value), as: UTF8.self)) ?? "?"
    }

    /// Keys of `sample` (recursively) that `encoded` lacks.
    static func missingKeys(_ sample: JSONValue, in encoded: JSONValue, path: String = "$") -> [String] {
        switch (sample, encoded) {
        case (.object(let expected), .object(let actual)):
            return expected.keys.sorted().flatMap { key -> [String] in
                guard let member = actual[key] else { return ["\(path).\(key)"] }
                return missingKeys(expected[key]!, in: member, path: "\(path).\(key)")
            }
        case (.array(let expected), .array(let actual)):
            guard let first = expected.first else { return [] }
            guard let found = actual.first else { return ["\(path)[0]"] }
            return missingKeys(first, in: found, path: "\(path)[0]")
        default:
            return []
        }
    }

    /// The path of every required property, in objects reached through properties (arrays are
    /// entered through their first item, marked `[0]`).
    static func requiredPaths(_ schema: JSONValue, at path: [String] = []) -> [[String]] {
        switch schema["type"]?.stringValue {
        case "object":
            guard schema["additionalProperties"] == nil, case .object(let properties)? = schema["properties"] else {
                return []
            }
            let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
            return properties.keys.sorted().flatMap { key -> [[String]] in
                (required.contains(key) ? [path + [key]] : []) + requiredPaths(properties[key]!, at: path + [key])
            }
        case "array":
            return requiredPaths(schema["items"] ?? .emptyObject, at: path + ["[0]"])
        default:
            return []
        }
    }

    /// The path of every property whose schema lists its values, with those values.
    static func enumPaths(_ schema: JSONValue, at path: [String] = []) -> [(path: [String], values: [JSONValue])] {
        if let values = schema["enum"]?.arrayValue { return [(path, values)] }
        switch schema["type"]?.stringValue {
        case "object":
            guard schema["additionalProperties"] == nil, case .object(let properties)? = schema["properties"] else {
                return []
            }
            return properties.keys.sorted().flatMap { enumPaths(properties[$0]!, at: path + [$0]) }
        case "array":
            return enumPaths(schema["items"] ?? .emptyObject, at: path + ["[0]"])
        default:
            return []
        }
    }

    /// `value` without the member at `path`.
    static func removing(_ path: [String], from value: JSONValue) -> JSONValue {
        guard let head = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch value {
        case .object(var members):
            if rest.isEmpty {
                members[head] = nil
            } else if let member = members[head] {
                members[head] = removing(rest, from: member)
            }
            return .object(members)
        case .array(var items) where head == "[0]" && !items.isEmpty:
            items[0] = removing(rest, from: items[0])
            return .array(items)
        default:
            return value
        }
    }
}
