import GRDB

/// The last `seq` a consumer applied from one source, stored in the consumer's own transaction
/// so the effect and the checkpoint commit together (exactly-once effects, PROTOCOL §6), with
/// the source's outbox epoch those `seq`s belong to.
public struct EventCheckpoint: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "eventCheckpoint"

    public var source: String
    public var lastSeq: Int64
    /// Absent when the source predates epochs, or for checkpoints written before they existed.
    public var epoch: String?

    public init(source: String, lastSeq: Int64, epoch: String? = nil) {
        self.source = source
        self.lastSeq = lastSeq
        self.epoch = epoch
    }

    /// The record's columns, for queries.
    public enum Columns {
        public static let source = Column(CodingKeys.source)
    }

    /// The checkpoint of `source`: nothing applied yet when there is none.
    public static func of(_ db: Database, source: String) throws -> EventCheckpoint {
        try EventCheckpoint.fetchOne(db, key: source) ?? EventCheckpoint(source: source, lastSeq: 0)
    }

    /// The last applied `seq` of `source` (0 when nothing was applied yet).
    public static func lastSeq(_ db: Database, source: String) throws -> Int64 {
        try of(db, source: source).lastSeq
    }

    /// Records that `seq` of `source`, in `epoch`, was applied.
    public static func advance(_ db: Database, source: String, to seq: Int64, epoch: String?) throws {
        try EventCheckpoint(source: source, lastSeq: seq, epoch: epoch).upsert(db)
    }
}
