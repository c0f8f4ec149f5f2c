/// Checks a request body against its method's JSON Schema before any handler sees it, so every
/// caller meets the same errors in the API's own words: a field that is not in the schema, a
/// value of the wrong JSON type, an enum value not among those allowed (each listed), and a list
/// longer than its `maxItems` (or `JSONSchema.defaultMaxItems`). One linear pass; what it cannot
/// judge (required fields, formats, ranges, the rules) is left to the decoder and the handler.
public enum RequestShape {
    /// Every violation in `body`, each named by its path under `body`.
    public static func violations(of body: JSONValue, schema: JSONValue?) -> [FieldViolation] {
        var found: [FieldViolation] = []
        walk(body, schema, path: "body", into: &found)
        return found
    }

    /// The most violations named in one reply: enough to fix, never a reply too large to send.
    static let maxNamed = 20

    private static func walk(
        _ value: JSONValue, _ schema: JSONValue?, path: String, into found: inout [FieldViolation]
    ) {
        guard found.count < maxNamed, let schema else { return }
        func add(_ description: String) { found.append(FieldViolation(field: path, description: description)) }
        if case .null = value { return }  // an optional field left out; the decoder judges required ones
        if let allowed = schema["enum"]?.arrayValue {
            if !allowed.contains(value) {
                add("must be one of " + allowed.compactMap(\.stringValue).joined(separator: ", "))
            }
            return
        }
        switch (schema["type"]?.stringValue, value) {
        case ("string", .string), ("boolean", .bool), ("number", .integer), ("number", .number), ("integer", .integer):
            return
        case ("integer", .number(let number)):
            if number != number.rounded() || !(-9.2e18...9.2e18).contains(number) {
                add("must be a whole number")
            }
        case ("array", .array(let items)):
            let limit = schema["maxItems"]?.integerValue.map { Int(clamping: $0) } ?? JSONSchema.defaultMaxItems
            guard items.count <= limit else { return add("must hold at most \(limit) values") }
            for (index, item) in items.enumerated() {
                walk(item, schema["items"], path: "\(path)[\(index)]", into: &found)
            }
        case ("object", .object(let members)):
            if let values = schema["additionalProperties"] {
                for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                    walk(member, values, path: "\(path).\(key)", into: &found)
                }
                return
            }
            guard case .object(let properties)? = schema["properties"] else { return }
            for (key, member) in members.sorted(by: { $0.key < $1.key }) where found.count < maxNamed {
                guard let property = properties[key] else {
                    found.append(
                        FieldViolation(field: "\(path).\(key)", description: unknown(among: properties.keys)))
                    continue
                }
                walk(member, property, path: "\(path).\(key)", into: &found)
            }
        case ("string", _): add("must be a string")
        case ("boolean", _): add("must be true or false")
        case ("integer", _): add("must be a whole number")
        case ("number", _): add("must be a number")
        case ("array", _): add("must be a list")
        case ("object", _): add("must be an object")
        default:
            return  // any JSON value
        }
    }

    private static func unknown(among fields: Dictionary<String, JSONValue>.Keys) -> String {
        let names = fields.sorted()
        guard !names.isEmpty else { return "is not a field here: this body takes no fields" }
        guard names.count <= 30 else { return "is not a field here (see the method's schema in Describe)" }
        return "is not a field here; the fields are " + names.joined(separator: ", ")
    }
}
