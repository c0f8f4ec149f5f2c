import Contracts
import Foundation
import Testing

@testable import BroadcastService

/// docs/design.md, "Contact dispositions", as tables, against the pure `Dispositions`: the built-in
/// catalogue, what a partner may define, set and archive, when a provider is recycled by rule,
/// and what `Recycle` takes back.
@Suite("Dispositions")
struct DispositionsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let hour: TimeInterval = 3600

    @Test func theBuiltInCatalogue() {
        let catalogue = Dispositions.catalogue(stored: [])
        let system = Dispositions.listed(catalogue, includeArchived: false).filter { $0.kind == .system }.map(\.code)
        let defaults = Dispositions.listed(catalogue, includeArchived: false).filter { $0.kind == .default }.map(\.code)
        #expect(system == ["DELIVERY_FAILED", "NO_RESPONSE", "SKIPPED", "WITHDRAWN"])
        #expect(defaults == ["DECLINED", "DO_NOT_CONTACT", "INTERESTED", "WRONG_CONTACT_DETAILS"])
        #expect(catalogue["DO_NOT_CONTACT"]?.blocks == true && catalogue["DO_NOT_CONTACT"]?.final == true)
        #expect(catalogue["NO_RESPONSE"]?.recycleAfterSeconds == 7200 && catalogue["NO_RESPONSE"]?.maxAttempts == 2)
    }

    @Test func aStoredRuleOfABuiltInChangesOnlyItsRule() {
        var stored = Dispositions.builtIn("NO_RESPONSE")!
        stored.label = "changed?"
        stored.recycleAfterSeconds = 600
        stored.maxAttempts = 5
        let custom = DispositionDefinition(code: "CALL_BACK", label: "Call back", kind: .custom, archived: true)
        let catalogue = Dispositions.catalogue(stored: [stored, custom])
        #expect(catalogue["NO_RESPONSE"]?.label == "No response")
        #expect(catalogue["NO_RESPONSE"]?.recycleAfterSeconds == 600 && catalogue["NO_RESPONSE"]?.maxAttempts == 5)
        #expect(Dispositions.listed(catalogue, includeArchived: false).last?.code == "WRONG_CONTACT_DETAILS")
        #expect(Dispositions.listed(catalogue, includeArchived: true).last?.code == "CALL_BACK")
    }

    /// A `DefineDisposition` against what exists, and its outcome.
    struct DefineCase: Sendable, CustomTestStringConvertible {
        var name: String
        var request: DefineDispositionRequest
        var existing: DispositionDefinition?
        var outcome: Result<DispositionDefinition, BroadcastError>
        var testDescription: String { name }
    }

    static let callBack = DispositionDefinition(
        code: "CALL_BACK", label: "Call back later", kind: .custom, recycleAfterSeconds: 3600, maxAttempts: 3,
        updatedAt: now)

    static let defines: [DefineCase] = [
        DefineCase(
            name: "a new custom one",
            request: DefineDispositionRequest(
                code: "CALL_BACK", label: " Call back later ", recycleAfterSeconds: 3600, maxAttempts: 3),
            existing: nil, outcome: .success(callBack)),
        DefineCase(
            name: "a custom one changed keeps its label",
            request: DefineDispositionRequest(code: "CALL_BACK", final: true), existing: callBack,
            outcome: .success(
                DispositionDefinition(
                    code: "CALL_BACK", label: "Call back later", kind: .custom, final: true, updatedAt: now))),
        DefineCase(
            name: "a new one needs a label", request: DefineDispositionRequest(code: "X"), existing: nil,
            outcome: .failure(.invalidField("body.label", "must be 1 to 200 characters"))),
        DefineCase(
            name: "a lower-case code", request: DefineDispositionRequest(code: "call_back", label: "x"), existing: nil,
            outcome: .failure(.invalidField("body.code", "must match [A-Z][A-Z0-9_]*, ≤ 50"))),
        DefineCase(
            name: "a code from a digit", request: DefineDispositionRequest(code: "1X", label: "x"), existing: nil,
            outcome: .failure(.invalidField("body.code", "must match [A-Z][A-Z0-9_]*, ≤ 50"))),
        DefineCase(
            name: "a delay out of range",
            request: DefineDispositionRequest(code: "X", label: "x", recycleAfterSeconds: -1), existing: nil,
            outcome: .failure(.invalidField("body.recycleAfterSeconds", "must be from 0 to 31536000"))),
        DefineCase(
            name: "a maximum out of range", request: DefineDispositionRequest(code: "X", label: "x", maxAttempts: 0),
            existing: nil, outcome: .failure(.invalidField("body.maxAttempts", "must be from 1 to 100"))),
        DefineCase(
            name: "an archived one", request: DefineDispositionRequest(code: "CALL_BACK", label: "x"),
            existing: DispositionDefinition(code: "CALL_BACK", label: "x", kind: .custom, archived: true),
            outcome: .failure(.dispositionArchived(code: "CALL_BACK"))),
        DefineCase(
            name: "a built-in one's rule",
            request: DefineDispositionRequest(code: "NO_RESPONSE", recycleAfterSeconds: 1800, maxAttempts: 4),
            existing: Dispositions.builtIn("NO_RESPONSE"),
            outcome: .success(
                DispositionDefinition(
                    code: "NO_RESPONSE", label: "No response", kind: .system, recycleAfterSeconds: 1800, maxAttempts: 4,
                    updatedAt: now))),
        DefineCase(
            name: "a built-in one's rule removed",
            request: DefineDispositionRequest(code: "DECLINED", label: "Declined"),
            existing: Dispositions.builtIn("DECLINED"),
            outcome: .success(
                DispositionDefinition(code: "DECLINED", label: "Declined", kind: .default, updatedAt: now))),
        DefineCase(
            name: "a built-in one's label", request: DefineDispositionRequest(code: "DECLINED", label: "Nope"),
            existing: Dispositions.builtIn("DECLINED"),
            outcome: .failure(.builtInDisposition(code: "DECLINED", field: "body.label"))),
        DefineCase(
            name: "a built-in one's flags", request: DefineDispositionRequest(code: "DO_NOT_CONTACT", blocks: false),
            existing: Dispositions.builtIn("DO_NOT_CONTACT"),
            outcome: .failure(.builtInDisposition(code: "DO_NOT_CONTACT", field: "body.blocks"))),
    ]

    @Test(arguments: defines)
    func define(_ row: DefineCase) {
        let outcome = Result { () throws(BroadcastError) in
            try Dispositions.define(row.request, existing: row.existing, at: Self.now)
        }
        #expect(outcome == row.outcome)
    }

    @Test func whatAPartnerMaySet() throws {
        let catalogue = Dispositions.catalogue(stored: [
            Self.callBack, DispositionDefinition(code: "OLD", label: "Old", kind: .custom, archived: true),
        ])
        #expect(try Dispositions.settable("DECLINED", in: catalogue).code == "DECLINED")
        #expect(try Dispositions.settable("CALL_BACK", in: catalogue).kind == .custom)
        #expect(throws: BroadcastError.systemDisposition(code: "NO_RESPONSE")) {
            try Dispositions.settable("NO_RESPONSE", in: catalogue)
        }
        #expect(throws: BroadcastError.dispositionArchived(code: "OLD")) {
            try Dispositions.settable("OLD", in: catalogue)
        }
        #expect(throws: BroadcastError.notFound(kind: "disposition", id: "NOPE", field: "body.code")) {
            try Dispositions.settable("NOPE", in: catalogue)
        }
    }

    // MARK: Recycling

    static func attempt(
        _ code: String?, hoursAgo: Double = 3, recycled: Bool = false
    ) -> ContactAttempt {
        ContactAttempt(
            id: "at-\(UUID().uuidString)", requestId: "rq", providerId: "pr", wave: 1, attemptNumber: 1, status: .sent,
            plannedAt: now.addingTimeInterval(-hoursAgo * hour), disposition: code,
            dispositionAt: code == nil ? nil : now.addingTimeInterval(-hoursAgo * hour),
            recycledAt: recycled ? now : nil)
    }

    /// A provider's attempts and when they may be contacted again.
    struct EligibilityCase: Sendable, CustomTestStringConvertible {
        var name: String
        var attempts: [ContactAttempt]
        var eligibility: Dispositions.Eligibility
        var testDescription: String { name }
    }

    static let eligibilities: [EligibilityCase] = [
        EligibilityCase(name: "never contacted", attempts: [], eligibility: .now),
        EligibilityCase(name: "an attempt still open", attempts: [attempt(nil)], eligibility: .never),
        EligibilityCase(name: "no response 3 h ago (rule: 2 h)", attempts: [attempt("NO_RESPONSE")], eligibility: .now),
        EligibilityCase(
            name: "no response 1 h ago", attempts: [attempt("NO_RESPONSE", hoursAgo: 1)],
            eligibility: .at(now.addingTimeInterval(hour))),
        EligibilityCase(
            name: "no response twice (rule: at most 2)",
            attempts: [attempt("NO_RESPONSE", hoursAgo: 9), attempt("NO_RESPONSE", hoursAgo: 5)], eligibility: .never),
        EligibilityCase(name: "declined: no rule", attempts: [attempt("DECLINED")], eligibility: .never),
        EligibilityCase(name: "interested: no rule", attempts: [attempt("INTERESTED")], eligibility: .never),
        EligibilityCase(name: "do not contact: final", attempts: [attempt("DO_NOT_CONTACT")], eligibility: .never),
        EligibilityCase(
            name: "withdrawn: back at once", attempts: [attempt("WITHDRAWN", hoursAgo: 0)], eligibility: .now),
        EligibilityCase(
            name: "declined, then recycled", attempts: [attempt("DECLINED", recycled: true)], eligibility: .now),
        EligibilityCase(
            name: "a custom rule (1 h, at most 3)", attempts: [attempt("CALL_BACK", hoursAgo: 0.5)],
            eligibility: .at(now.addingTimeInterval(0.5 * hour))),
        EligibilityCase(name: "an unknown code: never", attempts: [attempt("GONE")], eligibility: .never),
    ]

    @Test(arguments: eligibilities)
    func eligibility(_ row: EligibilityCase) {
        let catalogue = Dispositions.catalogue(stored: [Self.callBack])
        #expect(Dispositions.eligibility(row.attempts, catalogue: catalogue, now: Self.now) == row.eligibility)
    }

    @Test func whatRecycleTakesBack() {
        let catalogue = Dispositions.catalogue(stored: [Self.callBack])
        let byDefault = ["NO_RESPONSE", "DECLINED", "DELIVERY_FAILED", "WITHDRAWN", "SKIPPED", "CALL_BACK"]
        for code in byDefault { #expect(Dispositions.recyclable(code, codes: nil, catalogue: catalogue), "\(code)") }
        for code in ["INTERESTED", "DO_NOT_CONTACT", "WRONG_CONTACT_DETAILS"] {
            #expect(!Dispositions.recyclable(code, codes: nil, catalogue: catalogue), "\(code)")
        }
        #expect(
            Dispositions.recyclable("WRONG_CONTACT_DETAILS", codes: ["WRONG_CONTACT_DETAILS"], catalogue: catalogue))
        #expect(!Dispositions.recyclable("DECLINED", codes: ["NO_RESPONSE"], catalogue: catalogue))
        #expect(!Dispositions.recyclable(nil, codes: nil, catalogue: catalogue))
    }

    @Test func whatAPartnersDispositionDoesToTheOpportunity() {
        let movedAway = DispositionDefinition(code: "MOVED_AWAY", label: "Moved away", kind: .custom, final: true)
        var catalogue = Dispositions.catalogue(stored: [Self.callBack, movedAway])
        catalogue["BLOCKED_ONLY"] = DispositionDefinition(code: "BLOCKED_ONLY", label: "x", kind: .custom, blocks: true)
        let expected: [String: Dispositions.OpportunityEffect] = [
            "INTERESTED": .answer(interested: true), "DECLINED": .answer(interested: false),
            "DO_NOT_CONTACT": .withdrawOffer, "MOVED_AWAY": .withdrawOffer, "WRONG_CONTACT_DETAILS": .none,
            "CALL_BACK": .none, "BLOCKED_ONLY": .none,
        ]
        for (code, effect) in expected {
            #expect(Dispositions.effect(of: catalogue[code]!) == effect, "\(code)")
        }
        // An answer opportunities already has agrees when it says the same.
        #expect(Dispositions.agrees("INTERESTED", with: .pending) && Dispositions.agrees("INTERESTED", with: .assigned))
        #expect(
            !Dispositions.agrees("INTERESTED", with: .declined) && !Dispositions.agrees("INTERESTED", with: .offered))
        #expect(Dispositions.agrees("DECLINED", with: .declined) && !Dispositions.agrees("DECLINED", with: .pending))
        #expect(!Dispositions.agrees("DO_NOT_CONTACT", with: .declined))
    }
}
