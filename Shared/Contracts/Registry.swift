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
        response: JSONSchema.object(["documentType": DocumentType.schema], required: ["documentType"]))
    public static let listDocumentTypes: MethodDescriptor<ListDocumentTypesRequest, ListDocumentTypesResponse> = method(
        "ListDocumentTypes", idempotent: true, roles: readers, "The partner's document types, by name, paged.",
        request: ListDocumentTypesRequest.schema,
        response: JSONSchema.object(
            ["documentTypes": JSONSchema.array(of: DocumentType.schema)],
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
                ["qualifications": JSONSchema.array(of: Qualification.schema)],
                required: ["qualifications"], page: .reply))
    public static let upsertProvider: MethodDescriptor<UpsertProviderRequest, ProviderReply> = method(
        "UpsertProvider", idempotent: false, roles: writers, "Creates a provider, or updates the one with this id.",
        request: UpsertProviderRequest.schema,
        response: JSONSchema.object(["provider": Provider.schema], required: ["provider"]))
    public static let getProvider: MethodDescriptor<GetProviderRequest, GetProviderResponse> = method(
        "GetProvider", idempotent: true, roles: [.partner, .service, .provider],
        "A provider with documents, availability and each applied qualification's inEffect and reasons now (a provider reads only itself).",
        request: GetProviderRequest.schema, response: GetProviderResponse.schema)
    public static let listProviders: MethodDescriptor<ListProvidersRequest, ListProvidersResponse> = method(
        "ListProviders", idempotent: true, roles: readers,
        "The partner's providers by id, optionally of one type or zone, paged (pageToken, or afterId).",
        request: ListProvidersRequest.schema,
        response: JSONSchema.object(
            ["providers": JSONSchema.array(of: Provider.schema)],
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
            "partnerId": JSONSchema.string(), "id": JSONSchema.string(), "name": JSONSchema.string(),
            "description": JSONSchema.string(), "createdAt": JSONSchema.timestamp,
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
            "partnerId": JSONSchema.string(), "id": JSONSchema.string(), "name": JSONSchema.string(),
            "description": JSONSchema.string(),
            "providerTypes": JSONSchema.array(of: JSONSchema.string()),
            "zones": JSONSchema.array(of: JSONSchema.string()),
            "requiredDocumentTypeIds": JSONSchema.array(of: JSONSchema.string()), "archived": JSONSchema.boolean,
            "version": JSONSchema.integer(minimum: 1), "createdAt": JSONSchema.timestamp,
            "updatedAt": JSONSchema.timestamp,
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
        ["lat": JSONSchema.number(minimum: -90, maximum: 90), "lon": JSONSchema.number(minimum: -180, maximum: 180)],
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

    public init(
        partnerId: String, id: String, name: String, providerType: String, email: String?, phone: String?,
        location: GeoPoint?, travelRadiusKm: Double?, zones: [String], active: Bool, version: Int, createdAt: Date,
        updatedAt: Date
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
    }

    static let schema = JSONSchema.object(
        [
            "partnerId": JSONSchema.string(), "id": JSONSchema.string(), "name": JSONSchema.string(),
            "providerType": JSONSchema.string(),
            "email": JSONSchema.string(), "phone": JSONSchema.string(), "location": GeoPoint.schema,
            "travelRadiusKm": JSONSchema.number(minimum: 0),
            "zones": JSONSchema.array(of: JSONSchema.string()), "active": JSONSchema.boolean,
            "version": JSONSchema.integer(minimum: 1),
            "createdAt": JSONSchema.timestamp, "updatedAt": JSONSchema.timestamp,
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
            "partnerId": JSONSchema.string(), "id": JSONSchema.string(), "providerId": JSONSchema.string(),
            "documentTypeId": JSONSchema.string(),
            "issuedAt": JSONSchema.timestamp, "expiresAt": JSONSchema.timestamp, "revokedAt": JSONSchema.timestamp,
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
            "qualificationId": JSONSchema.string(), "name": JSONSchema.string(), "applied": JSONSchema.boolean,
            "inEffect": JSONSchema.boolean, "reasons": JSONSchema.array(of: JSONSchema.string()),
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
            "from": JSONSchema.timestamp, "to": JSONSchema.timestamp,
            "status": JSONSchema.string(values: Status.allCases.map(\.rawValue)),
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
            "providerId": JSONSchema.string(), "kind": JSONSchema.string(values: Kind.allCases.map(\.rawValue)),
        ], required: ["providerId", "kind"])
}

/// A customer of the partner, with request defaults and provider lists.
public struct Customer: Codable, Sendable, Equatable {
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
            "partnerId": JSONSchema.string(), "id": JSONSchema.string(), "name": JSONSchema.string(),
            "defaultRequiredQualificationIds": JSONSchema.array(of: JSONSchema.string()),
            "defaultPreferredQualificationIds": JSONSchema.array(of: JSONSchema.string()),
            "lists": JSONSchema.array(of: CustomerListEntry.schema), "defaultDecision": DecisionPolicy.schema,
            "version": JSONSchema.integer(minimum: 1), "createdAt": JSONSchema.timestamp,
            "updatedAt": JSONSchema.timestamp,
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
        ["name": JSONSchema.string(), "description": JSONSchema.string()], required: ["name"])
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
            "name": JSONSchema.string(), "description": JSONSchema.string(),
            "providerTypes": JSONSchema.array(of: JSONSchema.string()),
            "zones": JSONSchema.array(of: JSONSchema.string()),
            "requiredDocumentTypeIds": JSONSchema.array(of: JSONSchema.string()),
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
            "id": JSONSchema.string(), "expectedVersion": JSONSchema.integer(minimum: 1), "name": JSONSchema.string(),
            "description": JSONSchema.string(),
            "providerTypes": JSONSchema.array(of: JSONSchema.string()),
            "zones": JSONSchema.array(of: JSONSchema.string()),
            "requiredDocumentTypeIds": JSONSchema.array(of: JSONSchema.string()),
            "updateMask": updateMaskSchema(maskPaths),
        ], required: ["id"])
}

/// The JSON Schema of an `updateMask` over `paths`.
func updateMaskSchema(_ paths: [String]) -> JSONValue {
    JSONSchema.string(
        description:
            "comma-separated fields to change (\(paths.joined(separator: ", ")), or *); those named but not sent are cleared"
    )
}

public struct ArchiveQualificationRequest: Codable, Sendable, Equatable {
    public var id: String
    public var expectedVersion: Int?
    public init(id: String, expectedVersion: Int? = nil) {
        self.id = id
        self.expectedVersion = expectedVersion
    }
    static let schema = JSONSchema.object(
        ["id": JSONSchema.string(), "expectedVersion": JSONSchema.integer(minimum: 1)], required: ["id"])
}

public struct QualificationReply: Codable, Sendable, Equatable {
    public var qualification: Qualification
    public init(qualification: Qualification) { self.qualification = qualification }
    static let schema = JSONSchema.object(["qualification": Qualification.schema], required: ["qualification"])
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
            "includeArchived": JSONSchema.boolean
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
            "id": JSONSchema.string(), "expectedVersion": JSONSchema.integer(minimum: 1),
            "name": JSONSchema.string(description: "required to create"),
            "providerType": JSONSchema.string(description: "required to create"),
            "email": JSONSchema.string(format: "email"), "phone": JSONSchema.string(), "location": GeoPoint.schema,
            "travelRadiusKm": JSONSchema.number(minimum: 0), "zones": JSONSchema.array(of: JSONSchema.string()),
            "active": JSONSchema.boolean, "updateMask": updateMaskSchema(maskPaths),
        ])
}

public struct ProviderReply: Codable, Sendable, Equatable {
    public var provider: Provider
    public init(provider: Provider) { self.provider = provider }
}

public struct GetProviderRequest: Codable, Sendable, Equatable {
    public var id: String
    public init(id: String) { self.id = id }
    static let schema = JSONSchema.object(["id": JSONSchema.string()], required: ["id"])
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
            "provider": Provider.schema, "documents": JSONSchema.array(of: Document.schema),
            "qualifications": JSONSchema.array(of: QualificationStatus.schema),
            "availability": JSONSchema.array(of: AvailabilityWindow.schema),
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
            "providerType": JSONSchema.string(), "zone": JSONSchema.string(), "activeOnly": JSONSchema.boolean,
            "afterId": JSONSchema.string(),
            "limit": JSONSchema.integer(minimum: 1, maximum: 1000, description: "default 200"),
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
            "providerId": JSONSchema.string(), "documentTypeId": JSONSchema.string(),
            "issuedAt": JSONSchema.timestamp, "expiresAt": JSONSchema.timestamp,
        ], required: ["providerId", "documentTypeId", "issuedAt"])
}

public struct RevokeDocumentRequest: Codable, Sendable, Equatable {
    public var id: String
    public init(id: String) { self.id = id }
    static let schema = JSONSchema.object(["id": JSONSchema.string()], required: ["id"])
}

public struct DocumentReply: Codable, Sendable, Equatable {
    public var document: Document
    public init(document: Document) { self.document = document }
    static let schema = JSONSchema.object(["document": Document.schema], required: ["document"])
}

public struct ApplyQualificationRequest: Codable, Sendable, Equatable {
    public var providerId: String
    public var qualificationId: String
    public init(providerId: String, qualificationId: String) {
        self.providerId = providerId
        self.qualificationId = qualificationId
    }
    static let schema = JSONSchema.object(
        ["providerId": JSONSchema.string(), "qualificationId": JSONSchema.string()],
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
                    "partnerId": JSONSchema.string(), "providerId": JSONSchema.string(),
                    "qualificationId": JSONSchema.string(), "appliedAt": JSONSchema.timestamp,
                ], required: ["partnerId", "providerId", "qualificationId", "appliedAt"])
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
            "providerId": JSONSchema.string(), "from": JSONSchema.timestamp, "to": JSONSchema.timestamp,
            "zone": JSONSchema.string(),
            "qualificationIds": JSONSchema.array(of: JSONSchema.string()),
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
            "providerId": JSONSchema.string(), "results": JSONSchema.array(of: QualificationStatus.schema),
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
            "providerId": JSONSchema.string(), "windows": JSONSchema.array(of: AvailabilityWindow.schema),
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
            "partnerId": JSONSchema.string(), "providerId": JSONSchema.string(),
            "windows": JSONSchema.array(of: AvailabilityWindow.schema),
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
            "id": JSONSchema.string(), "expectedVersion": JSONSchema.integer(minimum: 1),
            "name": JSONSchema.string(description: "required to create"),
            "defaultRequiredQualificationIds": JSONSchema.array(of: JSONSchema.string()),
            "defaultPreferredQualificationIds": JSONSchema.array(of: JSONSchema.string()),
            "lists": JSONSchema.array(of: CustomerListEntry.schema), "defaultDecision": DecisionPolicy.schema,
            "updateMask": updateMaskSchema(maskPaths),
        ])
}

public struct GetCustomerRequest: Codable, Sendable, Equatable {
    public var id: String
    public init(id: String) { self.id = id }
    static let schema = JSONSchema.object(["id": JSONSchema.string()], required: ["id"])
}

public struct CustomerReply: Codable, Sendable, Equatable {
    public var customer: Customer
    public init(customer: Customer) { self.customer = customer }
    static let schema = JSONSchema.object(["customer": Customer.schema], required: ["customer"])
}
