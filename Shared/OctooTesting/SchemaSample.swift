import Wire

/// JSON values made from a schema alone: every property present (`full`) or only the required
/// ones (`minimal`), each value inside its schema's constraints. Decoding them into the Swift
/// type shows whether the type reads what the schema promises; the fuzzer mutates them.
public enum SchemaSample {
    /// A value with every property of every object present.
    public static func full(_ schema: JSONValue) -> JSONValue { make(schema, allProperties: true) }

    /// A value with only the required properties of every object.
    public static func minimal(_ schema: JSONValue) -> JSONValue { make(schema, allProperties: false) }

    /// `full`, less the top-level property `key`.
    public static func full(_ schema: JSONValue, without key: String) -> JSONValue {
        guard case .object(var members) = full(schema) else { return full(schema) }
        members[key] = nil
        return .object(members)
    }

    static func make(_ schema: JSONValue, allProperties: Bool) -> JSONValue {
        if let values = schema["enum"]?.arrayValue, let first = values.first { return first }
        switch schema["type"]?.stringValue {
        case "object":
            if let additional = schema["additionalProperties"], case .object = additional {
                return .object(["sample": make(additional, allProperties: allProperties)])
            }
            let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
            var members: [String: JSONValue] = [:]
            if case .object(let properties)? = schema["properties"] {
                for (key, property) in properties where allProperties || required.contains(key) {
                    members[key] = make(property, allProperties: allProperties)
                }
            }
            return .object(members)
        case "array":
            return .array([make(schema["items"] ?? .emptyObject, allProperties: allProperties)])
        case "string":
            return schema["format"]?.stringValue == "date-time" ? .string("2031-03-01T09:00:00Z") : .string("s1")
        case "integer":
            return .integer(within(schema, preferred: 1))
        case "number":
            // A fraction where the range allows one, so an integer-only type shows itself.
            let whole = Double(within(schema, preferred: 1))
            return .number(whole + 0.5 <= (bound(schema, "maximum") ?? .infinity) ? whole + 0.5 : whole)
        case "boolean":
            return .bool(true)
        default:
            // Any JSON value: a string is as good as any.
            return .string("any")
        }
    }

    /// `preferred`, moved inside the schema's minimum and maximum.
    static func within(_ schema: JSONValue, preferred: Int64) -> Int64 {
        var value = preferred
        if let minimum = bound(schema, "minimum") { value = max(value, Int64(minimum.rounded(.up))) }
        if let maximum = bound(schema, "maximum") { value = min(value, Int64(maximum.rounded(.down))) }
        return value
    }

    public static func bound(_ schema: JSONValue, _ key: String) -> Double? {
        switch schema[key] {
        case .integer(let value)?: Double(value)
        case .number(let value)?: value
        default: nil
        }
    }
}
