import Contracts
import Wire

/// How a request's qualifications are made, as a pure function: the ones the request names must
/// each be usable for it (known, not archived, offered in its zone, and, when required, for its
/// provider type), or the request is refused naming it; the customer's defaults are added unless
/// overridden, each one that does not fit this request (archived, or limited to other zones or
/// provider types) skipped with the reason instead of refusing every request of the customer.
enum RequestDefaults {
    /// The request's required and preferred qualifications, and the defaults it skipped.
    static func merge(
        required: [String], preferred: [String], customer: Customer, overrideDefaults: Bool,
        known: [String: Qualification], providerType: String, zone: String?
    ) throws -> (required: [String], preferred: [String], skipped: [SkippedDefault]) {
        let named = [
            (ids: required, list: SkippedDefault.List.required, field: "body.requiredQualificationIds"),
            (ids: preferred, list: .preferred, field: "body.preferredQualificationIds"),
        ]
        for (ids, list, field) in named {
            for id in ids {
                guard let qualification = known[id] else {
                    throw OpportunitiesError.notFound(kind: "qualification", id: id, field: field)
                }
                let checkType = list == .required
                if let reason = unusable(qualification, checkType: checkType, providerType: providerType, zone: zone) {
                    throw OpportunitiesError.qualificationUnusable(
                        qualificationId: id, name: qualification.name, reason: reason, field: field)
                }
            }
        }
        guard !overrideDefaults else { return (required, preferred.filter { !required.contains($0) }, []) }
        var skipped: [SkippedDefault] = []
        func usable(_ defaults: [String], as list: SkippedDefault.List) -> [String] {
            defaults.filter { id in
                // A default the registry no longer knows is skipped like an archived one.
                guard let qualification = known[id] else {
                    skipped.append(SkippedDefault(qualificationId: id, name: id, list: list, reason: "is not known"))
                    return false
                }
                guard let reason = unusable(qualification, checkType: true, providerType: providerType, zone: zone)
                else {
                    return true
                }
                skipped.append(
                    SkippedDefault(
                        qualificationId: id, name: qualification.name, list: list, reason: describe(reason)))
                return false
            }
        }
        let defaultRequired = usable(customer.defaultRequiredQualificationIds, as: .required)
        let defaultPreferred = usable(customer.defaultPreferredQualificationIds, as: .preferred)
        let allRequired = defaultRequired + required.filter { !defaultRequired.contains($0) }
        let allPreferred = (defaultPreferred + preferred.filter { !defaultPreferred.contains($0) }).filter {
            !allRequired.contains($0)
        }
        return (allRequired, allPreferred, skipped)
    }

    /// Why `qualification` cannot be newly used on a request of `providerType` in `zone`, if it
    /// cannot: archived, not offered in the zone, or (with `checkType`) never in effect for the type.
    static func unusable(
        _ qualification: Qualification, checkType: Bool, providerType: String, zone: String?
    ) -> OpportunitiesError.UnusableReason? {
        if qualification.archived { return .archived }
        if let zone, !qualification.zones.isEmpty, !qualification.zones.contains(zone) { return .notInZone(zone) }
        if checkType, !qualification.providerTypes.isEmpty,
            !qualification.providerTypes.contains(providerType)
        {
            return .providerTypeExcluded(providerType)
        }
        return nil
    }

    private static func describe(_ reason: OpportunitiesError.UnusableReason) -> String {
        switch reason {
        case .archived: "archived"
        case .notInZone(let zone): "not offered in zone \(zone)"
        case .providerTypeExcluded(let type): "not for provider type \(type)"
        }
    }
}
