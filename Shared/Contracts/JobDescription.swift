import Foundation
import Transport
import Wire

/// A job as matching judges it: who is needed, when, where, with which qualifications. It is the
/// `request` field of `matching.Rank` and `matching.Check`, and has exactly the fields (and the
/// JSON Schema) of `opportunities.CreateRequest`'s body, so one body serves both services.
public struct JobDescription: Codable, Sendable, Equatable {
    public var customerId: String
    public var providerType: String
    public var startsAt: Date
    public var endsAt: Date
    public var remote: Bool?
    public var location: GeoPoint?
    public var zone: String?
    public var teamSize: Int?
    public var requiredQualificationIds: [String]?
    public var preferredQualificationIds: [String]?
    /// Use the qualification lists as given instead of adding the customer's defaults.
    public var overrideDefaults: Bool?
    /// Read by opportunities only; kept so that a `CreateRequest` body is a valid job as it is.
    public var decision: DecisionPolicy?

    public init(
        customerId: String, providerType: String, startsAt: Date, endsAt: Date, remote: Bool? = nil,
        location: GeoPoint? = nil, zone: String? = nil, teamSize: Int? = nil, requiredQualificationIds: [String]? = nil,
        preferredQualificationIds: [String]? = nil, overrideDefaults: Bool? = nil, decision: DecisionPolicy? = nil
    ) {
        self.customerId = customerId
        self.providerType = providerType
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.remote = remote
        self.location = location
        self.zone = zone
        self.teamSize = teamSize
        self.requiredQualificationIds = requiredQualificationIds
        self.preferredQualificationIds = preferredQualificationIds
        self.overrideDefaults = overrideDefaults
        self.decision = decision
    }

    /// The published field names are `CreateRequest`'s: clients write one body for both.
    static let schema = CreateRequestRequest.schema
}

extension CreateRequestRequest {
    /// The job this body asks for, as `matching.Rank` takes it (the same fields, the same values).
    public var job: JobDescription {
        JobDescription(
            customerId: customerId, providerType: providerType, startsAt: startsAt, endsAt: endsAt, remote: remote,
            location: location, zone: zone, teamSize: teamSize, requiredQualificationIds: requiredQualificationIds,
            preferredQualificationIds: preferredQualificationIds, overrideDefaults: overrideDefaults,
            decision: decision)
    }
}

extension RequestRecord {
    /// The job of this request as it was made, its defaults already merged (`overrideDefaults`):
    /// what `matching.Rank` and `matching.Check` judge for it.
    public var job: JobDescription {
        JobDescription(
            customerId: customerId, providerType: providerType, startsAt: startsAt, endsAt: endsAt, remote: remote,
            location: location, zone: zone, teamSize: teamSize, requiredQualificationIds: requiredQualificationIds,
            preferredQualificationIds: preferredQualificationIds, overrideDefaults: true, decision: decision)
    }
}
