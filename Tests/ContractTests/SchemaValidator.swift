import Foundation
import OctooTesting
import Wire

/// Checks a JSON value against the subset of JSON Schema that `Describe` publishes (type,
/// properties, required, enum, date-time, minimum, maximum, items, additionalProperties), and
/// that every object key is a declared property. Returns every fault, with its path.
enum SchemaValidator {
    static func faults(_ value: JSONValue, _ schema: JSONValue, path: String = "$") -> [String] {
        var faults: [String] = []
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
            faults.append("\(path): \(value) is not one of \(allowed)")
        }
        switch (schema["type"]?.stringValue, value) {
        case (nil, _):
            break
        case ("object", .object(let members)):
            faults += objectFaults(members, schema, path: path)
        case ("array", .array(let items)):
            for (index, item) in items.enumerated() {
                faults += Self.faults(item, schema["items"] ?? .emptyObject, path: "\(path)[\(index)]")
            }
        case ("string", .string(let text)):
            if schema["format"]?.stringValue == "date-time", Timestamp.parse(text) == nil {
                faults.append("\(path): \(text) is not a date-time")
            }
        case ("integer", .integer(let number)):
            faults += rangeFaults(Double(number), schema, path: path)
        case ("number", .integer(let number)):
            faults += rangeFaults(Double(number), schema, path: path)
        case ("number", .number(let number)):
            faults += rangeFaults(number, schema, path: path)
        case ("boolean", .bool):
            break
        case (let type?, _):
            faults.append("\(path): \(value) is not of type \(type)")
        }
        return faults
    }

    static func objectFaults(_ members: [String: JSONValue], _ schema: JSONValue, path: String) -> [String] {
        var faults: [String] = []
        if let additional = schema["additionalProperties"], case .object = additional {
            for (key, member) in members { faults += Self.faults(member, additional, path: "\(path).\(key)") }
            return faults
        }
        let properties: [String: JSONValue]
        if case .object(let declared)? = schema["properties"] { properties = declared } else { properties = [:] }
        for key in (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue) where members[key] == nil {
            faults.append("\(path).\(key): is required but missing")
        }
        for (key, member) in members.sorted(by: { $0.key < $1.key }) {
            guard let property = properties[key] else {
                faults.append("\(path).\(key): is not a property of the schema")
                continue
            }
            faults += Self.faults(member, property, path: "\(path).\(key)")
        }
        return faults
    }

    static func rangeFaults(_ number: Double, _ schema: JSONValue, path: String) -> [String] {
        var faults: [String] = []
        if let minimum = SchemaSample.bound(schema, "minimum"), number < minimum {
            faults.append("\(path): \(number) is below the minimum \(minimum)")
        }
        if let maximum = SchemaSample.bound(schema, "maximum"), number > maximum {
            faults.append("\(path): \(number) is above the maximum \(maximum)")
        }
        return faults
    }
}
