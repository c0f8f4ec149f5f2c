import Foundation
import Transport
import Wire

// The registry's handler protocols and typed client: what its service implements and
// what other services call. Every method of `Registry` is in exactly one protocol below, and
// `Registry.methods` binds them all, so a described method cannot go unimplemented.

/// Document types: what a provider's documents can be.
public protocol RegistryDocumentTypeHandling: Sendable {
    /// `registry.CreateDocumentType`.
    func createDocumentType(_ request: CreateDocumentTypeRequest, _ context: CallerContext) async throws
        -> DocumentTypeReply
    /// `registry.ListDocumentTypes`.
    func listDocumentTypes(_ request: ListDocumentTypesRequest, _ context: CallerContext) async throws
        -> ListDocumentTypesResponse
}

/// Qualifications: defined, changed, archived, listed.
public protocol RegistryQualificationHandling: Sendable {
    /// `registry.CreateQualification`.
    func createQualification(_ request: CreateQualificationRequest, _ context: CallerContext) async throws
        -> QualificationReply
    /// `registry.UpdateQualification`.
    func updateQualification(_ request: UpdateQualificationRequest, _ context: CallerContext) async throws
        -> QualificationReply
    /// `registry.ArchiveQualification`.
    func archiveQualification(_ request: ArchiveQualificationRequest, _ context: CallerContext) async throws
        -> QualificationReply
    /// `registry.ListQualifications`.
    func listQualifications(_ request: ListQualificationsRequest, _ context: CallerContext) async throws
        -> ListQualificationsResponse
}

/// Providers: who they are, where they work.
public protocol RegistryProviderHandling: Sendable {
    /// `registry.UpsertProvider`.
    func upsertProvider(_ request: UpsertProviderRequest, _ context: CallerContext) async throws -> ProviderReply
    /// `registry.GetProvider`.
    func getProvider(_ request: GetProviderRequest, _ context: CallerContext) async throws -> GetProviderResponse
    /// `registry.ListProviders`.
    func listProviders(_ request: ListProvidersRequest, _ context: CallerContext) async throws -> ListProvidersResponse
    /// `registry.MarkChannelInvalid`.
    func markChannelInvalid(_ request: MarkChannelInvalidRequest, _ context: CallerContext) async throws
        -> MarkChannelInvalidResponse
}

/// Erasure of a provider's personal data.
public protocol RegistryErasureHandling: Sendable {
    /// `registry.EraseProvider`.
    func eraseProvider(_ request: EraseProviderRequest, _ context: CallerContext) async throws -> EraseProviderResponse
}

/// A provider's documents, with their expiry.
public protocol RegistryDocumentHandling: Sendable {
    /// `registry.AddDocument`.
    func addDocument(_ request: AddDocumentRequest, _ context: CallerContext) async throws -> DocumentReply
    /// `registry.RevokeDocument`.
    func revokeDocument(_ request: RevokeDocumentRequest, _ context: CallerContext) async throws -> DocumentReply
}

/// Qualifications applied to providers (badges) and whether they are in effect.
public protocol RegistryBadgeHandling: Sendable {
    /// `registry.ApplyQualification`.
    func applyQualification(_ request: ApplyQualificationRequest, _ context: CallerContext) async throws
        -> AppliedQualificationReply
    /// `registry.RemoveQualification`.
    func removeQualification(_ request: RemoveQualificationRequest, _ context: CallerContext) async throws
        -> AppliedQualificationReply
    /// `registry.CheckQualifications`.
    func checkQualifications(_ request: CheckQualificationsRequest, _ context: CallerContext) async throws
        -> CheckQualificationsResponse
}

/// A provider's availability windows.
public protocol RegistryAvailabilityHandling: Sendable {
    /// `registry.SetAvailability`.
    func setAvailability(_ request: SetAvailabilityRequest, _ context: CallerContext) async throws
        -> SetAvailabilityResponse
    /// `registry.ListAvailability`.
    func listAvailability(_ request: ListAvailabilityRequest, _ context: CallerContext) async throws
        -> ListAvailabilityResponse
}

/// Customers, their default qualifications and provider lists.
public protocol RegistryCustomerHandling: Sendable {
    /// `registry.UpsertCustomer`.
    func upsertCustomer(_ request: UpsertCustomerRequest, _ context: CallerContext) async throws -> CustomerReply
    /// `registry.GetCustomer`.
    func getCustomer(_ request: GetCustomerRequest, _ context: CallerContext) async throws -> CustomerReply
    /// `registry.ListCustomers`.
    func listCustomers(_ request: ListCustomersRequest, _ context: CallerContext) async throws -> ListCustomersResponse
}

/// The partner's vocabulary: the zones and provider types codes must come from.
public protocol RegistryVocabularyHandling: Sendable {
    /// `registry.SetVocabulary`.
    func setVocabulary(_ request: SetVocabularyRequest, _ context: CallerContext) async throws -> VocabularyReply
    /// `registry.GetVocabulary`.
    func getVocabulary(_ request: GetVocabularyRequest, _ context: CallerContext) async throws -> VocabularyReply
}

extension Registry: Contract {
    /// One handler per resource: together they implement every method of the contract.
    public struct Handlers: Sendable {
        public var documentTypes: any RegistryDocumentTypeHandling
        public var qualifications: any RegistryQualificationHandling
        public var providers: any RegistryProviderHandling
        public var documents: any RegistryDocumentHandling
        public var badges: any RegistryBadgeHandling
        public var availability: any RegistryAvailabilityHandling
        public var customers: any RegistryCustomerHandling
        public var vocabulary: any RegistryVocabularyHandling
        public var erasure: any RegistryErasureHandling

        public init(
            documentTypes: any RegistryDocumentTypeHandling,
            qualifications: any RegistryQualificationHandling,
            providers: any RegistryProviderHandling,
            documents: any RegistryDocumentHandling,
            badges: any RegistryBadgeHandling,
            availability: any RegistryAvailabilityHandling,
            customers: any RegistryCustomerHandling,
            vocabulary: any RegistryVocabularyHandling,
            erasure: any RegistryErasureHandling
        ) {
            self.documentTypes = documentTypes
            self.qualifications = qualifications
            self.providers = providers
            self.documents = documents
            self.badges = badges
            self.availability = availability
            self.customers = customers
            self.vocabulary = vocabulary
            self.erasure = erasure
        }
    }

    /// Every domain method, bound to its handler: routing, `methodNames` and `Describe` come from here.
    public static let methods: [ContractMethod<Handlers>] = [
        .init(createDocumentType) { try await $0.documentTypes.createDocumentType($1, $2) },
        .init(listDocumentTypes) { try await $0.documentTypes.listDocumentTypes($1, $2) },
        .init(createQualification) { try await $0.qualifications.createQualification($1, $2) },
        .init(updateQualification) { try await $0.qualifications.updateQualification($1, $2) },
        .init(archiveQualification) { try await $0.qualifications.archiveQualification($1, $2) },
        .init(listQualifications) { try await $0.qualifications.listQualifications($1, $2) },
        .init(upsertProvider) { try await $0.providers.upsertProvider($1, $2) },
        .init(getProvider) { try await $0.providers.getProvider($1, $2) },
        .init(listProviders) { try await $0.providers.listProviders($1, $2) },
        .init(markChannelInvalid) { try await $0.providers.markChannelInvalid($1, $2) },
        .init(eraseProvider) { try await $0.erasure.eraseProvider($1, $2) },
        .init(addDocument) { try await $0.documents.addDocument($1, $2) },
        .init(revokeDocument) { try await $0.documents.revokeDocument($1, $2) },
        .init(applyQualification) { try await $0.badges.applyQualification($1, $2) },
        .init(removeQualification) { try await $0.badges.removeQualification($1, $2) },
        .init(checkQualifications) { try await $0.badges.checkQualifications($1, $2) },
        .init(setAvailability) { try await $0.availability.setAvailability($1, $2) },
        .init(listAvailability) { try await $0.availability.listAvailability($1, $2) },
        .init(upsertCustomer) { try await $0.customers.upsertCustomer($1, $2) },
        .init(getCustomer) { try await $0.customers.getCustomer($1, $2) },
        .init(listCustomers) { try await $0.customers.listCustomers($1, $2) },
        .init(setVocabulary) { try await $0.vocabulary.setVocabulary($1, $2) },
        .init(getVocabulary) { try await $0.vocabulary.getVocabulary($1, $2) },
    ]
}

/// A typed client of the registry: every call carries the actor and stays within the
/// caller's remaining deadline, so no service assembles a call by hand.
public struct RegistryClient: ContractClient {
    public let caller: ContractCaller

    public init(caller: ContractCaller) { self.caller = caller }

    /// `registry.CreateDocumentType`.
    public func createDocumentType(_ request: CreateDocumentTypeRequest) async throws(RPCError) -> DocumentTypeReply {
        try await caller.call(Registry.createDocumentType, request)
    }

    /// `registry.ListDocumentTypes`.
    public func listDocumentTypes(_ request: ListDocumentTypesRequest) async throws(RPCError)
        -> ListDocumentTypesResponse
    {
        try await caller.call(Registry.listDocumentTypes, request)
    }

    /// `registry.CreateQualification`.
    public func createQualification(_ request: CreateQualificationRequest) async throws(RPCError) -> QualificationReply
    {
        try await caller.call(Registry.createQualification, request)
    }

    /// `registry.UpdateQualification`.
    public func updateQualification(_ request: UpdateQualificationRequest) async throws(RPCError) -> QualificationReply
    {
        try await caller.call(Registry.updateQualification, request)
    }

    /// `registry.ArchiveQualification`.
    public func archiveQualification(_ request: ArchiveQualificationRequest) async throws(RPCError)
        -> QualificationReply
    {
        try await caller.call(Registry.archiveQualification, request)
    }

    /// `registry.ListQualifications`.
    public func listQualifications(_ request: ListQualificationsRequest) async throws(RPCError)
        -> ListQualificationsResponse
    {
        try await caller.call(Registry.listQualifications, request)
    }

    /// `registry.UpsertProvider`.
    public func upsertProvider(_ request: UpsertProviderRequest) async throws(RPCError) -> ProviderReply {
        try await caller.call(Registry.upsertProvider, request)
    }

    /// `registry.GetProvider`.
    public func getProvider(_ request: GetProviderRequest) async throws(RPCError) -> GetProviderResponse {
        try await caller.call(Registry.getProvider, request)
    }

    /// `registry.ListProviders`.
    public func listProviders(_ request: ListProvidersRequest) async throws(RPCError) -> ListProvidersResponse {
        try await caller.call(Registry.listProviders, request)
    }

    /// `registry.MarkChannelInvalid`.
    public func markChannelInvalid(_ request: MarkChannelInvalidRequest) async throws(RPCError)
        -> MarkChannelInvalidResponse
    {
        try await caller.call(Registry.markChannelInvalid, request)
    }

    /// `registry.EraseProvider`.
    public func eraseProvider(_ request: EraseProviderRequest) async throws(RPCError) -> EraseProviderResponse {
        try await caller.call(Registry.eraseProvider, request)
    }

    /// `registry.AddDocument`.
    public func addDocument(_ request: AddDocumentRequest) async throws(RPCError) -> DocumentReply {
        try await caller.call(Registry.addDocument, request)
    }

    /// `registry.RevokeDocument`.
    public func revokeDocument(_ request: RevokeDocumentRequest) async throws(RPCError) -> DocumentReply {
        try await caller.call(Registry.revokeDocument, request)
    }

    /// `registry.ApplyQualification`.
    public func applyQualification(_ request: ApplyQualificationRequest) async throws(RPCError)
        -> AppliedQualificationReply
    {
        try await caller.call(Registry.applyQualification, request)
    }

    /// `registry.RemoveQualification`.
    public func removeQualification(_ request: RemoveQualificationRequest) async throws(RPCError)
        -> AppliedQualificationReply
    {
        try await caller.call(Registry.removeQualification, request)
    }

    /// `registry.CheckQualifications`.
    public func checkQualifications(_ request: CheckQualificationsRequest) async throws(RPCError)
        -> CheckQualificationsResponse
    {
        try await caller.call(Registry.checkQualifications, request)
    }

    /// `registry.SetAvailability`.
    public func setAvailability(_ request: SetAvailabilityRequest) async throws(RPCError) -> SetAvailabilityResponse {
        try await caller.call(Registry.setAvailability, request)
    }

    /// `registry.UpsertCustomer`.
    public func upsertCustomer(_ request: UpsertCustomerRequest) async throws(RPCError) -> CustomerReply {
        try await caller.call(Registry.upsertCustomer, request)
    }

    /// `registry.GetCustomer`.
    public func getCustomer(_ request: GetCustomerRequest) async throws(RPCError) -> CustomerReply {
        try await caller.call(Registry.getCustomer, request)
    }

    /// `registry.ListCustomers`.
    public func listCustomers(_ request: ListCustomersRequest) async throws(RPCError) -> ListCustomersResponse {
        try await caller.call(Registry.listCustomers, request)
    }

    /// `registry.ListAvailability`.
    public func listAvailability(_ request: ListAvailabilityRequest) async throws(RPCError)
        -> ListAvailabilityResponse
    {
        try await caller.call(Registry.listAvailability, request)
    }

    /// `registry.SetVocabulary`.
    public func setVocabulary(_ request: SetVocabularyRequest) async throws(RPCError) -> VocabularyReply {
        try await caller.call(Registry.setVocabulary, request)
    }

    /// `registry.GetVocabulary`.
    public func getVocabulary(_ request: GetVocabularyRequest = GetVocabularyRequest()) async throws(RPCError)
        -> VocabularyReply
    {
        try await caller.call(Registry.getVocabulary, request)
    }
}
