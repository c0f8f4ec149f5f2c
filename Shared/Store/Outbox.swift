import Foundation
import GRDB
import Synchronization
import Wire

/// One row of the outbox: an event written in the same transaction as the change it reports.
public struct OutboxRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "outbox"

    public var seq: Int64
    public var type: String
    public var occurredAt: Date
    public var partnerId: String?
    /// The event's `data`, as JSON bytes.
    public var data: Data

    /// The record's columns, for queries.
    public enum Columns {
        public static let seq = Column(CodingKeys.seq)
        public static let partnerId = Column(CodingKeys.partnerId)
    }

    /// The event this row stands for, as published.
    public func event(source: String, epoch: String?) throws -> Event {
        Event(
            source: source, seq: seq, type: type, occurredAt: occurredAt, partnerId: partnerId,
            data: try WireCoding.makeDecoder().decode(JSONValue.self, from: data), epoch: epoch)
    }
}

/// The outbox's epoch: one row, written once when the database is made.
struct OutboxEpoch: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "outboxEpoch"
    var id: Int64 = 1
    var epoch: String
}

/// The transactional outbox of PROTOCOL §6: `append` inside the caller's transaction, so an event
/// exists if and only if its change does; after the commit the relay is woken to publish it.
public final class Outbox: Sendable {
    /// The service name used as every event's `source`.
    public let source: String
    /// Made once with the database: a replaced database has a new one, so subscribers can tell
    /// its `seq`s from the old ones.
    public let epoch: String
    private let committed = Mutex<[@Sendable () -> Void]>([])

    init(source: String, epoch: String) {
        self.source = source
        self.epoch = epoch
    }

    /// Registers a callback run after each commit that appended events (the relay's wake-up).
    public func onCommit(_ callback: @escaping @Sendable () -> Void) {
        committed.withLock { $0.append(callback) }
    }

    /// Appends an event in the current transaction and returns its `seq`: the last one plus one.
    @discardableResult
    public func append<Data: Encodable>(
        _ db: GRDB.Database, type: String, partnerId: String?, occurredAt: Date, data: Data
    ) throws -> Int64 {
        let last = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM outbox") ?? 0
        let record = OutboxRecord(
            seq: last + 1, type: type, occurredAt: occurredAt, partnerId: partnerId,
            data: Foundation.Data(try WireCoding.encode(data)))
        try record.insert(db)
        let callbacks = committed.withLock { $0 }
        db.afterNextTransaction { _ in
            for callback in callbacks { callback() }
        }
        return record.seq
    }

    /// Events after `afterSeq` in `seq` order, optionally for one tenant: at most `limit`, and no
    /// more than fit in `maxBytes` of JSON (the first one alone is returned if it fits).
    public func read(
        _ db: GRDB.Database, afterSeq: Int64, limit: Int, partnerId: String? = nil, maxBytes: Int = .max
    ) throws -> [Event] {
        var request = OutboxRecord.filter(OutboxRecord.Columns.seq > afterSeq)
        if let partnerId { request = request.filter(OutboxRecord.Columns.partnerId == partnerId) }
        let records = try request.order(OutboxRecord.Columns.seq).limit(limit).fetchCursor(db)
        var events: [Event] = []
        var bytes = 0
        while let record = try records.next() {
            let event = try record.event(source: source, epoch: epoch)
            if maxBytes < .max {
                // Each event as the reply encodes it, plus the comma between array elements.
                bytes += try WireCoding.encode(event).count + 1
                if bytes > maxBytes { break }
            }
            events.append(event)
        }
        return events
    }

    /// The highest `seq` written so far (0 when none), optionally of one tenant's events.
    public func lastSeq(_ db: GRDB.Database, partnerId: String? = nil) throws -> Int64 {
        guard let partnerId else { return try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM outbox") ?? 0 }
        let sql = "SELECT MAX(seq) FROM outbox WHERE partnerId = ?"
        return try Int64.fetchOne(db, sql: sql, arguments: [partnerId]) ?? 0
    }
}
