import Foundation
import GRDB
@_spi(RawDatabase) import Store
import Transport
import Wire

extension ServiceDatabase {
    /// Runs a mutation in one write transaction that also honours the request's `idempotencyKey`
    /// (a repeat with the same body replays the stored reply; with another body it is
    /// `INVALID_ARGUMENT`; past `idempotencyRetention` the key is new again) and its deadline
    /// (past it, the transaction rolls back).
    public func mutate<Request: Encodable & Sendable, Response: Codable & Sendable>(
        _ context: RequestContext, request: Request, now: Date,
        _ body: @escaping @Sendable (GRDB.Database) throws -> Response
    ) async throws -> Response {
        try context.checkDeadline()
        guard let key = context.idempotencyKey else {
            return try await pool.write { db in
                let response = try body(db)
                try context.checkDeadline()
                return response
            }
        }
        let scope = Self.idempotencyScope(context)
        let hash = try RequestHash.of(request)
        let expiredUpTo = idempotencyExpiry(at: now)
        return try await pool.write { db in
            if let record = try IdempotencyRecord.find(db, scope: scope, key: key, expiredUpTo: expiredUpTo) {
                guard record.requestHash == hash else {
                    throw RPCError.invalidArgument(field: "idempotencyKey", "was already used with a different request")
                }
                return try WireCoding.decode(Response.self, from: record.reply)
            }
            let response = try body(db)
            try context.checkDeadline()
            // An upsert: an expired record the sweep has not deleted yet gives way to the new one.
            try IdempotencyRecord(
                scope: scope, key: key, requestHash: hash, reply: Data(try WireCoding.encode(response)), createdAt: now
            ).upsert(db)
            return response
        }
    }
}

extension ServiceDatabase {
    /// Keys are the caller's own: per tenant, actor and method, so two actors never share one
    /// and a replay never shows one actor another's reply.
    static func idempotencyScope(_ context: RequestContext) -> String {
        let actor = context.actor
        return "\(actor?.partnerId ?? "-")|\(actor?.role.rawValue ?? "-")|\(actor?.id ?? "-")|\(context.method)"
    }

    /// The reply stored for the request's `idempotencyKey`, if this exact request was already
    /// done: handlers whose checks depend on time or other services look here first, so a
    /// retry gets the original answer rather than a fresh verdict.
    public func storedReply<Request: Encodable & Sendable, Response: Codable & Sendable>(
        _ context: RequestContext, request: Request, as type: Response.Type
    ) async throws -> Response? {
        guard let key = context.idempotencyKey else { return nil }
        let scope = Self.idempotencyScope(context)
        let hash = try RequestHash.of(request)
        let expiredUpTo = idempotencyExpiry(at: now())
        return try await pool.read { db in
            guard let record = try IdempotencyRecord.find(db, scope: scope, key: key, expiredUpTo: expiredUpTo) else {
                return nil
            }
            guard record.requestHash == hash else {
                throw RPCError.invalidArgument(field: "idempotencyKey", "was already used with a different request")
            }
            return try WireCoding.decode(Response.self, from: record.reply)
        }
    }
}

/// A stable hash of a request: FNV-1a over its JSON with sorted keys, so field order and unknown
/// fields do not matter.
enum RequestHash {
    static func of<Request: Encodable>(_ request: Request) throws -> String {
        let bytes = try WireCoding.makeEncoder(sortedKeys: true).encode(request)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
