import Testing
import Wire

/// The schema's judgement of a request body: unknown fields, wrong types, enum values and list
/// lengths, each named by its path.
@Suite("Request bodies against their schema")
struct RequestShapeTests {
    static let schema = JSONSchema.object(
        [
            "name": JSONSchema.string(description: "A name."),
            "teamSize": JSONSchema.integer(minimum: 1, description: "How many."),
            "rate": JSONSchema.number(description: "A rate."),
            "urgent": JSONSchema.boolean(description: "Whether urgent."),
            "kind": JSONSchema.string(values: ["preferred", "lastResort"], description: "Which list."),
            "ids": JSONSchema.array(of: JSONSchema.string(), description: "Some ids."),
            "few": JSONSchema.array(of: JSONSchema.string(), maxItems: 2, description: "At most two."),
            "entries": JSONSchema.array(
                of: JSONSchema.object(["kind": JSONSchema.string(values: ["a", "b"], description: "A or b.")]),
                description: "Entries."),
            "counts": .object(["type": .string("object"), "additionalProperties": JSONSchema.integer(minimum: 0)]),
            "anything": JSONSchema.any(description: "Any JSON."),
        ], required: ["name"])

    static func json(_ text: String) -> JSONValue {
        (try? WireCoding.decode(JSONValue.self, from: Array(text.utf8))) ?? .null
    }

    static func fields(_ text: String) -> [String: String] {
        Dictionary(
            RequestShape.violations(of: json(text), schema: schema).map { ($0.field, $0.description) },
            uniquingKeysWith: { first, _ in first })
    }

    @Test func aWellShapedBodyPasses() {
        let found = Self.fields(
            #"{"name": "x", "teamSize": 2, "rate": 2.5, "urgent": true, "kind": "preferred", "ids": ["a"], "few": ["a", "b"], "#
                + #""entries": [{"kind": "a"}], "counts": {"registry": 3}, "anything": {"deep": [1, "two", null]}}"#)
        #expect(found.isEmpty, "\(found)")
        #expect(Self.fields(#"{"name": "x", "teamSize": 2.0, "ids": null}"#).isEmpty)
    }

    @Test func anUnknownFieldIsNamedWithTheFieldsThatExist() {
        let found = Self.fields(#"{"name": "x", "requiredQualificationId": "q-1"}"#)
        let description = found["body.requiredQualificationId"] ?? ""
        #expect(description.contains("is not a field here") && description.contains("teamSize"), "\(found)")
    }

    @Test func wrongTypesAreNamedInTheAPIsWords() {
        let found = Self.fields(
            #"{"name": 7, "teamSize": 2.5, "rate": "fast", "urgent": "yes", "ids": "a", "counts": {"x": "many"}}"#)
        #expect(
            found == [
                "body.name": "must be a string", "body.teamSize": "must be a whole number",
                "body.rate": "must be a number", "body.urgent": "must be true or false", "body.ids": "must be a list",
                "body.counts.x": "must be a whole number",
            ])
        #expect(Self.fields(#"{"name": "x", "teamSize": 1e30}"#)["body.teamSize"] == "must be a whole number")
    }

    @Test func anEnumValueOutsideTheListNamesTheAllowedOnes() {
        #expect(
            Self.fields(#"{"name": "x", "kind": "favourite"}"#) == ["body.kind": "must be one of preferred, lastResort"]
        )
        #expect(
            Self.fields(#"{"name": "x", "entries": [{"kind": "a"}, {"kind": "c"}]}"#) == [
                "body.entries[1].kind": "must be one of a, b"
            ])
    }

    @Test func listsAreBoundedByTheirMaxItemsOrTheDefault() {
        #expect(Self.fields(#"{"name": "x", "few": ["a", "b", "c"]}"#) == ["body.few": "must hold at most 2 values"])
        func ids(_ count: Int) -> String {
            #"{"name": "x", "ids": ["# + Array(repeating: #""a""#, count: count).joined(separator: ",") + "]}"
        }
        #expect(Self.fields(ids(JSONSchema.defaultMaxItems + 1)) == ["body.ids": "must hold at most 1000 values"])
        #expect(Self.fields(ids(JSONSchema.defaultMaxItems)).isEmpty)
    }

    @Test func anEmptySchemaTakesNoFieldsAndTheNamedFaultsAreBounded() {
        let empty = JSONSchema.object([:])
        let found = RequestShape.violations(of: Self.json(#"{"stray": 1}"#), schema: empty)
        #expect(found.map(\.field) == ["body.stray"])
        var many: [String: JSONValue] = [:]
        for index in 0..<100 { many["f\(index)"] = .integer(1) }
        #expect(RequestShape.violations(of: .object(many), schema: empty).count == 20)
    }
}
