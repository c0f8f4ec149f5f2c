import Foundation
import Transport
import Wire

/// The registry's contract: qualifications, documents, providers, availability and customers.
public enum Registry {
    /// The service name.
    public static let service = "registry"

    static let writers: Set<Actor.Role> = [.partner, .service]
    static let readers: Set<Actor.Role> = [.partner, .service]

    static func method<Request, Response>(
        _ name: String, idempotent: Bool, roles: Set<Actor.Role>, _ summary: String,
        request: JSONValue, response: JSONValue
    ) -> MethodDescriptor<Request, Response> {
        MethodDescriptor(
            "registry.\(name)", idempotent: idempotent, roles: roles, summary: summary, request: request,
            response: response)
    }

    public static let createDocumentType: MethodDescriptor<CreateDocumentTypeRequest, DocumentTypeReply> = method(
        "CreateDocumentType", idempotent: false, roles: writers,
        "Defines a document type (e.g. a certificate) for the partner.",
        request: CreateDocumentTypeRequest.schema,
        response: JSONSchema.object(
            ["documentType": DocumentType.schema.described("The document type created.")], required: ["documentType"]))
    public static let listDocumentTypes: MethodDescriptor<ListDocumentTypesRequest, ListDocumentTypesResponse> = method(
        "ListDocumentTypes", idempotent: true, roles: readers, "The partner's document types, by name, paged.",
        request: ListDocumentTypesRequest.schema,
        response: JSONSchema.object(
            ["documentTypes": JSONSchema.array(of: DocumentType.schema, description: "One page of them, by name.")],
            required: ["documentTypes"], page: .reply))
    public static let createQualification: MethodDescriptor<CreateQualificationRequest, QualificationReply> = method(
        "CreateQualification", idempotent: false, roles: writers,
        "Defines a qualification, optionally scoped to provider types and zones and backed by documents.",
        request: CreateQualificationRequest.schema, response: QualificationReply.schema)
    public static let updateQualification: MethodDescriptor<UpdateQualificationRequest, QualificationReply> = method(
        "UpdateQualification", idempotent: false, roles: writers,
        "Changes a qualification's fields; expectedVersion guards against lost updates.",
        request: UpdateQualificationRequest.schema, response: QualificationReply.schema)
    public static let archiveQualification: MethodDescriptor<ArchiveQualificationRequest, QualificationReply> = method(
        "ArchiveQualification", idempotent: true, roles: writers,
        "Archives a qualification (never deleted): it stops being in effect anywhere.",
        request: ArchiveQualificationRequest.schema, response: QualificationReply.schema)
    public static let listQualifications: MethodDescriptor<ListQualificationsRequest, ListQualificationsResponse> =
        method(
            "ListQualifications", idempotent: true, roles: readers,
            "The partner's qualifications, by name; archived ones only with includeArchived.",
            request: ListQualificationsRequest.schema,
            response: JSONSchema.object(
                [
                    "qualifications": JSONSchema.array(
                        of: Qualification.schema, description: "One page of them, by name ignoring case.")
                ],
                required: ["qualifications"], page: .reply))
    public static let upsertProvider: MethodDescriptor<UpsertProviderRequest, ProviderReply> = method(
        "UpsertProvider", idempotent: false, roles: writers, "Creates a provider, or updates the one with this id.",
        request: UpsertProviderRequest.schema,
        response: JSONSchema.object(
            ["provider": Provider.schema.described("The provider as saved.")], required: ["provider"]))
    public static let getProvider: MethodDescriptor<GetProviderRequest, GetProviderResponse> = method(
        "GetProvider", idempotent: true, roles: [.partner, .service, .provider],
        "A provider with documents, availability and each applied qualification's inEffect and reasons now (a provider reads only itself).",
        request: GetProviderRequest.schema, response: GetProviderResponse.schema)
    public static let listProviders: MethodDescriptor<ListProvidersRequest, ListProvidersResponse> = method(
        "ListProviders", idempotent: true, roles: readers,
        "The partner's providers by id, optionally of one type or zone, paged (pageToken, or afterId).",
        request: ListProvidersRequest.schema,
        response: JSONSchema.object(
            ["providers": JSONSchema.array(of: Provider.schema, description: "One page of them, by id.")],
            required: ["providers"], page: .reply))
    public static let addDocument: MethodDescriptor<AddDocumentRequest, DocumentReply> = method(
        "AddDocument", idempotent: false, roles: writers,
        "Records a document a provider holds; qualifications needing its type come into effect.",
        request: AddDocumentRequest.schema, response: DocumentReply.schema)
    public static let revokeDocument: MethodDescriptor<RevokeDocumentRequest, DocumentReply> = method(
        "RevokeDocument", idempotent: true, roles: writers, "Revokes a document; qualifications that needed it lapse.",
        request: RevokeDocumentRequest.schema, response: DocumentReply.schema)
    public static let applyQualification: MethodDescriptor<ApplyQualificationRequest, AppliedQualificationReply> =
        method(
            "ApplyQualification", idempotent: true, roles: writers,
            "Gives a provider a qualification (FAILED_PRECONDITION when its provider types exclude the provider's).",
            request: ApplyQualificationRequest.schema, response: AppliedQualificationReply.schema)
    public static let removeQualification: MethodDescriptor<RemoveQualificationRequest, AppliedQualificationReply> =
        method(
            "RemoveQualification", idempotent: false, roles: writers, "Takes a qualification away from a provider.",
            request: ApplyQualificationRequest.schema, response: AppliedQualificationReply.schema)
    public static let checkQualifications: MethodDescriptor<CheckQualificationsRequest, CheckQualificationsResponse> =
        method(
            "CheckQualifications", idempotent: true, roles: [.partner, .service, .provider],
            "Per qualification, whether it is in effect for the provider over [from, to] (and zone), with every reason it is not.",
            request: CheckQualificationsRequest.schema, response: CheckQualificationsResponse.schema)
    public static let setAvailability: MethodDescriptor<SetAvailabilityRequest, SetAvailabilityResponse> = method(
        "SetAvailability", idempotent: true, roles: [.partner, .service, .provider],
        "Replaces a provider's availability windows (available, unavailable, remoteOnly); windows may not overlap (a provider sets its own).",
        request: SetAvailabilityRequest.schema, response: SetAvailabilityResponse.schema)
    public static let upsertCustomer: MethodDescriptor<UpsertCustomerRequest, CustomerReply> = method(
        "UpsertCustomer", idempotent: false, roles: writers,
        "Creates or updates a customer: default required and preferred qualifications and provider lists.",
        request: UpsertCustomerRequest.schema, response: CustomerReply.schema)
    public static let getCustomer: MethodDescriptor<GetCustomerRequest, CustomerReply> = method(
        "GetCustomer", idempotent: true, roles: [.partner, .service, .customer],
        "A customer with its defaults and lists (a customer reads only itself).",
        request: GetCustomerRequest.schema, response: CustomerReply.schema)

    /// Event types the registry publishes (topic `registry.<type>`); `data` is the record named.
    public enum EventType {
        public static let documentTypeCreated = "documentType.created"  // DocumentType
        public static let qualificationCreated = "qualification.created"  // Qualification
        public static let qualificationUpdated = "qualification.updated"  // Qualification
        public static let qualificationArchived = "qualification.archived"  // Qualification
        public static let providerUpserted = "provider.upserted"  // Provider
        public static let documentAdded = "document.added"  // Document
        public static let documentRevoked = "document.revoked"  // DocumentRevoked (a Document, and what lapsed)
        public static let documentExpired = "document.expired"  // DocumentExpired
        public static let qualificationApplied = "qualification.applied"  // AppliedQualification
        public static let qualificationRemoved = "qualification.removed"  // AppliedQualification
        public static let availabilitySet = "availability.set"  // SetAvailabilityResponse
        public static let customerUpserted = "customer.upserted"  // Customer
        public static let vocabularySet = "vocabulary.set"  // Vocabulary
    }
}

// MARK: Records as the wire shows them

/// A partner-defined kind of document (a certificate, a clearance).
public struct DocumentType: Codable, Sendable, Equatable {
    public var partnerId: String
    public var id: String
    public var name: String
    public var description: String
    public var createdAt: Date

    public init(partnerId: String, id: String, name: String, description: String, createdAt: Date) {
        self.partnerId = partnerId
        self.id = id
        self.name = name
        self.description = description
        self.createdAt = createdAt
    }

    static let schema = JSONSchema.object(
        [
            "partnerId": JSONSchema.string(description: "The partner (tenant) it belongs to."),
            "id": JSONSchema.string(description: "Its id, made by the registry."),
            "name": JSONSchema.string(description: "Its name, unique in the partner ignoring case."),
            "description": JSONSchema.string(description: "What it is, free text; empty when none was given."),
            "createdAt": JSONSchema.timestamp(description: "When it was defined."),
        ], required: ["partnerId", "id", "name", "description", "createdAt"])
}

/// A partner-defined qualification: anything at all, optionally scoped and document-backed.
public struct Qualification: Codable, Sendable, Equatable {
    public var partnerId: String
    public var id: String
    public var name: String
    public var description: String
    /// Provider types it applies to; empty means all.
    public var providerTypes: [String]
    /// Zones it may be offered or required in; empty means all.
    public var zones: [String]
    /// Document types a provider must hold, valid over a job's window, for it to be in effect.
    public var requiredDocumentTypeIds: [String]
    public var archived: Bool
    /// Increases by one on every change.
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        partnerId: String, id: String, name: String, description: String, providerTypes: [String], zones: [String],
        requiredDocumentTypeIds: [String], archived: Bool, version: Int, createdAt: Date, updatedAt: Date
    ) {
        self.partnerId = partnerId
        self.id = id
        self.name = name
        self.description = description
        self.providerTypes = providerTypes
        self.zones = zones
        self.requiredDocumentTypeIds = requiredDocumentTypeIds
        self.archived = archived
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    static let schema = JSONSchema.object(
        [
            "partnerId": JSONSchema.string(description: "The partner (tenant) it belongs to."),
            "id": JSONSchema.string(description: "Its id, made by the registry."),
            "name": JSONSchema.string(description: "Its name, unique in the partner ignoring case."),
            "description": JSONSchema.string(description: "What it means, free text; empty when none was given."),
            "providerTypes": JSONSchema.array(
                of: JSONSchema.string(), description: "The provider types it applies to; empty: all."),
            "zones": JSONSchema.array(
                of: JSONSchema.string(), description: "The zones it may be offered or required in; empty: all."),
            "requiredDocumentTypeIds": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Document types a provider must hold, valid over a job's whole window, for it to be in "
                    + "effect; empty: none."),
            "archived": JSONSchema.boolean(
                description: "Archived: no new use (it cannot be applied, changed, newly required or made a "
                    + "default), yet still judged, and in effect, where it is already used."),
            "version": JSONSchema.integer(
                minimum: 1, description: "Increases by one on every change; send it back as expectedVersion."),
            "createdAt": JSONSchema.timestamp(description: "When it was defined."),
            "updatedAt": JSONSchema.timestamp(description: "When it last changed."),
        ],
        required: [
            "partnerId", "id", "name", "providerTypes", "zones", "requiredDocumentTypeIds", "archived", "version",
            "description", "createdAt", "updatedAt",
        ])
}

/// A latitude and longitude in degrees.
public struct GeoPoint: Codable, Sendable, Equatable {
    public var lat: Double
    public var lon: Double
    public init(lat: Double, lon: Double) {
        self.lat = lat
        self.lon = lon
    }
    static let schema = JSONSchema.object(
        [
            "lat": JSONSchema.number(minimum: -90, maximum: 90, description: "Latitude, in degrees."),
            "lon": JSONSchema.number(minimum: -180, maximum: 180, description: "Longitude, in degrees."),
        ],
        required: ["lat", "lon"])
}

/// An interpreter or captioner working for the partner.
public struct Provider: Codable, Sendable, Equatable {
    public var partnerId: String
    public var id: String
    public var name: String
    /// Partner-defined, e.g. `asl_interpreter`, `cart`, `spoken`.
    public var providerType: String
    public var email: String?
    public var phone: String?
    public var location: GeoPoint?
    public var travelRadiusKm: Double?
    public var zones: [String]
    public var active: Bool
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// Channels marked invalid (`WRONG_CONTACT_DETAILS`) until they change; nil when none is.
    public var invalidChannels: [InvalidChannel]?
    /// When its personal data was erased (`EraseProvider`): it is then inactive for good.
    public var erasedAt: Date?

    public init(
        partnerId: String, id: String, name: String, providerType: String, email: String?, phone: String?,
        location: GeoPoint?, travelRadiusKm: Double?, zones: [String], active: Bool, version: Int, createdAt: Date,
        updatedAt: Date, invalidChannels: [InvalidChannel]? = nil, erasedAt: Date? = nil
    ) {
        self.partnerId = partnerId
        self.id = id
        self.name = name
        self.providerType = providerType
        self.email = email
        self.phone = phone
        self.location = location
        self.travelRadiusKm = travelRadiusKm
        self.zones = zones
        self.active = active
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.invalidChannels = invalidChannels
        self.erasedAt = erasedAt
    }

    static let schema = JSONSchema.object(
        [
            "partnerId": JSONSchema.string(description: "The partner (tenant) the provider works for."),
            "id": JSONSchema.string(description: "The provider's id, given when created or made by the registry."),
            "name": JSONSchema.string(description: "The provider's name."),
            "providerType": JSONSchema.string(
                description: "The one kind of work the provider does, a partner's code such as asl_interpreter, "
                    + "cart or spoken."),
            "email": JSONSchema.string(
                description: "Email address; broadcast contacts by email when there is one that is not marked "
                    + "invalid, else by SMS."),
            "phone": JSONSchema.string(description: "Phone number, for SMS when there is no usable email."),
            "location": GeoPoint.schema.described(
                "Where the provider travels from, for on-site jobs' travel radius and distance; absent: unknown."),
            "travelRadiusKm": JSONSchema.number(
                minimum: 0,
                description: "How far, in km, the provider travels to an on-site job; absent: no limit is applied."),
            "zones": JSONSchema.array(
                of: JSONSchema.string(), description: "The zones the provider works in; empty: anywhere."),
            "active": JSONSchema.boolean(
                description: "An inactive provider is filtered out of every ranking and cannot be offered a job."),
            "version": JSONSchema.integer(
                minimum: 1, description: "Increases by one on every change; send it back as expectedVersion."),
            "createdAt": JSONSchema.timestamp(description: "When the provider was created."),
            "updatedAt": JSONSchema.timestamp(description: "When the provider last changed."),
            "invalidChannels": JSONSchema.array(
                of: InvalidChannel.schema,
                description: "The channels marked invalid (wrong contact details), each until the partner changes "
                    + "it; absent: none. A provider without a usable channel is never ranked nor contacted."),
            "erasedAt": JSONSchema.timestamp(
                description: "When its personal data was erased (EraseProvider): the name is a pseudonym, and it is "
                    + "inactive for good."),
        ],
        required: ["partnerId", "id", "name", "providerType", "zones", "active", "version", "createdAt", "updatedAt"])
}

/// A document a provider holds.
public struct Document: Codable, Sendable, Equatable {
    public var partnerId: String
    public var id: String
    public var providerId: String
    public var documentTypeId: String
    public var issuedAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(
        partnerId: String, id: String, providerId: String, documentTypeId: String, issuedAt: Date, expiresAt: Date?,
        revokedAt: Date?
    ) {
        self.partnerId = partnerId
        self.id = id
        self.providerId = providerId
        self.documentTypeId = documentTypeId
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    static let schema = JSONSchema.object(
        [
            "partnerId": JSONSchema.string(description: "The partner (tenant) it belongs to."),
            "id": JSONSchema.string(description: "Its id, made by the registry."),
            "providerId": JSONSchema.string(description: "The provider who holds it."),
            "documentTypeId": JSONSchema.string(description: "Its document type."),
            "issuedAt": JSONSchema.timestamp(description: "When it was issued: it counts from then."),
            "expiresAt": JSONSchema.timestamp(
                description: "When it stops counting (the registry then records document.expired); absent: never."),
            "revokedAt": JSONSchema.timestamp(
                description: "When it was revoked; a revoked document no longer counts. Absent: not revoked."),
        ], required: ["partnerId", "id", "providerId", "documentTypeId", "issuedAt"])
}

/// A qualification applied to a provider (the "badge").
public struct AppliedQualification: Codable, Sendable, Equatable {
    public var partnerId: String
    public var providerId: String
    public var qualificationId: String
    public var appliedAt: Date

    public init(partnerId: String, providerId: String, qualificationId: String, appliedAt: Date) {
        self.partnerId = partnerId
        self.providerId = providerId
        self.qualificationId = qualificationId
        self.appliedAt = appliedAt
    }
}

/// Whether one qualification is in effect for a provider over a window, and why not.
public struct QualificationStatus: Codable, Sendable, Equatable {
    public var qualificationId: String
    public var name: String
    public var applied: Bool
    public var inEffect: Bool
    /// Every reason it is not in effect (empty when it is).
    public var reasons: [String]

    public init(qualificationId: String, name: String, applied: Bool, inEffect: Bool, reasons: [String]) {
        self.qualificationId = qualificationId
        self.name = name
        self.applied = applied
        self.inEffect = inEffect
        self.reasons = reasons
    }

    static let schema = JSONSchema.object(
        [
            "qualificationId": JSONSchema.string(description: "The qualification judged."),
            "name": JSONSchema.string(description: "Its name."),
            "applied": JSONSchema.boolean(description: "Whether it is applied to the provider."),
            "inEffect": JSONSchema.boolean(
                description: "Whether it is in effect for the provider over the window (docs/design.md, \"The "
                    + "in-effect rule\")."),
            "reasons": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Every reason it is not in effect (e.g. a document expiring before the job ends); "
                    + "empty when it is."),
        ], required: ["qualificationId", "name", "applied", "inEffect", "reasons"])
}

/// A stretch of time a provider said something about.
public struct AvailabilityWindow: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case available, unavailable, remoteOnly
    }

    public var from: Date
    public var to: Date
    public var status: Status

    public init(from: Date, to: Date, status: Status) {
        self.from = from
        self.to = to
        self.status = status
    }

    static let schema = JSONSchema.object(
        [
            "from": JSONSchema.timestamp(description: "When the window starts."),
            "to": JSONSchema.timestamp(description: "When the window ends; after from."),
            "status": JSONSchema.string(
                values: Status.allCases.map(\.rawValue),
                description: "available; unavailable (filtered out of jobs it overlaps); remoteOnly (filtered "
                    + "out of on-site jobs it overlaps)."),
        ], required: ["from", "to", "status"])
}

/// A provider on one of a customer's lists.
public struct CustomerListEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Ranked first.
        case preferred
        /// Ranked after everyone else.
        case lastResort
        /// Never contacted.
        case doNotConsider
        /// When a customer has any, only these providers are considered.
        case restricted
    }

    public var providerId: String
    public var kind: Kind

    public init(providerId: String, kind: Kind) {
        self.providerId = providerId
        self.kind = kind
    }

    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider on the list."),
            "kind": JSONSchema.string(
                values: Kind.allCases.map(\.rawValue),
                description: "preferred: ranked first; lastResort: ranked after everyone else; doNotConsider: "
                    + "never considered; restricted: when the customer has any, only these are considered."),
        ], required: ["providerId", "kind"])
}

/// A customer of the partner, with request defaults and provider lists.
public struct Customer: Codable, Sendable, Equatable {
    /// The most entries a customer's lists may hold together.
    public static let maxListEntries = 10_000

    public var partnerId: String
    public var id: String
    public var name: String
    public var defaultRequiredQualificationIds: [String]
    public var defaultPreferredQualificationIds: [String]
    /// A provider may be on several lists (`restricted` and `preferred`), never on contradictory ones.
    public var lists: [CustomerListEntry]
    /// Who decides on interest in the customer's requests, and how, when a request does not say
    /// (set by the partner; absent: the partner, manually).
    public var defaultDecision: DecisionPolicy?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        partnerId: String, id: String, name: String, defaultRequiredQualificationIds: [String],
        defaultPreferredQualificationIds: [String], lists: [CustomerListEntry], defaultDecision: DecisionPolicy? = nil,
        version: Int, createdAt: Date, updatedAt: Date
    ) {
        self.partnerId = partnerId
        self.id = id
        self.name = name
        self.defaultRequiredQualificationIds = defaultRequiredQualificationIds
        self.defaultPreferredQualificationIds = defaultPreferredQualificationIds
        self.lists = lists
        self.defaultDecision = defaultDecision
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    static let schema = JSONSchema.object(
        [
            "partnerId": JSONSchema.string(description: "The partner (tenant) whose customer it is."),
            "id": JSONSchema.string(description: "The customer's id, given when created or made by the registry."),
            "name": JSONSchema.string(description: "The customer's name, unique in the partner ignoring case."),
            "defaultRequiredQualificationIds": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Qualifications added as required to each new request of the customer, unless the "
                    + "request says overrideDefaults."),
            "defaultPreferredQualificationIds": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Qualifications added as preferred to each new request of the customer, unless the "
                    + "request says overrideDefaults."),
            "lists": JSONSchema.array(
                of: CustomerListEntry.schema,
                description: "The customer's provider lists; a provider may be on several, never on contradictory "
                    + "ones."),
            "defaultDecision": DecisionPolicy.schema.described(
                "Who decides on interest in the customer's requests, and how, when a request does not say; absent: "
                    + "the partner, manually."),
            "version": JSONSchema.integer(
                minimum: 1, description: "Increases by one on every change; send it back as expectedVersion."),
            "createdAt": JSONSchema.timestamp(description: "When the customer was created."),
            "updatedAt": JSONSchema.timestamp(description: "When the customer last changed."),
        ],
        required: [
            "partnerId", "id", "name", "defaultRequiredQualificationIds", "defaultPreferredQualificationIds", "lists",
            "version", "createdAt", "updatedAt",
        ])
}

/// `document.expired`'s data: the document and the applied qualifications that lapsed with it.
public struct DocumentExpired: Codable, Sendable, Equatable {
    public var document: Document
    public var lapsedQualificationIds: [String]
    public init(document: Document, lapsedQualificationIds: [String]) {
        self.document = document
        self.lapsedQualificationIds = lapsedQualificationIds
    }
}

// MARK: Requests and replies

public struct CreateDocumentTypeRequest: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public init(name: String, description: String? = nil) {
        self.name = name
        self.description = description
    }
    static let schema = JSONSchema.object(
        [
            "name": JSONSchema.string(
                description: "Its name, at most 200 characters; ALREADY_EXISTS when the partner has one of that "
                    + "name, ignoring case."),
            "description": JSONSchema.string(description: "What it is, free text of at most 4000 characters."),
        ], required: ["name"])
}

public struct DocumentTypeReply: Codable, Sendable, Equatable {
    public var documentType: DocumentType
    public init(documentType: DocumentType) { self.documentType = documentType }
}

/// Paging of `ListDocumentTypes` (AIP-158).
public struct ListDocumentTypesRequest: Codable, Sendable, Equatable, PagedRequest {
    public var pageSize: Int?
    public var pageToken: String?
    public init(pageSize: Int? = nil, pageToken: String? = nil) {
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    static let schema = JSONSchema.object([:], page: .request(pageSizeDefault: "all that fit in one reply"))
}

public struct ListDocumentTypesResponse: Codable, Sendable, Equatable, PagedReply {
    public var documentTypes: [DocumentType]
    /// Present when more remain: pass it as `pageToken`.
    public var nextPageToken: String?
    public init(documentTypes: [DocumentType], nextPageToken: String? = nil) {
        self.documentTypes = documentTypes
        self.nextPageToken = nextPageToken
    }
}

public struct CreateQualificationRequest: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var providerTypes: [String]?
    public var zones: [String]?
    public var requiredDocumentTypeIds: [String]?
    public init(
        name: String, description: String? = nil, providerTypes: [String]? = nil, zones: [String]? = nil,
        requiredDocumentTypeIds: [String]? = nil
    ) {
        self.name = name
        self.description = description
        self.providerTypes = providerTypes
        self.zones = zones
        self.requiredDocumentTypeIds = requiredDocumentTypeIds
    }
    static let schema = JSONSchema.object(
        [
            "name": JSONSchema.string(
                description: "Its name, at most 200 characters; ALREADY_EXISTS when the partner has one of that "
                    + "name, ignoring case."),
            "description": JSONSchema.string(description: "What it means, free text of at most 4000 characters."),
            "providerTypes": JSONSchema.array(
                of: JSONSchema.string(),
                description: "The provider types it applies to (absent or empty: all); each in the partner's "
                    + "vocabulary when it has one."),
            "zones": JSONSchema.array(
                of: JSONSchema.string(),
                description: "The zones it may be offered or required in (absent or empty: all); each in the "
                    + "partner's vocabulary when it has one."),
            "requiredDocumentTypeIds": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Document types a provider must hold over a job's window for it to be in effect "
                    + "(absent or empty: none)."),
        ], required: ["name"])
}

public struct UpdateQualificationRequest: Codable, Sendable, Equatable {
    public var id: String
    public var expectedVersion: Int?
    public var name: String?
    public var description: String?
    public var providerTypes: [String]?
    public var zones: [String]?
    public var requiredDocumentTypeIds: [String]?
    /// The fields to change (`name,zones`, or `*`), clearing those named but not sent; without
    /// it, the fields sent.
    public var updateMask: String?
    public init(
        id: String, expectedVersion: Int? = nil, name: String? = nil, description: String? = nil,
        providerTypes: [String]? = nil, zones: [String]? = nil, requiredDocumentTypeIds: [String]? = nil,
        updateMask: String? = nil
    ) {
        self.id = id
        self.expectedVersion = expectedVersion
        self.name = name
        self.description = description
        self.providerTypes = providerTypes
        self.zones = zones
        self.requiredDocumentTypeIds = requiredDocumentTypeIds
        self.updateMask = updateMask
    }
    /// The paths `updateMask` may name.
    public static let maskPaths = ["name", "description", "providerTypes", "zones", "requiredDocumentTypeIds"]
    static let schema = JSONSchema.object(
        [
            "id": JSONSchema.string(
                description: "The qualification to change; an archived one cannot change (FAILED_PRECONDITION)."),
            "expectedVersion": JSONSchema.integer(
                minimum: 1, description: "The version you last read: any other is ABORTED (someone changed it first)."),
            "name": JSONSchema.string(
                description: "A new name, unique in the partner ignoring case; it cannot be cleared."),
            "description": JSONSchema.string(description: "A new description (cleared: empty)."),
            "providerTypes": JSONSchema.array(
                of: JSONSchema.string(),
                description: "New provider types (empty: all), each in the partner's vocabulary when it has one."),
            "zones": JSONSchema.array(
                of: JSONSchema.string(),
                description: "New zones (empty: all), each in the partner's vocabulary when it has one."),
            "requiredDocumentTypeIds": JSONSchema.array(
                of: JSONSchema.string(), description: "New required document types (empty: none)."),
            "updateMask": updateMaskSchema(maskPaths),
        ], required: ["id"])
}

/// The JSON Schema of an `updateMask` over `paths`; `creates` when the method may create the record.
func updateMaskSchema(_ paths: [String], creates: Bool = false) -> JSONValue {
    JSONSchema.string(
        description: "The fields to change, comma-separated (\(paths.joined(separator: ", "))), or *: exactly "
            + "those change, and those named but not sent are cleared; without it, the fields sent change"
            + (creates ? ". Ignored when creating." : "."))
}

public struct ArchiveQualificationRequest: Codable, Sendable, Equatable {
    public var id: String
    public var expectedVersion: Int?
    public init(id: String, expectedVersion: Int? = nil) {
        self.id = id
        self.expectedVersion = expectedVersion
    }
    static let schema = JSONSchema.object(
        [
            "id": JSONSchema.string(description: "The qualification to archive; archiving it again changes nothing."),
            "expectedVersion": JSONSchema.integer(
                minimum: 1, description: "The version you last read: any other is ABORTED (someone changed it first)."),
        ], required: ["id"])
}

public struct QualificationReply: Codable, Sendable, Equatable {
    public var qualification: Qualification
    public init(qualification: Qualification) { self.qualification = qualification }
    static let schema = JSONSchema.object(
        ["qualification": Qualification.schema.described("The qualification as it is now.")],
        required: ["qualification"])
}

public struct ListQualificationsRequest: Codable, Sendable, Equatable, PagedRequest {
    public var includeArchived: Bool?
    public var pageSize: Int?
    public var pageToken: String?
    public init(includeArchived: Bool? = nil, pageSize: Int? = nil, pageToken: String? = nil) {
        self.includeArchived = includeArchived
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    static let schema = JSONSchema.object(
        [
            "includeArchived": JSONSchema.boolean(description: "Also list archived qualifications (default false).")
        ], page: .request(pageSizeDefault: "all that fit in one reply"))
}

public struct ListQualificationsResponse: Codable, Sendable, Equatable, PagedReply {
    public var qualifications: [Qualification]
    /// Present when more remain: pass it as `pageToken`.
    public var nextPageToken: String?
    public init(qualifications: [Qualification], nextPageToken: String? = nil) {
        self.qualifications = qualifications
        self.nextPageToken = nextPageToken
    }
}

/// Creates a provider (`name` and `providerType` required), or changes the one with `id`: only
/// the fields sent, or exactly those named in `updateMask`.
public struct UpsertProviderRequest: Codable, Sendable, Equatable {
    public var id: String?
    public var expectedVersion: Int?
    public var name: String?
    public var providerType: String?
    public var email: String?
    public var phone: String?
    public var location: GeoPoint?
    public var travelRadiusKm: Double?
    public var zones: [String]?
    public var active: Bool?
    /// The fields to change (`zones,email`, or `*`), clearing those named but not sent; without
    /// it, the fields sent. Ignored when the provider is created.
    public var updateMask: String?
    public init(
        id: String? = nil, expectedVersion: Int? = nil, name: String? = nil, providerType: String? = nil,
        email: String? = nil, phone: String? = nil, location: GeoPoint? = nil, travelRadiusKm: Double? = nil,
        zones: [String]? = nil, active: Bool? = nil, updateMask: String? = nil
    ) {
        self.id = id
        self.expectedVersion = expectedVersion
        self.name = name
        self.providerType = providerType
        self.email = email
        self.phone = phone
        self.location = location
        self.travelRadiusKm = travelRadiusKm
        self.zones = zones
        self.active = active
        self.updateMask = updateMask
    }
    /// The paths `updateMask` may name.
    public static let maskPaths = [
        "name", "providerType", "email", "phone", "location", "travelRadiusKm", "zones", "active",
    ]
    static let schema = JSONSchema.object(
        [
            "id": JSONSchema.string(
                description: "The provider to change; absent, or an id not used yet, creates one (with that id)."),
            "expectedVersion": JSONSchema.integer(
                minimum: 1,
                description: "The version you last read: any other is ABORTED; NOT_FOUND when there "
                    + "is no provider to change."),
            "name": JSONSchema.string(
                description: "The provider's name, at most 200 characters; required to create, never cleared."),
            "providerType": JSONSchema.string(
                description: "The provider's type, in the partner's vocabulary when it has one; required to "
                    + "create, never cleared."),
            "email": JSONSchema.string(format: "email", description: "Email address, at most 320 characters."),
            "phone": JSONSchema.string(description: "Phone number, 1 to 40 characters."),
            "location": GeoPoint.schema.described("Where the provider travels from."),
            "travelRadiusKm": JSONSchema.number(
                minimum: 0, description: "How far the provider travels to an on-site job, in km (at most 20000)."),
            "zones": JSONSchema.array(
                of: JSONSchema.string(),
                description: "The zones the provider works in (empty: anywhere), each in the partner's vocabulary "
                    + "when it has one."),
            "active": JSONSchema.boolean(
                description: "Whether the provider may be ranked and offered jobs (default "
                    + "true; cleared: true)."),
            "updateMask": updateMaskSchema(maskPaths, creates: true),
        ])
}

public struct ProviderReply: Codable, Sendable, Equatable {
    public var provider: Provider
    public init(provider: Provider) { self.provider = provider }
}

public struct GetProviderRequest: Codable, Sendable, Equatable {
    public var id: String
    public init(id: String) { self.id = id }
    static let schema = JSONSchema.object(
        ["id": JSONSchema.string(description: "The provider; a provider may read only itself.")], required: ["id"])
}

public struct GetProviderResponse: Codable, Sendable, Equatable {
    public var provider: Provider
    public var documents: [Document]
    /// Each applied qualification, judged at the registry's current time.
    public var qualifications: [QualificationStatus]
    public var availability: [AvailabilityWindow]
    public init(
        provider: Provider, documents: [Document], qualifications: [QualificationStatus],
        availability: [AvailabilityWindow]
    ) {
        self.provider = provider
        self.documents = documents
        self.qualifications = qualifications
        self.availability = availability
    }
    static let schema = JSONSchema.object(
        [
            "provider": Provider.schema.described("The provider."),
            "documents": JSONSchema.array(
                of: Document.schema,
                description: "Every document the provider holds, revoked and expired ones "
                    + "included, by issue date."),
            "qualifications": JSONSchema.array(
                of: QualificationStatus.schema,
                description: "Each qualification applied to the provider, judged at the registry's current time, by "
                    + "name."),
            "availability": JSONSchema.array(
                of: AvailabilityWindow.schema, description: "The provider's availability windows, earliest first."),
        ], required: ["provider", "documents", "qualifications", "availability"])
}

public struct ListProvidersRequest: Codable, Sendable, Equatable, PagedRequest {
    public var providerType: String?
    public var zone: String?
    public var activeOnly: Bool?
    public var afterId: String?
    public var limit: Int?
    /// AIP-158 paging; `pageSize` is `limit` by another name (`limit` kept for older clients).
    public var pageSize: Int?
    public var pageToken: String?
    public init(
        providerType: String? = nil, zone: String? = nil, activeOnly: Bool? = nil, afterId: String? = nil,
        limit: Int? = nil,
        pageSize: Int? = nil, pageToken: String? = nil
    ) {
        self.providerType = providerType
        self.zone = zone
        self.activeOnly = activeOnly
        self.afterId = afterId
        self.limit = limit
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    static let schema = JSONSchema.object(
        [
            "providerType": JSONSchema.string(description: "Only providers of this type."),
            "zone": JSONSchema.string(
                description: "Only providers who list this zone (not those who list none and work anywhere)."),
            "activeOnly": JSONSchema.boolean(description: "Only active providers (default false: all)."),
            "afterId": JSONSchema.string(
                description: "Older clients' paging: start after this provider id. pageToken, when sent, wins."),
            "limit": JSONSchema.integer(
                minimum: 1, maximum: 1000,
                description: "pageSize's older name, kept for older clients (default 200); pageSize, when sent, wins."),
        ], page: .request(pageSizeDefault: "limit, or 200"))
}

public struct ListProvidersResponse: Codable, Sendable, Equatable, PagedReply {
    public var providers: [Provider]
    /// Present when more remain: pass it as `pageToken`.
    public var nextPageToken: String?
    public init(providers: [Provider], nextPageToken: String? = nil) {
        self.providers = providers
        self.nextPageToken = nextPageToken
    }
}

public struct AddDocumentRequest: Codable, Sendable, Equatable {
    public var providerId: String
    public var documentTypeId: String
    public var issuedAt: Date
    public var expiresAt: Date?
    public init(providerId: String, documentTypeId: String, issuedAt: Date, expiresAt: Date? = nil) {
        self.providerId = providerId
        self.documentTypeId = documentTypeId
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }
    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider who holds the document."),
            "documentTypeId": JSONSchema.string(description: "The document's type."),
            "issuedAt": JSONSchema.timestamp(description: "When it was issued: it counts from then."),
            "expiresAt": JSONSchema.timestamp(description: "When it expires, after issuedAt; absent: never."),
        ], required: ["providerId", "documentTypeId", "issuedAt"])
}

public struct RevokeDocumentRequest: Codable, Sendable, Equatable {
    public var id: String
    public init(id: String) { self.id = id }
    static let schema = JSONSchema.object(
        ["id": JSONSchema.string(description: "The document to revoke; revoking it again changes nothing.")],
        required: ["id"])
}

public struct DocumentReply: Codable, Sendable, Equatable {
    public var document: Document
    public init(document: Document) { self.document = document }
    static let schema = JSONSchema.object(
        ["document": Document.schema.described("The document as it is now.")], required: ["document"])
}

public struct ApplyQualificationRequest: Codable, Sendable, Equatable {
    public var providerId: String
    public var qualificationId: String
    public init(providerId: String, qualificationId: String) {
        self.providerId = providerId
        self.qualificationId = qualificationId
    }
    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider."),
            "qualificationId": JSONSchema.string(description: "The qualification to apply to, or remove from, them."),
        ],
        required: ["providerId", "qualificationId"])
}

/// `RemoveQualification` takes the same body as `ApplyQualification`.
public typealias RemoveQualificationRequest = ApplyQualificationRequest

public struct AppliedQualificationReply: Codable, Sendable, Equatable {
    public var applied: AppliedQualification
    public init(applied: AppliedQualification) { self.applied = applied }
    static let schema = JSONSchema.object(
        [
            "applied": JSONSchema.object(
                [
                    "partnerId": JSONSchema.string(description: "The partner (tenant)."),
                    "providerId": JSONSchema.string(description: "The provider."),
                    "qualificationId": JSONSchema.string(description: "The qualification."),
                    "appliedAt": JSONSchema.timestamp(description: "When it was applied to the provider."),
                ], required: ["partnerId", "providerId", "qualificationId", "appliedAt"],
                description: "The badge: applied (the first one, when applied twice), or the one removed.")
        ], required: ["applied"])
}

public struct CheckQualificationsRequest: Codable, Sendable, Equatable {
    public var providerId: String
    public var from: Date
    public var to: Date
    public var zone: String?
    /// Which to judge; default every qualification applied to the provider.
    public var qualificationIds: [String]?
    public init(providerId: String, from: Date, to: Date, zone: String? = nil, qualificationIds: [String]? = nil) {
        self.providerId = providerId
        self.from = from
        self.to = to
        self.zone = zone
        self.qualificationIds = qualificationIds
    }
    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider; a provider may check only itself."),
            "from": JSONSchema.timestamp(description: "Start of the window, e.g. the job's start."),
            "to": JSONSchema.timestamp(description: "End of the window, after from: documents must last until then."),
            "zone": JSONSchema.string(
                description: "The job's zone, judged against each qualification's zones; absent: not judged."),
            "qualificationIds": JSONSchema.array(
                of: JSONSchema.string(),
                description: "The qualifications to judge (applied or not); absent: every one applied to the "
                    + "provider."),
        ], required: ["providerId", "from", "to"])
}

public struct CheckQualificationsResponse: Codable, Sendable, Equatable {
    public var providerId: String
    public var results: [QualificationStatus]
    public init(providerId: String, results: [QualificationStatus]) {
        self.providerId = providerId
        self.results = results
    }
    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider judged."),
            "results": JSONSchema.array(
                of: QualificationStatus.schema, description: "One verdict per qualification, by name."),
        ], required: ["providerId", "results"])
}

public struct SetAvailabilityRequest: Codable, Sendable, Equatable {
    public var providerId: String
    public var windows: [AvailabilityWindow]
    public init(providerId: String, windows: [AvailabilityWindow]) {
        self.providerId = providerId
        self.windows = windows
    }
    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider; a provider may set only its own."),
            "windows": JSONSchema.array(
                of: AvailabilityWindow.schema,
                description: "The provider's windows, replacing every one it had ([] clears them): at most 1000, "
                    + "none overlapping."),
        ], required: ["providerId", "windows"])
}

public struct SetAvailabilityResponse: Codable, Sendable, Equatable {
    public var partnerId: String
    public var providerId: String
    public var windows: [AvailabilityWindow]
    public init(partnerId: String, providerId: String, windows: [AvailabilityWindow]) {
        self.partnerId = partnerId
        self.providerId = providerId
        self.windows = windows
    }
    static let schema = JSONSchema.object(
        [
            "partnerId": JSONSchema.string(description: "The partner (tenant)."),
            "providerId": JSONSchema.string(description: "The provider."),
            "windows": JSONSchema.array(
                of: AvailabilityWindow.schema, description: "The provider's windows as saved, earliest first."),
        ], required: ["partnerId", "providerId", "windows"])
}

/// Creates a customer (`name` required), or changes the one with `id`: only the fields sent, or
/// exactly those named in `updateMask`.
public struct UpsertCustomerRequest: Codable, Sendable, Equatable {
    public var id: String?
    public var expectedVersion: Int?
    public var name: String?
    public var defaultRequiredQualificationIds: [String]?
    public var defaultPreferredQualificationIds: [String]?
    public var lists: [CustomerListEntry]?
    /// Who decides on interest in the customer's requests, and how, unless a request says otherwise.
    public var defaultDecision: DecisionPolicy?
    /// The fields to change (`lists`, or `*`), clearing those named but not sent; without it,
    /// the fields sent. Ignored when the customer is created.
    public var updateMask: String?
    public init(
        id: String? = nil, expectedVersion: Int? = nil, name: String? = nil,
        defaultRequiredQualificationIds: [String]? = nil, defaultPreferredQualificationIds: [String]? = nil,
        lists: [CustomerListEntry]? = nil, defaultDecision: DecisionPolicy? = nil, updateMask: String? = nil
    ) {
        self.id = id
        self.expectedVersion = expectedVersion
        self.name = name
        self.defaultRequiredQualificationIds = defaultRequiredQualificationIds
        self.defaultPreferredQualificationIds = defaultPreferredQualificationIds
        self.lists = lists
        self.defaultDecision = defaultDecision
        self.updateMask = updateMask
    }
    /// The paths `updateMask` may name.
    public static let maskPaths = [
        "name", "defaultRequiredQualificationIds", "defaultPreferredQualificationIds", "lists", "defaultDecision",
    ]
    static let schema = JSONSchema.object(
        [
            "id": JSONSchema.string(
                description: "The customer to change; absent, or an id not used yet, creates one (with that id)."),
            "expectedVersion": JSONSchema.integer(
                minimum: 1,
                description: "The version you last read: any other is ABORTED; NOT_FOUND when there "
                    + "is no customer to change."),
            "name": JSONSchema.string(
                description: "The customer's name, at most 200 characters and unique in the partner ignoring case; "
                    + "required to create, never cleared."),
            "defaultRequiredQualificationIds": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Qualifications every new request of the customer requires (not archived, unless "
                    + "already a default)."),
            "defaultPreferredQualificationIds": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Qualifications every new request of the customer prefers (not archived, unless "
                    + "already a default), none also a required default."),
            "lists": JSONSchema.array(
                of: CustomerListEntry.schema, maxItems: Customer.maxListEntries,
                description: "The customer's provider lists, replaced whole: doNotConsider with any other list, or "
                    + "preferred with lastResort, for one provider is INVALID_ARGUMENT."),
            "defaultDecision": DecisionPolicy.schema.described(
                "Who decides on interest in the customer's requests, and how, when a request does not say "
                    + "(cleared: the partner, manually)."),
            "updateMask": updateMaskSchema(maskPaths, creates: true),
        ])
}

public struct GetCustomerRequest: Codable, Sendable, Equatable {
    public var id: String
    public init(id: String) { self.id = id }
    static let schema = JSONSchema.object(
        ["id": JSONSchema.string(description: "The customer; a customer may read only itself.")], required: ["id"])
}

public struct CustomerReply: Codable, Sendable, Equatable {
    public var customer: Customer
    public init(customer: Customer) { self.customer = customer }
    static let schema = JSONSchema.object(
        ["customer": Customer.schema.described("The customer as it is now.")], required: ["customer"])
}
