/// Bounds every list in a request body by its schema: an array holds at most its `maxItems`, or
/// `JSONSchema.defaultMaxItems` where the schema names none (or the body goes where the schema
/// does not describe). One linear pass, before any handler sees the body, so no handler's own
/// checks can be made to run long by a huge list.
public enum ListLimits {
    /// The arrays in `body` longer than the schema allows, each named by its path under `body`.
    public static func violations(of body: JSONValue, schema: JSONValue?) -> [FieldViolation] {
        var found: [FieldViolation] = []
        walk(body, schema, path: "body", into: &found)
        return found
    }

    /// Whether `bytes` (a request's JSON) holds an array at all: most do not, and skip the walk.
    public static func mayHoldArrays(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.contains(UInt8(ascii: "["))
    }

    private static func walk(
        _ value: JSONValue, _ schema: JSONValue?, path: String, into found: inout [FieldViolation]
    ) {
        switch value {
        case .array(let items):
            let limit = schema?["maxItems"]?.integerValue.map { Int(clamping: $0) } ?? JSONSchema.defaultMaxItems
            if items.count > limit {
                found.append(FieldViolation(field: path, description: "must hold at most \(limit) values"))
                return
            }
            for (index, item) in items.enumerated() {
                walk(item, schema?["items"], path: "\(path)[\(index)]", into: &found)
            }
        case .object(let members):
            let properties = schema?["properties"]
            for (key, member) in members { walk(member, properties?[key], path: "\(path).\(key)", into: &found) }
        default:
            return
        }
    }
}
