import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// Customers: their default required and preferred qualifications and their provider lists.
struct CustomerHandlers: RegistryCustomerHandling {
    let store: RegistryStore
    let clock: any ServiceClock

    func upsertCustomer(_ request: UpsertCustomerRequest, _ context: CallerContext) async throws -> CustomerReply {
        var validator = Validator()
        validator.optionalId(request.id, field: "body.id")
        let name = validator.name(request.name, field: "body.name")
        let required = validator.codes(
            request.defaultRequiredQualificationIds, field: "body.defaultRequiredQualificationIds")
        let preferred = validator.codes(
            request.defaultPreferredQualificationIds, field: "body.defaultPreferredQualificationIds")
        for id in Set(required).intersection(preferred).sorted() {
            validator.require(false, "body.defaultPreferredQualificationIds", "\(id) is already required")
        }
        let lists = request.lists ?? []
        var seen: [String: Int] = [:]
        for (index, entry) in lists.enumerated() {
            if let first = seen[entry.providerId] {
                validator.require(false, "body.lists[\(index)].providerId", "is already on lists[\(first)]")
            }
            seen[entry.providerId] = index
        }
        try validator.check()
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            let existing = try transaction.upsertTarget(
                Customer.self, request.id, expectedVersion: request.expectedVersion)
            let id = existing?.id ?? request.id ?? Identifier.make("cu")
            try transaction.requireUniqueName(Customer.self, name, except: id)
            let defaultsBefore = Set(
                (existing?.defaultRequiredQualificationIds ?? []) + (existing?.defaultPreferredQualificationIds ?? []))
            let defaults = [
                ("body.defaultRequiredQualificationIds", required),
                ("body.defaultPreferredQualificationIds", preferred),
            ]
            for (field, ids) in defaults {
                let qualifications = try transaction.findAll(Qualification.self, ids, field: field)
                for (index, qualification) in qualifications.enumerated() {
                    try QualificationRules.requireUsableAsDefault(
                        qualification, alreadyDefault: defaultsBefore.contains(qualification.id),
                        field: "\(field)[\(index)]")
                    try transaction.markUsed(qualificationId: qualification.id, at: now)
                }
            }
            for (index, entry) in lists.enumerated() {
                _ = try transaction.find(Provider.self, entry.providerId, field: "body.lists[\(index)].providerId")
            }
            let customer = Customer(
                partnerId: transaction.partnerId, id: id, name: name, defaultRequiredQualificationIds: required,
                defaultPreferredQualificationIds: preferred, lists: lists, version: (existing?.version ?? 0) + 1,
                createdAt: existing?.createdAt ?? now, updatedAt: now)
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
}
