import GRDB

/// The last `seq` a consumer applied from one source, stored in the consumer's own transaction
/// so the effect and the checkpoint commit together (exactly-once effects, PROTOCOL §6).
public struct EventCheckpoint: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "eventCheckpoint"

    public var source: String
    public var lastSeq: Int64

    public init(source: String, lastSeq: Int64) {
        self.source = source
        self.lastSeq = lastSeq
    }

    /// The record's columns, for queries.
    public enum Columns {
        public static let source = Column(CodingKeys.source)
    }

    /// The last applied `seq` of `source` (0 when nothing was applied yet).
    public static func lastSeq(_ db: Database, source: String) throws -> Int64 {
        try EventCheckpoint.fetchOne(db, key: source)?.lastSeq ?? 0
    }

    /// Records that `seq` of `source` was applied.
    public static func advance(_ db: Database, source: String, to seq: Int64) throws {
        try EventCheckpoint(source: source, lastSeq: seq).upsert(db)
    }
}
