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

    /// The record for `key` in `scope`, if any.
    public static func find(_ db: Database, scope: String, key: String) throws -> IdempotencyRecord? {
        try IdempotencyRecord.fetchOne(db, key: ["scope": scope, "key": key])
    }
}
