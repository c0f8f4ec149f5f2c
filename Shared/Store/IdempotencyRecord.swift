import Foundation
import GRDB

/// A stored reply for an `idempotencyKey`: replayed for a repeat with the same body, refused for
/// the same key with a different body. Written in the same transaction as the change.
public struct IdempotencyRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "idempotencyRecord"

    /// Tenant and method the key belongs to, so keys never collide across them.
    public var scope: String
    public var key: String
    /// A hash of the canonical request body.
    public var requestHash: String
    /// The reply body, as JSON bytes.
    public var reply: Data
    public var createdAt: Date

    public init(scope: String, key: String, requestHash: String, reply: Data, createdAt: Date) {
        self.scope = scope
        self.key = key
        self.requestHash = requestHash
        self.reply = reply
        self.createdAt = createdAt
    }

    /// The record's columns, for queries.
    public enum Columns {
        public static let createdAt = Column(CodingKeys.createdAt)
    }

    /// The record for `key` in `scope`, if any that was made after `expiredUpTo`.
    public static func find(
        _ db: Database, scope: String, key: String, expiredUpTo: Date
    ) throws -> IdempotencyRecord? {
        guard let record = try IdempotencyRecord.fetchOne(db, key: ["scope": scope, "key": key]),
            record.createdAt > expiredUpTo
        else { return nil }
        return record
    }

    /// Deletes every record made at or before `expiredUpTo`; returns how many there were.
    @discardableResult
    public static func deleteExpired(_ db: Database, expiredUpTo: Date) throws -> Int {
        try IdempotencyRecord.filter(Columns.createdAt <= expiredUpTo).deleteAll(db)
    }
}
