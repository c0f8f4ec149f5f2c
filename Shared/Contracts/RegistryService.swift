import Foundation
import Transport
import Wire

// The registry's handler protocols and typed client: what its service implements and
// what other services call. Every method of `Registry` is in exactly one protocol below, and
// `Registry.register` routes them all, so a described method cannot go unimplemented.

/// Document types: what a provider's documents can be.
public protocol RegistryDocumentTypeHandling: Sendable {
    /// `registry.CreateDocumentType`.
    func createDocumentType(_ request: CreateDocumentTypeRequest, _ context: CallerContext) async throws -> DocumentTypeReply
    /// `registry.ListDocumentTypes`.
    func listDocumentTypes(_ request: ListDocumentTypesRequest, _ context: CallerContext) async throws -> ListDocumentTypesResponse
}

/// Qualifications: defined, changed, archived, listed.
public protocol RegistryQualificationHandling: Sendable {
    /// `registry.CreateQualification`.
    func createQualification(_ request: CreateQualificationRequest, _ context: CallerContext) async throws -> QualificationReply
    /// `registry.UpdateQualification`.
    func updateQualification(_ request: UpdateQualificationRequest, _ context: CallerContext) async throws -> QualificationReply
    /// `registry.ArchiveQualification`.
    func archiveQualification(_ request: ArchiveQualificationRequest, _ context: CallerContext) async throws -> QualificationReply
    /// `registry.ListQualifications`.
    func listQualifications(_ request: ListQualificationsRequest, _ context: CallerContext) async throws -> ListQualificationsResponse
}

/// Providers: who they are, where they work.
public protocol RegistryProviderHandling: Sendable {
    /// `registry.UpsertProvider`.
    func upsertProvider(_ request: UpsertProviderRequest, _ context: CallerContext) async throws -> ProviderReply
    /// `registry.GetProvider`.
    func getProvider(_ request: GetProviderRequest, _ context: CallerContext) async throws -> GetProviderResponse
    /// `registry.ListProviders`.
    func listProviders(_ request: ListProvidersRequest, _ context: CallerContext) async throws -> ListProvidersResponse
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
    func applyQualification(_ request: ApplyQualificationRequest, _ context: CallerContext) async throws -> AppliedQualificationReply
    /// `registry.RemoveQualification`.
    func removeQualification(_ request: RemoveQualificationRequest, _ context: CallerContext) async throws -> AppliedQualificationReply
    /// `registry.CheckQualifications`.
    func checkQualifications(_ request: CheckQualificationsRequest, _ context: CallerContext) async throws -> CheckQualificationsResponse
}

/// A provider's availability windows.
public protocol RegistryAvailabilityHandling: Sendable {
    /// `registry.SetAvailability`.
    func setAvailability(_ request: SetAvailabilityRequest, _ context: CallerContext) async throws -> SetAvailabilityResponse
}

/// Customers, their default qualifications and provider lists.
public protocol RegistryCustomerHandling: Sendable {
    /// `registry.UpsertCustomer`.
    func upsertCustomer(_ request: UpsertCustomerRequest, _ context: CallerContext) async throws -> CustomerReply
    /// `registry.GetCustomer`.
    func getCustomer(_ request: GetCustomerRequest, _ context: CallerContext) async throws -> CustomerReply
}

extension Registry {
    /// One handler per resource: together they implement every method of the contract.
    public struct Handlers: Sendable {
        public var documentTypes: any RegistryDocumentTypeHandling
        public var qualifications: any RegistryQualificationHandling
        public var providers: any RegistryProviderHandling
        public var documents: any RegistryDocumentHandling
        public var badges: any RegistryBadgeHandling
        public var availability: any RegistryAvailabilityHandling
        public var customers: any RegistryCustomerHandling

        public init(
            documentTypes: any RegistryDocumentTypeHandling,
            qualifications: any RegistryQualificationHandling,
            providers: any RegistryProviderHandling,
            documents: any RegistryDocumentHandling,
            badges: any RegistryBadgeHandling,
            availability: any RegistryAvailabilityHandling,
            customers: any RegistryCustomerHandling
        ) {
            self.documentTypes = documentTypes
            self.qualifications = qualifications
            self.providers = providers
            self.documents = documents
            self.badges = badges
            self.availability = availability
            self.customers = customers
        }
    }

    /// Routes every method of the contract to its handler.
    public static func register(_ handlers: Handlers, into router: inout RPCRouter) {
        let documentTypes = handlers.documentTypes
        router.route(createDocumentType) { try await documentTypes.createDocumentType($0, $1) }
        router.route(listDocumentTypes) { try await documentTypes.listDocumentTypes($0, $1) }
        let qualifications = handlers.qualifications
        router.route(createQualification) { try await qualifications.createQualification($0, $1) }
        router.route(updateQualification) { try await qualifications.updateQualification($0, $1) }
        router.route(archiveQualification) { try await qualifications.archiveQualification($0, $1) }
        router.route(listQualifications) { try await qualifications.listQualifications($0, $1) }
        let providers = handlers.providers
        router.route(upsertProvider) { try await providers.upsertProvider($0, $1) }
        router.route(getProvider) { try await providers.getProvider($0, $1) }
        router.route(listProviders) { try await providers.listProviders($0, $1) }
        let documents = handlers.documents
        router.route(addDocument) { try await documents.addDocument($0, $1) }
        router.route(revokeDocument) { try await documents.revokeDocument($0, $1) }
        let badges = handlers.badges
        router.route(applyQualification) { try await badges.applyQualification($0, $1) }
        router.route(removeQualification) { try await badges.removeQualification($0, $1) }
        router.route(checkQualifications) { try await badges.checkQualifications($0, $1) }
        let availability = handlers.availability
        router.route(setAvailability) { try await availability.setAvailability($0, $1) }
        let customers = handlers.customers
        router.route(upsertCustomer) { try await customers.upsertCustomer($0, $1) }
        router.route(getCustomer) { try await customers.getCustomer($0, $1) }
    }

    /// Every method of the contract, as `Describe` must list them.
    public static let methodNames: [String] = [
        createDocumentType.name,
        listDocumentTypes.name,
        createQualification.name,
        updateQualification.name,
        archiveQualification.name,
        listQualifications.name,
        upsertProvider.name,
        getProvider.name,
        listProviders.name,
        addDocument.name,
        revokeDocument.name,
        applyQualification.name,
        removeQualification.name,
        checkQualifications.name,
        setAvailability.name,
        upsertCustomer.name,
        getCustomer.name,
    ]
}

/// A typed client of the registry: every call carries the actor and stays within the
/// caller's remaining deadline, so no service assembles a call by hand.
public struct RegistryClient: Sendable {
    public let rpc: RPCClient
    public let actor: Actor
    public let options: CallOptions

    /// Calls as `actor` with `options`.
    public init(_ rpc: RPCClient, actor: Actor, options: CallOptions = CallOptions()) {
        self.rpc = rpc
        self.actor = actor
        self.options = options
    }

    /// Calls on behalf of a handler's caller: as the service within the caller's tenant, within
    /// what is left of the caller's deadline.
    public init(_ rpc: RPCClient, onBehalfOf caller: CallerContext) {
        self.init(rpc, actor: caller.asService, options: caller.downstreamOptions())
    }

    /// `registry.CreateDocumentType`.
    public func createDocumentType(_ request: CreateDocumentTypeRequest) async throws(RPCError) -> DocumentTypeReply {
        try await rpc.call(Registry.createDocumentType, request, actor: actor, options: options)
    }

    /// `registry.ListDocumentTypes`.
    public func listDocumentTypes(_ request: ListDocumentTypesRequest) async throws(RPCError) -> ListDocumentTypesResponse {
        try await rpc.call(Registry.listDocumentTypes, request, actor: actor, options: options)
    }

    /// `registry.CreateQualification`.
    public func createQualification(_ request: CreateQualificationRequest) async throws(RPCError) -> QualificationReply {
        try await rpc.call(Registry.createQualification, request, actor: actor, options: options)
    }

    /// `registry.UpdateQualification`.
    public func updateQualification(_ request: UpdateQualificationRequest) async throws(RPCError) -> QualificationReply {
        try await rpc.call(Registry.updateQualification, request, actor: actor, options: options)
    }

    /// `registry.ArchiveQualification`.
    public func archiveQualification(_ request: ArchiveQualificationRequest) async throws(RPCError) -> QualificationReply {
        try await rpc.call(Registry.archiveQualification, request, actor: actor, options: options)
    }

    /// `registry.ListQualifications`.
    public func listQualifications(_ request: ListQualificationsRequest) async throws(RPCError) -> ListQualificationsResponse {
        try await rpc.call(Registry.listQualifications, request, actor: actor, options: options)
    }

    /// `registry.UpsertProvider`.
    public func upsertProvider(_ request: UpsertProviderRequest) async throws(RPCError) -> ProviderReply {
        try await rpc.call(Registry.upsertProvider, request, actor: actor, options: options)
    }

    /// `registry.GetProvider`.
    public func getProvider(_ request: GetProviderRequest) async throws(RPCError) -> GetProviderResponse {
        try await rpc.call(Registry.getProvider, request, actor: actor, options: options)
    }

    /// `registry.ListProviders`.
    public func listProviders(_ request: ListProvidersRequest) async throws(RPCError) -> ListProvidersResponse {
        try await rpc.call(Registry.listProviders, request, actor: actor, options: options)
    }

    /// `registry.AddDocument`.
    public func addDocument(_ request: AddDocumentRequest) async throws(RPCError) -> DocumentReply {
        try await rpc.call(Registry.addDocument, request, actor: actor, options: options)
    }

    /// `registry.RevokeDocument`.
    public func revokeDocument(_ request: RevokeDocumentRequest) async throws(RPCError) -> DocumentReply {
        try await rpc.call(Registry.revokeDocument, request, actor: actor, options: options)
    }

    /// `registry.ApplyQualification`.
    public func applyQualification(_ request: ApplyQualificationRequest) async throws(RPCError) -> AppliedQualificationReply {
        try await rpc.call(Registry.applyQualification, request, actor: actor, options: options)
    }

    /// `registry.RemoveQualification`.
    public func removeQualification(_ request: RemoveQualificationRequest) async throws(RPCError) -> AppliedQualificationReply {
        try await rpc.call(Registry.removeQualification, request, actor: actor, options: options)
    }

    /// `registry.CheckQualifications`.
    public func checkQualifications(_ request: CheckQualificationsRequest) async throws(RPCError) -> CheckQualificationsResponse {
        try await rpc.call(Registry.checkQualifications, request, actor: actor, options: options)
    }

    /// `registry.SetAvailability`.
    public func setAvailability(_ request: SetAvailabilityRequest) async throws(RPCError) -> SetAvailabilityResponse {
        try await rpc.call(Registry.setAvailability, request, actor: actor, options: options)
    }

    /// `registry.UpsertCustomer`.
    public func upsertCustomer(_ request: UpsertCustomerRequest) async throws(RPCError) -> CustomerReply {
        try await rpc.call(Registry.upsertCustomer, request, actor: actor, options: options)
    }

    /// `registry.GetCustomer`.
    public func getCustomer(_ request: GetCustomerRequest) async throws(RPCError) -> CustomerReply {
        try await rpc.call(Registry.getCustomer, request, actor: actor, options: options)
    }
}
