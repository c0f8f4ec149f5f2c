import Contracts
import ServiceKit

/// Pure rules of the registry's directory: which customer lists a provider may be on together,
/// and which codes the partner's vocabulary accepts.
enum DirectoryRules {
    /// Pairs of lists that contradict each other for one provider: never considered and yet
    /// ranked or allowed, or ranked first and last at once. `restricted` with `preferred` or
    /// `lastResort` is fine (allowed, then ranked).
    static func contradict(_ one: CustomerListEntry.Kind, _ other: CustomerListEntry.Kind) -> Bool {
        guard one != other else { return false }
        let pair: Set = [one, other]
        return pair.contains(.doNotConsider) || pair == [.preferred, .lastResort]
    }

    /// The most entries a customer's lists may hold together.
    static let maxListEntries = Customer.maxListEntries
    /// Faults named at most in one reply: enough to fix, never a reply too large to send.
    static let maxFaultsNamed = 20

    /// Checks a customer's lists: at most `maxListEntries`, each (provider, list) once, no provider
    /// on contradictory lists. Linear in the entries: each is compared only with the earlier ones
    /// of its own provider (four kinds at most).
    static func validate(_ lists: [CustomerListEntry], into validator: inout Validator) {
        guard lists.count <= maxListEntries else {
            validator.require(false, "body.lists", "must hold at most \(maxListEntries) entries")
            return
        }
        // Per provider, the first entry of each kind: at most four, so each entry costs O(1).
        var seen: [String: [(index: Int, kind: CustomerListEntry.Kind)]] = [:]
        var faults = 0
        for (index, entry) in lists.enumerated() where faults < maxFaultsNamed {
            let before = validator.violations.count
            defer { faults += validator.violations.count - before }
            for other in seen[entry.providerId] ?? [] {
                if other.kind == entry.kind {
                    validator.require(false, "body.lists[\(index)]", "repeats lists[\(other.index)]")
                } else if contradict(other.kind, entry.kind) {
                    validator.require(
                        false, "body.lists[\(index)].kind",
                        "\(entry.kind.rawValue) contradicts lists[\(other.index)] (\(other.kind.rawValue)) for the same provider"
                    )
                }
            }
            if !(seen[entry.providerId] ?? []).contains(where: { $0.kind == entry.kind }) {
                seen[entry.providerId, default: []].append((index, entry.kind))
            }
        }
    }
}

extension Vocabulary {
    /// Refuses a code the vocabulary does not accept as a `kind` (`INVALID_ARGUMENT` naming `field`).
    func require(_ code: String, of kind: Kind, field: String) throws(RegistryError) {
        if !allows(code, as: kind) { throw .unknownCode(kind: kind, code: code, field: field) }
    }

    /// Refuses the first of `codes` the vocabulary does not accept, naming its index in `field`.
    func require(_ codes: [String], of kind: Kind, field: String) throws(RegistryError) {
        for (index, code) in codes.enumerated() { try require(code, of: kind, field: "\(field)[\(index)]") }
    }
}
