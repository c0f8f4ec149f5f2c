import Contracts
import Domain
import Foundation
import GRDB
import Wire

/// Applies registry and opportunities events to the read model, each inside the subscriber's
/// transaction with its checkpoint, and forgets a source's effects before it is applied again.
/// Every event carries the full record, so applying one is an upsert and applying it twice is
/// harmless.
enum ReadModelWriter {
    /// Applies one event; events of types the read model does not keep change nothing.
    static func apply(_ db: Database, _ event: Event) throws {
        guard let partner = event.partnerId else { return }
        switch (event.source, event.type) {
        case (Registry.service, _): try applyRegistry(db, event, partner: partner)
        case (Opportunities.service, Opportunities.EventType.opportunityChanged),
            (Opportunities.service, Opportunities.EventType.replacementSought):
            try upsertProviderJob(
                db, try decode(OpportunityChanged.self, event), partner: partner, at: event.occurredAt)
        case (Opportunities.service, _) where event.type.hasPrefix("request."):
            try upsertJob(db, try decode(RequestRecord.self, event))
        default:
            return
        }
    }

    private static func applyRegistry(_ db: Database, _ event: Event, partner: String) throws {
        typealias Types = Registry.EventType
        switch event.type {
        case Types.documentTypeCreated:
            let type = try decode(DocumentType.self, event)
            try db.run(
                "INSERT OR REPLACE INTO documentType (partnerId, id, name) VALUES (?, ?, ?)",
                arguments: [type.partnerId, type.id, type.name])
        case Types.qualificationCreated, Types.qualificationUpdated, Types.qualificationArchived:
            let q = try decode(Qualification.self, event)
            try db.run(
                """
                INSERT OR REPLACE INTO qualification
                    (partnerId, id, name, providerTypes, zones, requiredDocumentTypeIds, archived)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: [
                    q.partnerId, q.id, q.name, PackedList.pack(q.providerTypes), PackedList.pack(q.zones),
                    PackedList.pack(q.requiredDocumentTypeIds), q.archived,
                ])
        case Types.providerUpserted:
            try ProviderWriter.upsert(db, try decode(Provider.self, event))
        case Types.providerErased:
            let erased = try decode(ProviderErased.self, event)
            try ProviderWriter.erase(db, partnerId: erased.partnerId, providerId: erased.providerId)
        case Types.documentAdded, Types.documentRevoked:
            try upsertDocument(db, try decode(Document.self, event))
        case Types.documentExpired:
            try upsertDocument(db, try decode(DocumentExpired.self, event).document)
        case Types.qualificationApplied:
            let applied = try decode(AppliedQualification.self, event)
            try db.run(
                "INSERT OR IGNORE INTO appliedQualification (partnerId, providerId, qualificationId) VALUES (?, ?, ?)",
                arguments: [partner, applied.providerId, applied.qualificationId])
        case Types.qualificationRemoved:
            let removed = try decode(AppliedQualification.self, event)
            try db.run(
                "DELETE FROM appliedQualification WHERE partnerId = ? AND providerId = ? AND qualificationId = ?",
                arguments: [partner, removed.providerId, removed.qualificationId])
        case Types.availabilitySet:
            let set = try decode(SetAvailabilityResponse.self, event)
            try db.run(
                "DELETE FROM availabilityWindow WHERE partnerId = ? AND providerId = ?",
                arguments: [partner, set.providerId])
            for window in set.windows {
                try db.run(
                    #"""
                    INSERT INTO availabilityWindow (partnerId, providerId, "from", "to", status) VALUES (?, ?, ?, ?, ?)
                    """#,
                    arguments: [partner, set.providerId, window.from.stored, window.to.stored, window.status.rawValue])
            }
        case Types.customerUpserted:
            try upsertCustomer(db, try decode(Customer.self, event))
        default:
            return
        }
    }

    private static func upsertDocument(_ db: Database, _ document: Document) throws {
        try db.run(
            """
            INSERT OR REPLACE INTO document (partnerId, id, providerId, documentTypeId, issuedAt, expiresAt, revokedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            arguments: [
                document.partnerId, document.id, document.providerId, document.documentTypeId, document.issuedAt.stored,
                document.expiresAt?.stored, document.revokedAt?.stored,
            ])
    }

    private static func upsertCustomer(_ db: Database, _ customer: Customer) throws {
        try db.run(
            """
            INSERT OR REPLACE INTO customer
                (partnerId, id, defaultRequiredQualificationIds, defaultPreferredQualificationIds)
            VALUES (?, ?, ?, ?)
            """,
            arguments: [
                customer.partnerId, customer.id, PackedList.pack(customer.defaultRequiredQualificationIds),
                PackedList.pack(customer.defaultPreferredQualificationIds),
            ])
        try db.run(
            "DELETE FROM customerListEntry WHERE partnerId = ? AND customerId = ?",
            arguments: [customer.partnerId, customer.id])
        for entry in customer.lists {
            try db.run(
                "INSERT OR IGNORE INTO customerListEntry (partnerId, customerId, providerId, kind) VALUES (?, ?, ?, ?)",
                arguments: [customer.partnerId, customer.id, entry.providerId, entry.kind.rawValue])
        }
    }

    private static func upsertJob(_ db: Database, _ request: RequestRecord) throws {
        try db.run(
            """
            INSERT OR REPLACE INTO job
                (partnerId, requestId, customerId, providerType, startsAt, endsAt, remote, lat, lon, zone, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            arguments: [
                request.partnerId, request.id, request.customerId, request.providerType, request.startsAt.stored,
                request.endsAt.stored, request.remote, request.location?.lat, request.location?.lon, request.zone,
                request.status.rawValue,
            ])
    }

    private static func upsertProviderJob(
        _ db: Database, _ change: OpportunityChanged, partner: String, at: Date
    ) throws {
        try db.run(
            """
            INSERT OR REPLACE INTO providerJob
                (partnerId, opportunityId, requestId, providerId, customerId, state, startsAt, endsAt, changedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            arguments: [
                partner, change.opportunityId, change.requestId, change.providerId, change.customerId,
                change.to.rawValue,
                change.startsAt.stored, change.endsAt.stored, at.stored,
            ])
    }

    /// Forgets everything applied from `source`, so it can be applied again from `seq` 1.
    static func reset(_ db: Database, source: String, reason: String, at now: Date) throws {
        let tables: [String]
        switch source {
        case Registry.service:
            tables = [
                "provider", "providerReach", "providerZone", "documentType", "qualification", "document",
                "appliedQualification", "availabilityWindow", "customer", "customerListEntry",
            ]
        case Opportunities.service:
            tables = ["job", "providerJob"]
        default:
            return
        }
        for table in tables { try db.execute(sql: "DELETE FROM \(table)") }
        try db.run(
            """
            INSERT INTO readModelReset (source, count, lastAt, reason) VALUES (?, 1, ?, ?)
            ON CONFLICT (source) DO UPDATE SET count = count + 1, lastAt = excluded.lastAt, reason = excluded.reason
            """, arguments: [source, now.stored, reason])
    }

    /// The event's `data` as `type`.
    static func decode<T: Decodable>(_ type: T.Type, _ event: Event) throws -> T {
        try WireCoding.decode(type, from: try WireCoding.encode(event.data))
    }
}

/// A provider's row, the box they can reach (the R*Tree) and the zones they work in, together.
enum ProviderWriter {
    static func upsert(_ db: Database, _ provider: Provider) throws {
        if provider.erasedAt != nil {
            return try erase(db, partnerId: provider.partnerId, providerId: provider.id)
        }
        // The usable channels (set, not marked invalid) decide whether the provider can be reached.
        let channels = ContactChannels.usable(provider).map(\.rawValue).joined(separator: ",")
        let invalid = ContactChannels.invalid(provider).map(\.rawValue).joined(separator: ",")
        let key = try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    INSERT INTO provider
                        (partnerId, id, providerType, active, lat, lon, travelRadiusKm, zones, channels,
                         invalidChannels, version)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (partnerId, id) DO UPDATE SET
                        providerType = excluded.providerType, active = excluded.active,
                        lat = excluded.lat, lon = excluded.lon,
                        travelRadiusKm = excluded.travelRadiusKm, zones = excluded.zones, channels = excluded.channels,
                        invalidChannels = excluded.invalidChannels, version = excluded.version
                    RETURNING key
                    """),
            arguments: [
                provider.partnerId, provider.id, provider.providerType, provider.active, provider.location?.lat,
                provider.location?.lon, provider.travelRadiusKm, PackedList.pack(provider.zones), channels, invalid,
                provider.version,
            ])!
        try db.run("DELETE FROM providerReach WHERE key = ?", arguments: [key])
        if let location = provider.location {
            let box = Geo.reachBox(around: location, radiusKm: provider.travelRadiusKm)
            try db.run(
                "INSERT INTO providerReach (key, minLat, maxLat, minLon, maxLon) VALUES (?, ?, ?, ?, ?)",
                arguments: [key, box.minLat, box.maxLat, box.minLon, box.maxLon])
        }
        try db.run(
            "DELETE FROM providerZone WHERE partnerId = ? AND providerKey = ?", arguments: [provider.partnerId, key])
        for zone in Set(provider.zones) {
            try db.run(
                "INSERT INTO providerZone (partnerId, zone, providerKey) VALUES (?, ?, ?)",
                arguments: [provider.partnerId, zone, key])
        }
    }
}

extension ProviderWriter {
    /// Forgets an erased provider: its row (where it is: the location), its reach and its zones,
    /// and its availability. It is never ranked again; the jobs it held stay, as other
    /// providers' conflicts and the customers' history do not depend on them.
    static func erase(_ db: Database, partnerId: String, providerId: String) throws {
        if let key = try Int64.fetchOne(
            db, sql: "SELECT key FROM provider WHERE partnerId = ? AND id = ?", arguments: [partnerId, providerId])
        {
            try db.run("DELETE FROM providerReach WHERE key = ?", arguments: [key])
            try db.run("DELETE FROM providerZone WHERE partnerId = ? AND providerKey = ?", arguments: [partnerId, key])
            try db.run("DELETE FROM provider WHERE key = ?", arguments: [key])
        }
        try db.run(
            "DELETE FROM availabilityWindow WHERE partnerId = ? AND providerId = ?", arguments: [partnerId, providerId])
    }
}

extension Database {
    /// Runs `sql` through the statement cache: a rebuild applies the same few statements
    /// hundreds of thousands of times.
    func run(_ sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
