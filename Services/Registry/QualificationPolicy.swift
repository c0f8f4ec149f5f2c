import Contracts
import Foundation
import Wire

/// What the registry allows a qualification to be used for: changed, applied, named as a
/// customer default. Whether it is in effect for a job is the shared rule,
/// `Domain.QualificationRules`, which matching judges the same way.
enum QualificationPolicy {
    /// An archived qualification is frozen: it cannot be changed any more.
    static func requireChangeable(_ qualification: Qualification) throws(RegistryError) {
        if qualification.archived { throw .archived(qualification: qualification.name) }
    }

    /// A qualification may be applied to a provider only while it is not archived and when its
    /// provider types (empty: all) include the provider's.
    static func requireApplicable(_ qualification: Qualification, to provider: Provider) throws(RegistryError) {
        try requireChangeable(qualification)
        if !qualification.providerTypes.isEmpty && !qualification.providerTypes.contains(provider.providerType) {
            throw .providerTypeExcluded(
                qualification: qualification.name, providerTypes: qualification.providerTypes,
                providerType: provider.providerType)
        }
    }

    /// A customer default may name an archived qualification only if it was already one of the
    /// customer's defaults: an archived qualification is never newly used.
    static func requireUsableAsDefault(
        _ qualification: Qualification, alreadyDefault: Bool, field: String
    ) throws(RegistryError) {
        if qualification.archived && !alreadyDefault {
            throw .archived(qualification: qualification.name, field: field)
        }
    }
}
