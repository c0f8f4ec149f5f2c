import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// Customers: their default required and preferred qualifications, their default decision policy
/// and their provider lists.
struct CustomerHandlers: RegistryCustomerHandling {
    let store: RegistryStore
    let clock: any ServiceClock
    /// The reply size limit lists are paged to.
    let maxReplyBytes: Int

    /// Creates a customer, or changes only the fields sent (or exactly those in `updateMask`) of
    /// the one with `id`.
    func upsertCustomer(_ request: UpsertCustomerRequest, _ context: CallerContext) async throws -> CustomerReply {
        let mask = try UpdateMask(request.updateMask, allowed: UpsertCustomerRequest.maskPaths)
        var validator = Validator()
        validator.optionalId(request.id, field: "body.id")
        let name = request.name.map { validator.name($0, field: "body.name") }
        let required = request.defaultRequiredQualificationIds.map {
            validator.codes($0, field: "body.defaultRequiredQualificationIds")
        }
        let preferred = request.defaultPreferredQualificationIds.map {
            validator.codes($0, field: "body.defaultPreferredQualificationIds")
        }
        DirectoryRules.validate(request.lists ?? [], into: &validator)
        try validator.check()
        try mask.requireSent("name", sent: name != nil, field: "body.name")
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            let existing = try transaction.upsertTarget(
                Customer.self, request.id, expectedVersion: request.expectedVersion)
            let customer: Customer
            if let existing {
                customer = Self.updated(
                    existing, by: request, mask: mask, name: name, required: required, preferred: preferred, at: now)
            } else {
                guard let name else { throw RegistryError.invalidField("body.name", "is required to create") }
                customer = Customer(
                    partnerId: transaction.partnerId, id: request.id ?? Identifier.make("cu"), name: name,
                    defaultRequiredQualificationIds: required ?? [], defaultPreferredQualificationIds: preferred ?? [],
                    lists: request.lists ?? [], defaultDecision: request.defaultDecision, version: 1, createdAt: now,
                    updatedAt: now)
            }
            try transaction.requireUniqueName(Customer.self, customer.name, except: customer.id)
            try Self.checkDefaults(of: customer, before: existing, in: transaction, at: now)
            for (index, entry) in (request.lists ?? []).enumerated() {
                _ = try transaction.find(Provider.self, entry.providerId, field: "body.lists[\(index)].providerId")
            }
            try transaction.save(customer, event: Registry.EventType.customerUpserted, at: now)
            return CustomerReply(customer: customer)
        }
    }

    func getCustomer(_ request: GetCustomerRequest, _ context: CallerContext) async throws -> CustomerReply {
        try context.requireOwn(customerId: request.id, kind: Customer.kind, id: request.id, field: "body.id")
        return try await store.read(context.partnerId) { transaction in
            CustomerReply(customer: try transaction.find(Customer.self, request.id, field: "body.id"))
        }
    }

    /// The partner's customers by id, paged by count and by the reply size.
    func listCustomers(_ request: ListCustomersRequest, _ context: CallerContext) async throws -> ListCustomersResponse
    {
        try Paging.validate(pageSize: request.pageSize)
        let limit = request.pageSize ?? 200
        let query = "customers|\(context.partnerId)"
        let after = try Paging.after(token: request.pageToken, query: query)
        // One more than asked, to know whether another page follows.
        let found = try await store.read(context.partnerId) { try $0.customers(after: after, limit: limit + 1) }
        let page = Array(found.prefix(limit))
        let customers = Array(page.prefix(try Paging.fitting(page, maxBytes: maxReplyBytes)))
        let more = found.count > customers.count
        return ListCustomersResponse(
            customers: customers,
            nextPageToken: more ? Paging.token(after: customers[customers.count - 1].id, query: query) : nil)
    }

    /// `existing` with the request's changes: the fields sent, or exactly those in the mask.
    private static func updated(
        _ existing: Customer, by request: UpsertCustomerRequest, mask: UpdateMask, name: String?,
        required: [String]?, preferred: [String]?, at now: Date
    ) -> Customer {
        var customer = existing
        customer.name = mask.apply("name", sent: name, current: existing.name, cleared: existing.name)
        customer.defaultRequiredQualificationIds = mask.apply(
            "defaultRequiredQualificationIds", sent: required, current: existing.defaultRequiredQualificationIds,
            cleared: [])
        customer.defaultPreferredQualificationIds = mask.apply(
            "defaultPreferredQualificationIds", sent: preferred, current: existing.defaultPreferredQualificationIds,
            cleared: [])
        customer.lists = mask.apply("lists", sent: request.lists, current: existing.lists, cleared: [])
        customer.defaultDecision = mask.apply(
            "defaultDecision", sent: request.defaultDecision, current: existing.defaultDecision)
        customer.version += 1
        customer.updatedAt = now
        return customer
    }

    /// Every default names a qualification of the tenant, none is both required and preferred,
    /// and an archived one stays only where it already was (archived means no new use).
    private static func checkDefaults(
        of customer: Customer, before existing: Customer?, in transaction: RegistryTransaction, at now: Date
    ) throws {
        let required = customer.defaultRequiredQualificationIds
        let preferred = customer.defaultPreferredQualificationIds
        if let both = required.first(where: preferred.contains) {
            throw RegistryError.invalidField("body.defaultPreferredQualificationIds", "\(both) is already required")
        }
        let defaultsBefore = Set(
            (existing?.defaultRequiredQualificationIds ?? []) + (existing?.defaultPreferredQualificationIds ?? []))
        for (field, ids) in [
            ("body.defaultRequiredQualificationIds", required), ("body.defaultPreferredQualificationIds", preferred),
        ] {
            let qualifications = try transaction.findAll(Qualification.self, ids, field: field)
            for (index, qualification) in qualifications.enumerated() {
                try QualificationPolicy.requireUsableAsDefault(
                    qualification, alreadyDefault: defaultsBefore.contains(qualification.id),
                    field: "\(field)[\(index)]")
                try transaction.markUsed(qualificationId: qualification.id, at: now)
            }
        }
    }
}
