import Contracts
import Foundation
import GRDB
import ServiceKit
@_spi(RawDatabase) import Store
import Wire

/// States the registry's own methods refuse to make, written straight into its tables and
/// announced as it announces them: for tests of what the other services do when they meet one
/// anyway (data restored from an older backup, say).
public enum RegistryBackdoor {
    /// Adds `qualificationId`, which the registry does not know, to one of the customer's
    /// default lists: its row rewritten and a `customer.upserted` event written in the same
    /// transaction, so opportunities (reading the registry) and matching (reading the events)
    /// both see it.
    public static func addUnknownDefault(
        _ qualificationId: String, to list: SkippedDefault.List, of customer: Customer, in registry: ServiceApplication
    ) async throws {
        var changed = customer
        switch list {
        case .required: changed.defaultRequiredQualificationIds.append(qualificationId)
        case .preferred: changed.defaultPreferredQualificationIds.append(qualificationId)
        }
        let column = list == .required ? "defaultRequiredQualificationIds" : "defaultPreferredQualificationIds"
        let ids = list == .required ? changed.defaultRequiredQualificationIds : changed.defaultPreferredQualificationIds
        let stored = String(decoding: try JSONEncoder().encode(ids), as: UTF8.self)
        let (database, announced) = (registry.environment.database, changed)
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE customer SET \(column) = ? WHERE partnerId = ? AND id = ?",
                arguments: [stored, customer.partnerId, customer.id])
            guard db.changesCount == 1 else {
                throw RPCError(.notFound, "the registry has no customer \(customer.id) of \(customer.partnerId)")
            }
            _ = try database.outbox.append(
                db, type: Registry.EventType.customerUpserted, partnerId: customer.partnerId, occurredAt: Date(),
                data: announced)
        }
    }
}
