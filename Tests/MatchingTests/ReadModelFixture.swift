import Contracts
import Foundation
import GRDB
@_spi(RawDatabase) import Store
import Wire

@testable import MatchingService

/// Events as the registry and opportunities publish them, numbered per source, for tests that
/// feed the read model directly.
struct EventLog {
    var partner = "p-1"
    var events: [Event] = []
    var seqs: [String: Int64] = [:]
    var now = RankerFixture.start.addingTimeInterval(-30 * RankerFixture.day)

    mutating func append<Data: Encodable>(_ source: String, _ type: String, _ data: Data, partner: String? = nil) {
        let seq = (seqs[source] ?? 0) + 1
        seqs[source] = seq
        let json = try! WireCoding.decode(JSONValue.self, from: try! WireCoding.encode(data))
        events.append(
            Event(
                source: source, seq: seq, type: type, occurredAt: now, partnerId: partner ?? self.partner, data: json,
                epoch: "epoch-\(source)"))
    }

    mutating func provider(
        _ id: String, type: String = "asl", at location: GeoPoint? = RankerFixture.chicago, radius: Double? = 40,
        zones: [String] = ["IL"], active: Bool = true
    ) {
        append(
            Registry.service, Registry.EventType.providerUpserted,
            Provider(
                partnerId: partner, id: id, name: id, providerType: type, email: "\(id)@example.org", phone: nil,
                location: location, travelRadiusKm: radius, zones: zones, active: active, version: 1, createdAt: now,
                updatedAt: now))
    }

    mutating func qualification(_ id: String, name: String, documents: [String] = [], archived: Bool = false) {
        let type = archived ? Registry.EventType.qualificationArchived : Registry.EventType.qualificationCreated
        append(
            Registry.service, type,
            Qualification(
                partnerId: partner, id: id, name: name, description: "", providerTypes: [], zones: [],
                requiredDocumentTypeIds: documents, archived: archived, version: 1, createdAt: now, updatedAt: now))
    }

    mutating func apply(_ qualification: String, to provider: String) {
        append(
            Registry.service, Registry.EventType.qualificationApplied,
            AppliedQualification(
                partnerId: partner, providerId: provider, qualificationId: qualification, appliedAt: now))
    }

    mutating func customer(_ id: String, lists: [CustomerListEntry] = [], required: [String] = []) {
        append(
            Registry.service, Registry.EventType.customerUpserted,
            Customer(
                partnerId: partner, id: id, name: id, defaultRequiredQualificationIds: required,
                defaultPreferredQualificationIds: [], lists: lists, version: 1, createdAt: now, updatedAt: now))
    }

    /// A job for `customer` held by `provider` in `state`, `from`…`to` hours after the fixture's start.
    mutating func job(
        _ request: String, provider: String, customer: String = "c-1", state: OpportunityState,
        from: TimeInterval, to: TimeInterval
    ) {
        let (startsAt, endsAt) = (
            RankerFixture.start.addingTimeInterval(from * 3600), RankerFixture.start.addingTimeInterval(to * 3600)
        )
        append(
            Opportunities.service, Opportunities.EventType.requestCreated,
            RequestRecord(
                partnerId: partner, id: request, customerId: customer, providerType: "asl", startsAt: startsAt,
                endsAt: endsAt,
                remote: false, location: RankerFixture.chicago, zone: "IL", teamSize: 1, requiredQualificationIds: [],
                preferredQualificationIds: [], preferredProviderIds: [], decision: DecisionPolicy(), status: .open,
                version: 1,
                createdAt: now, updatedAt: now))
        append(
            Opportunities.service, Opportunities.EventType.opportunityChanged,
            OpportunityChanged(
                opportunityId: "o-\(request)-\(provider)", requestId: request, providerId: provider,
                customerId: customer,
                from: .pending, to: state, action: "decideAssign", actorRole: "partner", startsAt: startsAt,
                endsAt: endsAt))
    }
}

/// The read model on an in-memory database, fed events directly.
struct ReadModelFixture {
    let database: ServiceDatabase
    let store: MatchingStore

    init() throws {
        database = try ServiceDatabase.inMemory(source: Matching.service, migrations: MatchingMigrations.register(in:))
        store = MatchingStore(database)
    }

    /// Applies `events` with their checkpoints, as the subscriber does.
    func apply(_ events: [Event]) throws {
        try database.pool.write { db in
            for event in events {
                try ReadModelWriter.apply(db, event)
                try db.execute(
                    sql: "INSERT OR REPLACE INTO eventCheckpoint (source, lastSeq, epoch) VALUES (?, ?, ?)",
                    arguments: [event.source, event.seq, event.epoch])
            }
        }
    }

    var engine: RankingEngine { RankingEngine(store: store, maxMessageBytes: 1 << 20) }

    /// Every row the sources fed (see `dump(_:)`).
    func dump() throws -> [String] { try Self.dump(database.pool) }

    /// Every row the sources fed, in a stable order and without internal keys: two read models
    /// that hold the same facts dump the same.
    static func dump(_ reader: any DatabaseReader) throws -> [String] {
        try reader.read { db in
            let queries = [
                "SELECT partnerId, id, providerType, active, lat, lon, travelRadiusKm, zones, channels, version "
                    + "FROM provider",
                "SELECT p.id, r.minLat, r.maxLat, r.minLon, r.maxLon "
                    + "FROM providerReach r JOIN provider p ON p.key = r.key",
                "SELECT z.partnerId, z.zone, p.id FROM providerZone z JOIN provider p ON p.key = z.providerKey",
                "SELECT * FROM documentType", "SELECT * FROM qualification", "SELECT * FROM document",
                "SELECT * FROM appliedQualification", "SELECT * FROM availabilityWindow", "SELECT * FROM customer",
                "SELECT * FROM customerListEntry", "SELECT * FROM job", "SELECT * FROM providerJob",
            ]
            return try queries.flatMap { sql in
                try Row.fetchAll(db, sql: sql).map { "\(sql.prefix(40)): \($0)" }.sorted()
            }
        }
    }
}
