import Contracts

/// How a customer's default qualifications join a job's own, as a pure function shared by the
/// two services that apply it (`opportunities.CreateRequest` when it makes a request,
/// `matching.Rank` and `Check` when they judge a job), so the two can never disagree.
///
/// The defaults come first and a required one wins over a preferred one. A default that does
/// not fit the job (unknown, archived, not offered in its zone, or for other provider types) is
/// skipped with the reason instead of refusing every job of the customer; `overrideDefaults`
/// leaves them all out. Qualifications the job names itself are the caller's to check.
public enum CustomerDefaults {
    /// Why a qualification cannot be newly asked for on a job.
    public enum Unfit: Sendable, Equatable, CustomStringConvertible {
        case archived
        case notInZone(String)
        case providerTypeExcluded(String)

        /// The reason as a skipped default's note gives it.
        public var description: String {
            switch self {
            case .archived: "archived"
            case .notInZone(let zone): "not offered in zone \(zone)"
            case .providerTypeExcluded(let type): "not for provider type \(type)"
            }
        }
    }

    /// A job's qualification lists once the defaults are merged in, and the defaults left out.
    public struct Merged: Sendable, Equatable {
        public var required: [String]
        public var preferred: [String]
        public var skipped: [SkippedDefault]

        public init(required: [String], preferred: [String], skipped: [SkippedDefault] = []) {
            self.required = required
            self.preferred = preferred
            self.skipped = skipped
        }
    }

    /// The reason unknown defaults are skipped with (their id stands in for the name).
    public static let unknownReason = "is not known"

    /// Why `scope` cannot be newly used on a job of `providerType` in `zone`, if it cannot:
    /// archived, not offered in the zone, or (with `checkType`) never in effect for the type.
    public static func unfit(
        _ scope: QualificationRules.Scope, checkType: Bool, providerType: String, zone: String?
    ) -> Unfit? {
        if scope.archived { return .archived }
        if let zone, !scope.zones.isEmpty, !scope.zones.contains(zone) { return .notInZone(zone) }
        if checkType, !scope.providerTypes.isEmpty, !scope.providerTypes.contains(providerType) {
            return .providerTypeExcluded(providerType)
        }
        return nil
    }

    /// The job's `required` and `preferred` with the customer's defaults merged in.
    /// - Parameter known: the scopes of the partner's qualifications, at least the defaults'.
    public static func merge(
        required: [String], preferred: [String], defaultRequired: [String], defaultPreferred: [String],
        overrideDefaults: Bool, known: [String: QualificationRules.Scope], providerType: String, zone: String?
    ) -> Merged {
        guard !overrideDefaults else {
            return Merged(required: required, preferred: preferred.filter { !required.contains($0) })
        }
        var skipped: [SkippedDefault] = []
        func fitting(_ defaults: [String], as list: SkippedDefault.List) -> [String] {
            defaults.filter { id in
                guard let scope = known[id] else {
                    skipped.append(SkippedDefault(qualificationId: id, name: id, list: list, reason: unknownReason))
                    return false
                }
                // Defaults are checked against the type in both lists: a default applies to every job.
                guard let why = unfit(scope, checkType: true, providerType: providerType, zone: zone) else {
                    return true
                }
                skipped.append(SkippedDefault(qualificationId: id, name: scope.name, list: list, reason: "\(why)"))
                return false
            }
        }
        let defaultsRequired = fitting(defaultRequired, as: .required)
        let defaultsPreferred = fitting(defaultPreferred, as: .preferred)
        let allRequired = defaultsRequired + required.filter { !defaultsRequired.contains($0) }
        let allPreferred = (defaultsPreferred + preferred.filter { !defaultsPreferred.contains($0) }).filter {
            !allRequired.contains($0)
        }
        return Merged(required: allRequired, preferred: allPreferred, skipped: skipped)
    }
}
