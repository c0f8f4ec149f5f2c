import Contracts
import Foundation

/// docs/design.md, "Contact dispositions", as pure functions: the system and default dispositions, what
/// a partner may define, set and archive, and when a dispositioned provider comes back into
/// rotation (recycling).
enum Dispositions {
    static let noResponse = "NO_RESPONSE"
    static let deliveryFailed = "DELIVERY_FAILED"
    static let withdrawn = "WITHDRAWN"
    static let skipped = "SKIPPED"
    static let interested = "INTERESTED"
    static let declined = "DECLINED"
    static let doNotContact = "DO_NOT_CONTACT"
    static let wrongContactDetails = "WRONG_CONTACT_DETAILS"

    /// The dispositions every partner has, with their default recycle rules (e.g. `NO_RESPONSE`:
    /// after 2 h, at most 2 attempts).
    static let builtIn: [DispositionDefinition] = [
        DispositionDefinition(
            code: noResponse, label: "No response", kind: .system, recycleAfterSeconds: 7200, maxAttempts: 2),
        DispositionDefinition(
            code: deliveryFailed, label: "Delivery failed", kind: .system, recycleAfterSeconds: 3600, maxAttempts: 2),
        DispositionDefinition(
            code: withdrawn, label: "Withdrawn (filled or cancelled first)", kind: .system, recycleAfterSeconds: 0,
            maxAttempts: 3),
        DispositionDefinition(
            code: skipped, label: "Skipped at send time", kind: .system, recycleAfterSeconds: 3600, maxAttempts: 3),
        DispositionDefinition(code: interested, label: "Interested", kind: .default),
        DispositionDefinition(code: declined, label: "Declined", kind: .default),
        DispositionDefinition(
            code: doNotContact, label: "Do not contact", kind: .default, final: true, blocks: true),
        DispositionDefinition(code: wrongContactDetails, label: "Wrong contact details", kind: .default, final: true),
    ]

    /// The built-in definition of `code`, if it is one.
    static func builtIn(_ code: String) -> DispositionDefinition? {
        builtIn.first { $0.code == code }
    }

    /// Whether a provider's answer after this disposition is a late one.
    static func isSystem(_ code: String?) -> Bool {
        code.flatMap(builtIn)?.kind == .system
    }

    /// The partner's dispositions by code: the built-ins with the partner's recycle rules (a stored
    /// row of a built-in code holds only its rule), then the custom ones.
    static func catalogue(stored: [DispositionDefinition]) -> [String: DispositionDefinition] {
        var catalogue = Dictionary(uniqueKeysWithValues: builtIn.map { ($0.code, $0) })
        for row in stored {
            if var definition = catalogue[row.code], definition.kind != .custom {
                definition.recycleAfterSeconds = row.recycleAfterSeconds
                definition.maxAttempts = row.maxAttempts
                definition.updatedAt = row.updatedAt
                catalogue[row.code] = definition
            } else {
                catalogue[row.code] = row
            }
        }
        return catalogue
    }

    /// The catalogue as `ListDispositions` shows it: system, default, then custom, each by code.
    static func listed(_ catalogue: [String: DispositionDefinition], includeArchived: Bool) -> [DispositionDefinition] {
        let rank: [DispositionKind: Int] = [.system: 0, .default: 1, .custom: 2]
        return catalogue.values.filter { includeArchived || !$0.archived }
            .sorted { (rank[$0.kind]!, $0.code) < (rank[$1.kind]!, $1.code) }
    }

    /// Upper-case letters, digits and underscores, from a letter, at most 50 characters.
    static func isValidCode(_ code: String) -> Bool {
        guard let first = code.unicodeScalars.first, code.count <= 50, ("A"..."Z").contains(first) else {
            return false
        }
        return code.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// The definition `DefineDisposition` stores: a new or changed custom disposition, or a
    /// built-in one's new recycle rule (its label and flags are fixed).
    static func define(
        _ request: DefineDispositionRequest, existing: DispositionDefinition?, at now: Date
    ) throws(BroadcastError) -> DispositionDefinition {
        guard isValidCode(request.code) else { throw .invalidField("body.code", "must match [A-Z][A-Z0-9_]*, ≤ 50") }
        if let recycle = request.recycleAfterSeconds, !(0...31_536_000).contains(recycle) {
            throw .invalidField("body.recycleAfterSeconds", "must be from 0 to 31536000")
        }
        if let max = request.maxAttempts, !(1...100).contains(max) {
            throw .invalidField("body.maxAttempts", "must be from 1 to 100")
        }
        if let builtIn = builtIn(request.code) {
            for (field, given, fixed) in [
                ("body.final", request.final, builtIn.final), ("body.blocks", request.blocks, builtIn.blocks),
            ] where given != nil && given != fixed {
                throw .builtInDisposition(code: request.code, field: field)
            }
            if let label = request.label, label != builtIn.label {
                throw .builtInDisposition(code: request.code, field: "body.label")
            }
            var rule = builtIn
            rule.recycleAfterSeconds = request.recycleAfterSeconds
            rule.maxAttempts = request.maxAttempts
            rule.updatedAt = now
            return rule
        }
        if let existing, existing.archived { throw .dispositionArchived(code: request.code) }
        let label = (request.label ?? existing?.label ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !label.isEmpty, label.count <= 200 else {
            throw .invalidField("body.label", "must be 1 to 200 characters")
        }
        return DispositionDefinition(
            code: request.code, label: label, kind: .custom, final: request.final ?? existing?.final ?? false,
            blocks: request.blocks ?? existing?.blocks ?? false, recycleAfterSeconds: request.recycleAfterSeconds,
            maxAttempts: request.maxAttempts, archived: false, updatedAt: now)
    }

    /// The disposition a partner sets with `SetDisposition`: a default or custom one not archived.
    static func settable(_ code: String, in catalogue: [String: DispositionDefinition]) throws(BroadcastError)
        -> DispositionDefinition
    {
        guard let definition = catalogue[code] else {
            throw .notFound(kind: "disposition", id: code, field: "body.code")
        }
        if definition.kind == .system { throw .systemDisposition(code: code) }
        if definition.archived { throw .dispositionArchived(code: code) }
        return definition
    }

    // MARK: What a partner's disposition does to the opportunity

    /// What a disposition the partner sets does to the provider's opportunity, through
    /// opportunities: `INTERESTED` and `DECLINED` record the provider's answer for it; a final
    /// one the partner chose to end the provider's part (`DO_NOT_CONTACT`, a custom final one)
    /// withdraws an open offer. `WRONG_CONTACT_DETAILS` says nothing of the provider's will:
    /// the offer stays open, and the provider may still answer it.
    enum OpportunityEffect: Equatable {
        case none
        case answer(interested: Bool)
        case withdrawOffer
    }

    /// The effect of setting `definition` on an attempt.
    static func effect(of definition: DispositionDefinition) -> OpportunityEffect {
        switch definition.code {
        case interested: .answer(interested: true)
        case declined: .answer(interested: false)
        case doNotContact: .withdrawOffer
        default: definition.kind == .custom && definition.final ? .withdrawOffer : .none
        }
    }

    /// Whether an opportunity already in `state` says what the answer disposition `code` says
    /// (the partner records an answer that reached opportunities first).
    static func agrees(_ code: String, with state: OpportunityState) -> Bool {
        switch code {
        case interested: ![.offered, .declined].contains(state)
        case declined: state == .declined
        default: false
        }
    }

    // MARK: Recycling

    /// When a provider may be contacted (again) for a request.
    enum Eligibility: Equatable {
        case now
        case at(Date)
        case never
    }

    /// A provider's eligibility from their attempts on the request (oldest first): anyone not yet
    /// contacted may be; nobody with an attempt still open may be; after that, the last attempt's
    /// disposition decides: recycled by `Recycle`, or by its rule (after its delay, while the
    /// provider has had fewer attempts than its maximum), never when final or without a rule.
    static func eligibility(
        _ attempts: [ContactAttempt], catalogue: [String: DispositionDefinition], now: Date
    ) -> Eligibility {
        guard let last = attempts.last else { return .now }
        guard let code = last.disposition, let at = last.dispositionAt else { return .never }
        if last.recycledAt != nil { return .now }
        guard let rule = catalogue[code], !rule.final, let delay = rule.recycleAfterSeconds,
            attempts.count < (rule.maxAttempts ?? Int.max)
        else { return .never }
        let due = at.addingTimeInterval(Double(delay))
        return due <= now ? .now : .at(due)
    }

    /// Whether `Recycle` puts back an attempt with this disposition: the codes it was given, else
    /// every one not final, not blocking and not `INTERESTED` (an interest is the decider's).
    static func recyclable(
        _ code: String?, codes: [String]?, catalogue: [String: DispositionDefinition]
    ) -> Bool {
        guard let code else { return false }
        if let codes { return codes.contains(code) }
        guard let definition = catalogue[code] else { return false }
        return !definition.final && !definition.blocks && code != interested
    }
}
