/// A method of a service's contract: its name, request and response types, who may call it,
/// and whether repeating it is safe. The "proto" of one RPC.
public struct MethodDescriptor<Request: Codable & Sendable, Response: Codable & Sendable>: Sendable {
    /// `<service>.<Method>`, e.g. `registry.CreateQualification`.
    public let name: String
    /// True when calling it twice has the same effect as once (reads, `Offer`): clients may retry it.
    public let idempotent: Bool
    /// The roles allowed to call it; nil means no `actor` is needed (`Health`, `Describe`).
    public let roles: Set<Actor.Role>?
    /// One line for `Describe` and docs/api.md.
    public let summary: String
    /// JSON Schema of the request body.
    public let requestSchema: JSONValue
    /// JSON Schema of the response body.
    public let responseSchema: JSONValue

    public init(
        _ name: String, idempotent: Bool, roles: Set<Actor.Role>?, summary: String,
        request: JSONValue, response: JSONValue
    ) {
        self.name = name
        self.idempotent = idempotent
        self.roles = roles
        self.summary = summary
        self.requestSchema = request
        self.responseSchema = response
    }

    /// The service part of the name.
    public var service: String { String(name.prefix { $0 != "." }) }
}

/// A small builder for the JSON Schemas `Describe` publishes.
public enum JSONSchema {
    /// An object with `properties`; `required` lists the keys that must be present.
    /// - Parameter page: the paging pair to add, for a list method's request or reply.
    public static func object(
        _ properties: [String: JSONValue], required: [String] = [], page: PageShape? = nil, description: String? = nil
    ) -> JSONValue {
        var properties = properties
        if let page { properties.merge(page.properties) { own, _ in own } }
        var schema: [String: JSONValue] = [
            "type": .string("object"),
            "properties": .object(properties),
        ]
        if !required.isEmpty { schema["required"] = .array(required.sorted().map(JSONValue.string)) }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// A string, optionally of a `format`, one of `values`, or matching `pattern`.
    public static func string(
        format: String? = nil, values: [String]? = nil, pattern: String? = nil, description: String? = nil
    ) -> JSONValue {
        var schema: [String: JSONValue] = ["type": .string("string")]
        if let format { schema["format"] = .string(format) }
        if let values { schema["enum"] = .array(values.map(JSONValue.string)) }
        if let pattern { schema["pattern"] = .string(pattern) }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// An RFC 3339 timestamp.
    public static let timestamp = string(format: "date-time")

    /// An RFC 3339 timestamp with its meaning.
    public static func timestamp(description: String) -> JSONValue {
        string(format: "date-time", description: description)
    }

    /// An integer with an optional range.
    public static func integer(minimum: Int64? = nil, maximum: Int64? = nil, description: String? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": .string("integer")]
        if let minimum { schema["minimum"] = .integer(minimum) }
        if let maximum { schema["maximum"] = .integer(maximum) }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// A number with an optional range.
    public static func number(minimum: Double? = nil, maximum: Double? = nil, description: String? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": .string("number")]
        if let minimum { schema["minimum"] = .number(minimum) }
        if let maximum { schema["maximum"] = .number(maximum) }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// A boolean.
    public static let boolean = JSONValue.object(["type": .string("boolean")])

    /// A boolean with its meaning.
    public static func boolean(description: String) -> JSONValue {
        .object(["type": .string("boolean"), "description": .string(description)])
    }

    /// The most values an array in a request may hold where its schema names no `maxItems`.
    public static let defaultMaxItems = 1000

    /// An array of `items`; `maxItems`, when given, bounds it in requests instead of `defaultMaxItems`.
    public static func array(of items: JSONValue, maxItems: Int? = nil, description: String? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": .string("array"), "items": items]
        if let maxItems { schema["maxItems"] = .integer(Int64(maxItems)) }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// Any JSON value.
    public static let any = JSONValue.object([:])

    /// Any JSON value, with its meaning.
    public static func any(description: String) -> JSONValue { .object(["description": .string(description)]) }

    /// The empty object.
    public static let empty = object([:])
}

extension JSONValue {
    /// This schema with `description` set: what a property means where a shared schema is used.
    public func described(_ description: String) -> JSONValue {
        guard case .object(var members) = self else { return self }
        members["description"] = .string(description)
        return .object(members)
    }
}
