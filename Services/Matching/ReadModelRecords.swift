import Contracts
import Foundation
import GRDB

// The read model's rows, decoded by column position (ranking reads thousands per call), with
// the queries that select them as GRDB request extensions next to each.

/// Lists held in one column: joined with the ASCII unit separator, which no code or id contains,
/// so reading one back is a split rather than a JSON decode.
enum PackedList {
    static let separator: Character = "\u{1F}"

    static func pack(_ values: [String]) -> String { values.joined(separator: String(separator)) }

    static func unpack(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        if !text.contains(separator) { return [text] }
        return text.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
}

/// A date as the read model stores it.
extension Date {
    var stored: Double { timeIntervalSince1970 }
    init(stored: Double) { self.init(timeIntervalSince1970: stored) }
}

/// A provider as ranking sees them.
struct ProviderRecord: FetchableRecord, TableRecord, Sendable {
    static let databaseTableName = "provider"
    static let selection =
        "p.key, p.id, p.providerType, p.active, p.lat, p.lon, p.travelRadiusKm, p.zones, p.channels, p.invalidChannels"
    /// The same columns for the query interface, since rows are decoded by position.
    static var databaseSelection: [any SQLSelectable] {
        [
            Column("key"), Column("id"), Column("providerType"), Column("active"), Column("lat"), Column("lon"),
            Column("travelRadiusKm"), Column("zones"), Column("channels"), Column("invalidChannels"),
        ]
    }

    var key: Int64
    var id: String
    var providerType: String
    var active: Bool
    var location: GeoPoint?
    var travelRadiusKm: Double?
    var zones: [String]
    /// Whether the provider has a usable contact channel (`channels`: those set and not marked invalid).
    var reachable: Bool
    /// The channels marked invalid, comma-separated (empty: none).
    var invalidChannels: String

    init(row: Row) {
        key = row[0]
        id = row[1]
        providerType = row[2]
        active = row[3]
        let (lat, lon): (Double?, Double?) = (row[4], row[5])
        location = lat.flatMap { lat in lon.map { GeoPoint(lat: lat, lon: $0) } }
        travelRadiusKm = row[6]
        zones = PackedList.unpack(row[7])
        reachable = !(row[8] as String).isEmpty
        invalidChannels = row[9]
    }

    enum Columns {
        static let partnerId = Column("partnerId")
        static let id = Column("id")
    }
}

extension ProviderRecord {
    /// Active providers of `type` whose reach contains `point`, and those with no location.
    static func reaching(_ point: GeoPoint, partner: String, type: String) -> SQLRequest<ProviderRecord> {
        // CROSS JOIN keeps SQLite from starting with the provider table: the R*Tree narrows first.
        SQLRequest(
            sql: """
                SELECT \(selection) FROM providerReach r CROSS JOIN provider p
                WHERE r.minLat <= ?1 AND r.maxLat >= ?1 AND r.minLon <= ?2 AND r.maxLon >= ?2
                  AND p.key = r.key AND p.partnerId = ?3 AND p.providerType = ?4 AND p.active
                UNION ALL
                SELECT \(selection) FROM provider p
                WHERE p.partnerId = ?3 AND p.providerType = ?4 AND p.active AND p.lat IS NULL
                """, arguments: [point.lat, point.lon, partner, type])
    }

    /// Active providers of `type` who work in `zone` or name no zone.
    static func working(in zone: String, partner: String, type: String) -> SQLRequest<ProviderRecord> {
        SQLRequest(
            sql: """
                SELECT \(selection) FROM providerZone z CROSS JOIN provider p
                WHERE z.partnerId = ?1 AND z.zone = ?3 AND p.key = z.providerKey AND p.providerType = ?2 AND p.active
                UNION ALL
                SELECT \(selection) FROM provider p
                WHERE p.partnerId = ?1 AND p.providerType = ?2 AND p.active AND p.zones = ''
                """, arguments: [partner, type, zone])
    }

    /// Active providers of `type`, wherever they are.
    static func ofType(_ type: String, partner: String) -> SQLRequest<ProviderRecord> {
        SQLRequest(
            sql: "SELECT \(selection) FROM provider p WHERE p.partnerId = ? AND p.providerType = ? AND p.active",
            arguments: [partner, type])
    }

    /// The providers with these ids.
    static func withIds(_ ids: [String], partner: String) -> SQLRequest<ProviderRecord> {
        SQLRequest(
            sql: """
                SELECT \(selection) FROM json_each(?2) ids CROSS JOIN provider p
                WHERE p.partnerId = ?1 AND p.id = ids.value
                """, arguments: [partner, JSONList.of(ids)])
    }

    /// Every provider of the partner (the naive baseline reads them all).
    static func all(partner: String) -> SQLRequest<ProviderRecord> {
        SQLRequest(sql: "SELECT \(selection) FROM provider p WHERE p.partnerId = ? ORDER BY p.id", arguments: [partner])
    }
}

extension ProviderRecord {
    /// How many providers the partner has, after `id` when given.
    static func count(partner: String, after id: String?) -> SQLRequest<Int> {
        // Cached: every ranking asks it once or twice.
        guard let id else {
            return SQLRequest(
                sql: "SELECT COUNT(*) FROM provider WHERE partnerId = ?", arguments: [partner], cached: true)
        }
        return SQLRequest(
            sql: "SELECT COUNT(*) FROM provider WHERE partnerId = ? AND id > ?", arguments: [partner, id], cached: true)
    }

    /// Up to `limit` provider ids of the partner after `id`, in id order.
    static func ids(partner: String, after id: String?, limit: Int) -> SQLRequest<String> {
        SQLRequest(
            sql: "SELECT id FROM provider WHERE partnerId = ? AND id > ? ORDER BY id LIMIT ?",
            arguments: [partner, id ?? "", limit], cached: true)
    }
}

/// Ids passed to SQL as one JSON array, read back with `json_each`: any number in one argument.
enum JSONList {
    static func of(_ values: some Collection<String>) -> String {
        var text = "["
        text.reserveCapacity(values.count * 24)
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            text += "\""
            // Ids are plain text almost always: copied as they are, escaped only when they must be.
            if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
                text += value
            } else {
                for character in value.unicodeScalars {
                    switch character {
                    case "\"": text += "\\\""
                    case "\\": text += "\\\\"
                    case _ where character.value < 0x20: text += String(format: "\\u%04x", character.value)
                    default: text.unicodeScalars.append(character)
                    }
                }
            }
            text += "\""
        }
        return text + "]"
    }
}

/// A qualification's scope as the read model keeps it.
struct QualificationRecord: FetchableRecord, TableRecord, Sendable {
    static let databaseTableName = "qualification"
    var id: String
    var name: String
    var providerTypes: [String]
    var zones: [String]
    var requiredDocumentTypeIds: [String]
    var archived: Bool

    init(row: Row) {
        id = row["id"]
        name = row["name"]
        providerTypes = PackedList.unpack(row["providerTypes"])
        zones = PackedList.unpack(row["zones"])
        requiredDocumentTypeIds = PackedList.unpack(row["requiredDocumentTypeIds"])
        archived = row["archived"]
    }
}

extension DerivableRequest<QualificationRecord> {
    func inTenant(_ partner: String) -> Self { filter(Column("partnerId") == partner) }
}

/// A customer's defaults; its lists are `CustomerListRecord`s.
struct CustomerRecord: FetchableRecord, TableRecord, Sendable {
    static let databaseTableName = "customer"
    var id: String
    var defaultRequiredQualificationIds: [String]
    var defaultPreferredQualificationIds: [String]

    init(row: Row) {
        id = row["id"]
        defaultRequiredQualificationIds = PackedList.unpack(row["defaultRequiredQualificationIds"])
        defaultPreferredQualificationIds = PackedList.unpack(row["defaultPreferredQualificationIds"])
    }
}

extension CustomerRecord {
    /// The partner's customer with this id.
    static func find(_ id: String, partner: String) -> SQLRequest<CustomerRecord> {
        SQLRequest(
            sql: "SELECT * FROM customer WHERE partnerId = ? AND id = ?", arguments: [partner, id], cached: true)
    }
}

/// A provider on one of a customer's lists.
struct CustomerListRecord: FetchableRecord, TableRecord, Sendable {
    static let databaseTableName = "customerListEntry"
    var providerId: String
    var kind: CustomerListEntry.Kind

    init(row: Row) {
        providerId = row["providerId"]
        kind = CustomerListEntry.Kind(rawValue: row["kind"]) ?? .preferred
    }
}

extension CustomerListRecord {
    /// The lists of one customer.
    static func of(customer customerId: String, partner: String) -> SQLRequest<CustomerListRecord> {
        SQLRequest(
            sql: "SELECT providerId, kind FROM customerListEntry WHERE partnerId = ? AND customerId = ?",
            arguments: [partner, customerId], cached: true)
    }
}

/// A document type's name, for reasons.
struct DocumentTypeRecord: FetchableRecord, TableRecord, Sendable {
    static let databaseTableName = "documentType"
    var id: String
    var name: String

    init(row: Row) {
        id = row["id"]
        name = row["name"]
    }
}

extension DerivableRequest<DocumentTypeRecord> {
    func inTenant(_ partner: String) -> Self { filter(Column("partnerId") == partner) }
}
