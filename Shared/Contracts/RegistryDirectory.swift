import Foundation
import Transport
import Wire

// The registry's directory reads and the partner's vocabulary: `ListCustomers`,
// `ListAvailability`, `SetVocabulary`, `GetVocabulary`, and `document.revoked`'s data.

extension Registry {
    public static let listCustomers: MethodDescriptor<ListCustomersRequest, ListCustomersResponse> = method(
        "ListCustomers", idempotent: true, roles: readers, "The partner's customers by id, paged.",
        request: ListCustomersRequest.schema,
        response: JSONSchema.object(
            ["customers": JSONSchema.array(of: Customer.schema, description: "One page of them, by id.")],
            required: ["customers"], page: .reply))
    public static let listAvailability: MethodDescriptor<ListAvailabilityRequest, ListAvailabilityResponse> = method(
        "ListAvailability", idempotent: true, roles: [.partner, .service, .provider],
        "Availability windows overlapping [from, to], by provider then start, paged (a provider lists its own).",
        request: ListAvailabilityRequest.schema, response: ListAvailabilityResponse.schema)
    public static let setVocabulary: MethodDescriptor<SetVocabularyRequest, VocabularyReply> = method(
        "SetVocabulary", idempotent: true, roles: writers,
        "Sets the partner's zones and provider types (the lists sent): once a list has codes, others are refused.",
        request: SetVocabularyRequest.schema, response: VocabularyReply.schema)
    public static let getVocabulary: MethodDescriptor<GetVocabularyRequest, VocabularyReply> = method(
        "GetVocabulary", idempotent: true, roles: [.partner, .service, .customer, .provider],
        "The partner's zones and provider types (empty lists: any code is accepted).",
        request: GetVocabularyRequest.schema, response: VocabularyReply.schema)
}

/// A code the partner defined (a zone such as `IL`, a provider type such as `asl`), with a name.
public struct VocabularyTerm: Codable, Sendable, Equatable {
    public var code: String
    public var name: String?

    public init(code: String, name: String? = nil) {
        self.code = code
        self.name = name
    }

    static let schema = JSONSchema.object(
        [
            "code": JSONSchema.string(
                description: "The code itself, e.g. IL or asl; unique in its list, at most 200 characters."),
            "name": JSONSchema.string(description: "A readable name for it, at most 200 characters."),
        ], required: ["code"])
}

/// The partner's zones and provider types. An empty list accepts any code (as before a partner
/// defines one); once it has codes, a code not on it is refused wherever it would be newly used.
public struct Vocabulary: Codable, Sendable, Equatable {
    /// Which list a code belongs to.
    public enum Kind: String, Sendable {
        case zone
        case providerType
    }

    public var partnerId: String
    public var zones: [VocabularyTerm]
    public var providerTypes: [VocabularyTerm]
    /// 0 until the partner first sets it.
    public var version: Int
    public var updatedAt: Date?

    public init(
        partnerId: String, zones: [VocabularyTerm] = [], providerTypes: [VocabularyTerm] = [], version: Int = 0,
        updatedAt: Date? = nil
    ) {
        self.partnerId = partnerId
        self.zones = zones
        self.providerTypes = providerTypes
        self.version = version
        self.updatedAt = updatedAt
    }

    /// Whether `code` may be used as a `kind`: it is on that list, or the list is empty.
    public func allows(_ code: String, as kind: Kind) -> Bool {
        let terms = kind == .zone ? zones : providerTypes
        return terms.isEmpty || terms.contains { $0.code == code }
    }

    static let schema = JSONSchema.object(
        [
            "partnerId": JSONSchema.string(description: "The partner (tenant) whose vocabulary it is."),
            "zones": JSONSchema.array(
                of: VocabularyTerm.schema, description: "The partner's zones; empty: any zone is accepted."),
            "providerTypes": JSONSchema.array(
                of: VocabularyTerm.schema,
                description: "The partner's provider types; empty: any provider type is accepted."),
            "version": JSONSchema.integer(
                minimum: 0, description: "0 until the partner first sets it; increases by one on every change."),
            "updatedAt": JSONSchema.timestamp(description: "When it last changed; absent until first set."),
        ], required: ["partnerId", "zones", "providerTypes", "version"])
}

public struct SetVocabularyRequest: Codable, Sendable, Equatable {
    public var expectedVersion: Int?
    /// Replaces the zones when sent (`[]`: any zone is accepted again).
    public var zones: [VocabularyTerm]?
    /// Replaces the provider types when sent (`[]`: any type is accepted again).
    public var providerTypes: [VocabularyTerm]?

    public init(expectedVersion: Int? = nil, zones: [VocabularyTerm]? = nil, providerTypes: [VocabularyTerm]? = nil) {
        self.expectedVersion = expectedVersion
        self.zones = zones
        self.providerTypes = providerTypes
    }

    static let schema = JSONSchema.object([
        "expectedVersion": JSONSchema.integer(
            minimum: 0, description: "The version you last read (0 before it is first set): any other is ABORTED."),
        "zones": JSONSchema.array(
            of: VocabularyTerm.schema,
            description: "Replaces the zones when sent (at most 1000; []: any zone is accepted again); absent: kept."),
        "providerTypes": JSONSchema.array(
            of: VocabularyTerm.schema,
            description: "Replaces the provider types when sent (at most 1000; []: any type is accepted again); "
                + "absent: kept."),
    ])
}

public struct GetVocabularyRequest: Codable, Sendable, Equatable {
    public init() {}
    static let schema = JSONSchema.object([:])
}

public struct VocabularyReply: Codable, Sendable, Equatable {
    public var vocabulary: Vocabulary
    public init(vocabulary: Vocabulary) { self.vocabulary = vocabulary }
    static let schema = JSONSchema.object(
        ["vocabulary": Vocabulary.schema.described("The partner's vocabulary as it is now.")],
        required: ["vocabulary"])
}

/// Paging of `ListCustomers` (AIP-158).
public struct ListCustomersRequest: Codable, Sendable, Equatable, PagedRequest {
    public var pageSize: Int?
    public var pageToken: String?
    public init(pageSize: Int? = nil, pageToken: String? = nil) {
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    static let schema = JSONSchema.object([:], page: .request(pageSizeDefault: "200"))
}

public struct ListCustomersResponse: Codable, Sendable, Equatable, PagedReply {
    public var customers: [Customer]
    /// Present when more remain: pass it as `pageToken`.
    public var nextPageToken: String?
    public init(customers: [Customer], nextPageToken: String? = nil) {
        self.customers = customers
        self.nextPageToken = nextPageToken
    }
}

public struct ListAvailabilityRequest: Codable, Sendable, Equatable, PagedRequest {
    /// Whose windows; default every provider's (a provider: its own).
    public var providerIds: [String]?
    public var from: Date
    public var to: Date
    public var pageSize: Int?
    public var pageToken: String?
    public init(
        providerIds: [String]? = nil, from: Date, to: Date, pageSize: Int? = nil, pageToken: String? = nil
    ) {
        self.providerIds = providerIds
        self.from = from
        self.to = to
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
    static let schema = JSONSchema.object(
        [
            "providerIds": JSONSchema.array(
                of: JSONSchema.string(),
                description: "Whose windows; absent: every provider's (a provider: its own, and may name only "
                    + "itself)."),
            "from": JSONSchema.timestamp(description: "Start of the stretch: windows ending after it are listed."),
            "to": JSONSchema.timestamp(
                description: "End of the stretch, after from: windows starting before it are listed."),
        ], required: ["from", "to"], page: .request(pageSizeDefault: "200"))
}

/// One provider's availability window.
public struct ProviderAvailabilityWindow: Codable, Sendable, Equatable {
    public var providerId: String
    public var from: Date
    public var to: Date
    public var status: AvailabilityWindow.Status

    public init(providerId: String, from: Date, to: Date, status: AvailabilityWindow.Status) {
        self.providerId = providerId
        self.from = from
        self.to = to
        self.status = status
    }
}

public struct ListAvailabilityResponse: Codable, Sendable, Equatable, PagedReply {
    public var windows: [ProviderAvailabilityWindow]
    /// Present when more remain: pass it as `pageToken`.
    public var nextPageToken: String?
    public init(windows: [ProviderAvailabilityWindow], nextPageToken: String? = nil) {
        self.windows = windows
        self.nextPageToken = nextPageToken
    }
    static let schema = JSONSchema.object(
        [
            "windows": JSONSchema.array(
                of: JSONSchema.object(
                    [
                        "providerId": JSONSchema.string(description: "Whose window it is."),
                        "from": JSONSchema.timestamp(description: "When the window starts."),
                        "to": JSONSchema.timestamp(description: "When the window ends."),
                        "status": JSONSchema.string(
                            values: AvailabilityWindow.Status.allCases.map(\.rawValue),
                            description: "available, unavailable, or remoteOnly (available for remote jobs only)."),
                    ], required: ["providerId", "from", "to", "status"]),
                description: "One page of the windows overlapping [from, to), by provider then start.")
        ], required: ["windows"], page: .reply)
}

/// `document.revoked`'s data: the document's own fields (as before) and, as `document.expired`
/// has them, the applied qualifications that lapsed with it.
public struct DocumentRevoked: Codable, Sendable, Equatable {
    public var document: Document
    public var lapsedQualificationIds: [String]

    public init(document: Document, lapsedQualificationIds: [String]) {
        self.document = document
        self.lapsedQualificationIds = lapsedQualificationIds
    }

    private enum CodingKeys: String, CodingKey { case lapsedQualificationIds }

    public init(from decoder: any Decoder) throws {
        document = try Document(from: decoder)
        lapsedQualificationIds =
            try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(
                [String].self, forKey: .lapsedQualificationIds) ?? []
    }

    /// The document's fields at the top level, so a consumer reading a `Document` still can.
    public func encode(to encoder: any Encoder) throws {
        try document.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lapsedQualificationIds, forKey: .lapsedQualificationIds)
    }
}
