import Wire

/// The API reference, `docs/api.md`: rendered from what each service's `Describe` serves (the
/// contracts' method lists and the common methods), so it cannot drift from the code. A test
/// fails when the committed file is stale; `octoo api-docs --out docs/api.md` writes it anew.
public enum APIReference {
    /// Each service's `Describe` reply, as its contract declares it, in the bus's service order.
    public static var described: [DescribeResponse] {
        [
            describe(Registry.service, Registry.catalogue), describe(Matching.service, Matching.catalogue),
            describe(Broadcast.service, Broadcast.catalogue), describe(Opportunities.service, Opportunities.catalogue),
        ]
    }

    static func describe(_ service: String, _ methods: [MethodInfo]) -> DescribeResponse {
        DescribeResponse(
            service: service, protocolVersion: DescribeResponse.currentProtocolVersion,
            methods: (methods + CommonMethods.catalogue(service)).sorted { $0.name < $1.name })
    }

    /// The whole reference as Markdown.
    public static func markdown(_ services: [DescribeResponse] = described) -> String {
        var lines = [
            "# API reference", "",
            "<!-- Generated from each service's Describe by `octoo api-docs --out docs/api.md`; do not edit. -->", "",
            "Every method of every service, with the roles that may call it, whether it is safe to repeat, and the "
                + "fields of its request and reply body. The envelope around a body, the status codes and the "
                + "common methods' behaviour are in [PROTOCOL.md](../Shared/PROTOCOL.md); the rules behind the "
                + "methods are in [design.md](design.md).", "",
            "A request body holds only the fields listed for it, each of its type: an unknown field, a wrong type, "
                + "a value outside an enum, or a list over \(JSONSchema.defaultMaxItems) values (unless its type "
                + "names another bound) is `INVALID_ARGUMENT` naming it, before the method runs.", "",
        ]
        for service in services {
            let domain = service.methods.filter { !isCommon($0.name) }
            lines.append(
                "- [\(service.service)](#\(service.service)): "
                    + domain.map { "`\(shortName($0.name))`" }.joined(separator: ", "))
        }
        lines.append("- [bus](#bus): `Status`")
        lines.append("")
        for service in services {
            lines += ["## \(service.service)", ""]
            let domain = service.methods.filter { !isCommon($0.name) }
            let common = service.methods.filter { isCommon($0.name) }
            for method in domain { lines += section(method) }
            lines += [
                "Common methods (as every service has them): " + common.map { "`\($0.name)`" }.joined(separator: ", ")
                    + ".", "",
            ]
        }
        lines += ["## bus", "", "Answered by `octoo-bus` itself on every service's client port.", ""]
        lines += section(MethodInfo(BusMethods.status))
        lines += ["## Common methods", ""]
        for method in CommonMethods.catalogue("<service>") { lines += section(method) }
        return lines.joined(separator: "\n")
    }

    static func isCommon(_ name: String) -> Bool {
        ["Health", "Describe", "ReadEvents", "SetClock"].contains(shortName(name))
    }

    static func shortName(_ name: String) -> String {
        String(name.split(separator: ".", maxSplits: 1).last ?? Substring(name))
    }

    static func section(_ method: MethodInfo) -> [String] {
        let roles = method.roles.isEmpty ? "no actor needed" : method.roles.joined(separator: ", ")
        return [
            "### `\(method.name)`", "", method.summary, "",
            "Roles: \(roles). Safe to repeat: \(method.idempotent ? "yes" : "no, unless sent with an idempotencyKey").",
            "",
        ] + table("Request", method.request) + table("Reply", method.response)
    }

    static func table(_ title: String, _ schema: JSONValue) -> [String] {
        let rows = fields(schema)
        guard !rows.isEmpty else { return ["\(title): `{}`", ""] }
        return ["\(title):", "", "| field | type | required | meaning |", "|---|---|---|---|"]
            + rows.map { "| `\($0.path)` | \($0.type) | \($0.required ? "yes" : "") | \(escape($0.meaning)) |" } + [""]
    }

    struct Field {
        var path: String
        var type: String
        var required: Bool
        var meaning: String
    }

    /// Every field of an object schema, nested ones under dotted paths (`lists[].providerId`).
    static func fields(_ schema: JSONValue, prefix: String = "") -> [Field] {
        guard case .object(let properties)? = schema["properties"] else { return [] }
        let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        return properties.keys.sorted().flatMap { key -> [Field] in
            let property = properties[key]!
            let path = prefix + key
            var rows = [
                Field(
                    path: path, type: typeName(property), required: required.contains(key),
                    meaning: property["description"]?.stringValue ?? "")
            ]
            switch property["type"]?.stringValue {
            case "object": rows += fields(property, prefix: path + ".")
            case "array": rows += fields(property["items"] ?? .emptyObject, prefix: path + "[].")
            default: break
            }
            return rows
        }
    }

    static func typeName(_ schema: JSONValue) -> String {
        if let values = schema["enum"]?.arrayValue {
            return "one of " + values.compactMap(\.stringValue).map { "`\($0)`" }.joined(separator: ", ")
        }
        switch schema["type"]?.stringValue {
        case "string":
            return schema["format"]?.stringValue == "date-time" ? "timestamp" : "string"
        case "integer", "number":
            let name = schema["type"]!.stringValue!
            switch (bound(schema["minimum"]), bound(schema["maximum"])) {
            case (let low?, let high?): return "\(name) \(low)…\(high)"
            case (let low?, nil): return "\(name) ≥ \(low)"
            case (nil, let high?): return "\(name) ≤ \(high)"
            case (nil, nil): return name
            }
        case "array":
            let bound = schema["maxItems"].flatMap { Self.bound($0) }.map { " (at most \($0))" } ?? ""
            return "array of " + typeName(schema["items"] ?? .emptyObject) + bound
        case "object":
            if let values = schema["additionalProperties"] { return "map of " + typeName(values) }
            return "object"
        case let type?:
            return type
        case nil:
            return "any JSON"
        }
    }

    static func bound(_ value: JSONValue?) -> String? {
        switch value {
        case .integer(let number)?: "\(number)"
        case .number(let number)?: number == number.rounded() ? "\(Int64(number))" : "\(number)"
        default: nil
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
