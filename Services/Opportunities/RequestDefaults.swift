import Contracts
import Domain
import Wire

/// A new request's qualifications: the ones it names must each be usable for it (known, not
/// archived, offered in its zone, and, when required, for its provider type), or the request is
/// refused naming it; the customer's defaults are then merged in by the rule matching applies
/// too (`CustomerDefaults`), each one that does not fit skipped with a note.
enum RequestDefaults {
    /// The request's required and preferred qualifications, and the defaults it skipped.
    static func merge(
        required: [String], preferred: [String], customer: Customer, overrideDefaults: Bool,
        known: [String: Qualification], providerType: String, zone: String?
    ) throws -> CustomerDefaults.Merged {
        let named = [
            (ids: required, list: SkippedDefault.List.required, field: "body.requiredQualificationIds"),
            (ids: preferred, list: .preferred, field: "body.preferredQualificationIds"),
        ]
        for (ids, list, field) in named {
            for id in ids {
                guard let qualification = known[id] else {
                    throw OpportunitiesError.notFound(kind: "qualification", id: id, field: field)
                }
                if let reason = CustomerDefaults.unfit(
                    QualificationRules.Scope(qualification), checkType: list == .required, providerType: providerType,
                    zone: zone)
                {
                    throw OpportunitiesError.qualificationUnusable(
                        qualificationId: id, name: qualification.name, reason: reason, field: field)
                }
            }
        }
        return CustomerDefaults.merge(
            required: required, preferred: preferred, defaultRequired: customer.defaultRequiredQualificationIds,
            defaultPreferred: customer.defaultPreferredQualificationIds, overrideDefaults: overrideDefaults,
            known: known.mapValues(QualificationRules.Scope.init), providerType: providerType, zone: zone)
    }
}
