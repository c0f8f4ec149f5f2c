import Contracts
import Domain
import Testing

/// The customer-defaults merge both opportunities and matching apply, as one table: each row a
/// job's own lists, the customer's defaults, and the lists and notes that must come out.
@Suite("The customer-defaults merge")
struct CustomerDefaultsTests {
    typealias Scope = QualificationRules.Scope

    static func scope(_ name: String, types: [String] = [], zones: [String] = [], archived: Bool = false) -> Scope {
        Scope(name: name, providerTypes: types, zones: zones, requiredDocumentTypeIds: [], archived: archived)
    }

    /// The partner's qualifications: plain ones, one archived, one for zone NM, one for cart only.
    static let known: [String: Scope] = [
        "q-a": scope("A"), "q-b": scope("B"), "q-c": scope("C"), "q-old": scope("Old", archived: true),
        "q-nm": scope("New Mexico", zones: ["NM"]), "q-cart": scope("Captions", types: ["cart"]),
        "q-asl": scope("Signing", types: ["asl", "cart"], zones: ["IL", "NM"]),
    ]

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var required: [String] = []
        var preferred: [String] = []
        var defaultRequired: [String] = []
        var defaultPreferred: [String] = []
        var overrideDefaults = false
        var zone: String? = "IL"
        var merged: CustomerDefaults.Merged
        var testDescription: String { name }
    }

    static func skipped(_ id: String, _ name: String, _ list: SkippedDefault.List, _ reason: String) -> SkippedDefault {
        SkippedDefault(qualificationId: id, name: name, list: list, reason: reason)
    }

    static let rows: [Row] = [
        Row(
            name: "no defaults", required: ["q-a"], preferred: ["q-b"],
            merged: .init(required: ["q-a"], preferred: ["q-b"])),
        Row(
            name: "defaults first, then the job's own", required: ["q-b"], preferred: ["q-c"], defaultRequired: ["q-a"],
            defaultPreferred: ["q-asl"], merged: .init(required: ["q-a", "q-b"], preferred: ["q-asl", "q-c"])),
        Row(
            name: "a default the job names too is listed once, in the default's place", required: ["q-b", "q-a"],
            defaultRequired: ["q-a"], merged: .init(required: ["q-a", "q-b"], preferred: [])),
        Row(
            name: "required wins over preferred, whichever list it came from", required: ["q-a"], preferred: ["q-b"],
            defaultRequired: ["q-b"], defaultPreferred: ["q-a", "q-c"],
            merged: .init(required: ["q-b", "q-a"], preferred: ["q-c"])),
        Row(
            name: "overridden: the job's lists as given, less preferred ones also required", required: ["q-a"],
            preferred: ["q-a", "q-b"], defaultRequired: ["q-c"], defaultPreferred: ["q-old"], overrideDefaults: true,
            merged: .init(required: ["q-a"], preferred: ["q-b"])),
        Row(
            name: "an archived default is skipped from either list", defaultRequired: ["q-old", "q-a"],
            defaultPreferred: ["q-old"],
            merged: .init(
                required: ["q-a"], preferred: [],
                skipped: [
                    skipped("q-old", "Old", .required, "archived"), skipped("q-old", "Old", .preferred, "archived"),
                ]
            )),
        Row(
            name: "a default for another zone is skipped", defaultRequired: ["q-nm"], defaultPreferred: ["q-asl"],
            merged: .init(
                required: [], preferred: ["q-asl"],
                skipped: [skipped("q-nm", "New Mexico", .required, "not offered in zone IL")])
        ),
        Row(
            name: "without a zone, a zoned default is kept", defaultRequired: ["q-nm"], zone: nil,
            merged: .init(required: ["q-nm"], preferred: [])),
        Row(
            name: "a default for other provider types is skipped from either list", defaultRequired: ["q-cart"],
            defaultPreferred: ["q-cart", "q-b"],
            merged: .init(
                required: [], preferred: ["q-b"],
                skipped: [
                    skipped("q-cart", "Captions", .required, "not for provider type asl"),
                    skipped("q-cart", "Captions", .preferred, "not for provider type asl"),
                ])),
        Row(
            name: "an unknown default is skipped, its id standing in for the name", required: ["q-a"],
            defaultRequired: ["q-gone"], defaultPreferred: ["q-gone-too"],
            merged: .init(
                required: ["q-a"], preferred: [],
                skipped: [
                    skipped("q-gone", "q-gone", .required, "is not known"),
                    skipped("q-gone-too", "q-gone-too", .preferred, "is not known"),
                ])),
        Row(
            name: "a skipped default the job names itself stays, as the job's own", required: ["q-old"],
            defaultRequired: ["q-old"],
            merged: .init(required: ["q-old"], preferred: [], skipped: [skipped("q-old", "Old", .required, "archived")])
        ),
    ]

    @Test(arguments: rows)
    func merges(_ row: Row) {
        let merged = CustomerDefaults.merge(
            required: row.required, preferred: row.preferred, defaultRequired: row.defaultRequired,
            defaultPreferred: row.defaultPreferred, overrideDefaults: row.overrideDefaults, known: Self.known,
            providerType: "asl", zone: row.zone)
        #expect(merged == row.merged)
    }

    @Test(
        arguments: [
            (scope("plain"), true, "IL", nil),
            (scope("archived", archived: true), false, nil, CustomerDefaults.Unfit.archived),
            // Archived is reported before anything else about it.
            (scope("both", zones: ["NM"], archived: true), true, "IL", .archived),
            (scope("zoned", zones: ["NM"]), true, "IL", .notInZone("IL")),
            (scope("zoned", zones: ["NM"]), true, nil, nil),
            (scope("typed", types: ["cart"]), true, "IL", .providerTypeExcluded("asl")),
            // A preferred qualification the job names is not checked against the type.
            (scope("typed", types: ["cart"]), false, "IL", nil),
        ] as [(Scope, Bool, String?, CustomerDefaults.Unfit?)])
    func judgesOneQualification(scope: Scope, checkType: Bool, zone: String?, expected: CustomerDefaults.Unfit?) {
        #expect(CustomerDefaults.unfit(scope, checkType: checkType, providerType: "asl", zone: zone) == expected)
    }

    @Test func theReasonsReadAsTheNotesGiveThem() {
        #expect("\(CustomerDefaults.Unfit.archived)" == "archived")
        #expect("\(CustomerDefaults.Unfit.notInZone("IL"))" == "not offered in zone IL")
        #expect("\(CustomerDefaults.Unfit.providerTypeExcluded("asl"))" == "not for provider type asl")
        #expect(CustomerDefaults.unknownReason == "is not known")
    }
}
