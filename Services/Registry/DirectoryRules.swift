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

    /// Checks a customer's lists: each (provider, list) once, no provider on contradictory lists.
    static func validate(_ lists: [CustomerListEntry], into validator: inout Validator) {
        for (index, entry) in lists.enumerated() {
            for (earlier, other) in lists[..<index].enumerated() where other.providerId == entry.providerId {
                if other.kind == entry.kind {
                    validator.require(false, "body.lists[\(index)]", "repeats lists[\(earlier)]")
                } else if contradict(other.kind, entry.kind) {
                    validator.require(
                        false, "body.lists[\(index)].kind",
                        "\(entry.kind.rawValue) contradicts lists[\(earlier)] (\(other.kind.rawValue)) for the same provider"
                    )
                }
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
