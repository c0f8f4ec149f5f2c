import Contracts
import Testing
import Wire

/// Every property of every published schema says what it means.
@Suite("Schemas describe every field")
struct SchemaDescriptionTests {
    @Test("every property has a description", arguments: ContractSubject.all)
    func everyPropertyIsDescribed(_ subject: ContractSubject) {
        let missing =
            Self.undescribed(subject.info.request, "request") + Self.undescribed(subject.info.response, "reply")
        #expect(missing.isEmpty, "properties without a description: \(missing)")
    }

    /// Paths of properties whose schema has no non-empty description, recursively.
    static func undescribed(_ schema: JSONValue, _ path: String) -> [String] {
        var found: [String] = []
        if case .object(let properties)? = schema["properties"] {
            for (key, property) in properties.sorted(by: { $0.key < $1.key }) {
                if (property["description"]?.stringValue ?? "").isEmpty { found.append("\(path).\(key)") }
                found += undescribed(property, "\(path).\(key)")
            }
        }
        if let items = schema["items"] { found += undescribed(items, "\(path)[]") }
        if let values = schema["additionalProperties"] { found += undescribed(values, "\(path){}") }
        return found
    }
}
