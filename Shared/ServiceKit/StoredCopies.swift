import Foundation
import GRDB
@_spi(RawDatabase) import Store
import Wire

/// The copies of a record a service keeps besides its own tables: the events in its outbox and
/// the replies kept for idempotency keys. Erasing personal data rewrites them too, in the
/// erasure's transaction, so that neither `ReadEvents` nor a replayed reply gives it back.
public enum StoredCopies {
    /// Rewrites the data of the tenant's events of `types` whose JSON holds `needle` (a pre-filter
    /// on the bytes: `transform` decides), keeping their `seq`, type and time; `transform`
    /// answers nil to leave one as it is. Returns how many changed.
    @discardableResult
    public static func rewriteEvents(
        _ db: Database, partnerId: String, types: [String], containing needle: String,
        _ transform: (_ type: String, _ data: JSONValue) throws -> JSONValue?
    ) throws -> Int {
        let records = try OutboxRecord.filter(OutboxRecord.Columns.partnerId == partnerId)
            .filter(types.contains(Column("type")))
            .filter(sql: "instr(data, ?) > 0", arguments: [Data(needle.utf8)]).fetchAll(db)
        var changed = 0
        for var record in records {
            let data = try WireCoding.decode(JSONValue.self, from: record.data)
            guard let rewritten = try transform(record.type, data), rewritten != data else { continue }
            record.data = Data(try WireCoding.encode(rewritten))
            try record.update(db)
            changed += 1
        }
        return changed
    }

    /// Rewrites the tenant's stored replies (of any actor, to any method) whose JSON holds
    /// `needle`: a repeat of the call replays the rewritten reply. `transform` gets the method
    /// and the reply and answers nil to leave it. Returns how many changed.
    @discardableResult
    public static func rewriteReplies(
        _ db: Database, partnerId: String, containing needle: String,
        _ transform: (_ method: String, _ reply: JSONValue) throws -> JSONValue?
    ) throws -> Int {
        // The scope is "<partnerId>|<role>|<actor id>|<method>" (`ServiceDatabase.idempotencyScope`).
        let prefix = partnerId + "|"
        let records = try IdempotencyRecord.filter(
            sql: "substr(scope, 1, ?) = ?", arguments: [prefix.unicodeScalars.count, prefix]
        ).filter(sql: "instr(reply, ?) > 0", arguments: [Data(needle.utf8)]).fetchAll(db)
        var changed = 0
        for var record in records {
            let method = String(record.scope.split(separator: "|", omittingEmptySubsequences: false).last ?? "")
            let reply = try WireCoding.decode(JSONValue.self, from: record.reply)
            guard let rewritten = try transform(method, reply), rewritten != reply else { continue }
            record.reply = Data(try WireCoding.encode(rewritten))
            try record.update(db)
            changed += 1
        }
        return changed
    }
}

extension JSONValue {
    /// This value with every occurrence of each key of `replacements`, in any string it holds
    /// (however deep), replaced by its value: contact details gone from free text and fields alike.
    public func replacingText(_ replacements: [String: String]) -> JSONValue {
        switch self {
        case .string(let text):
            var replaced = text
            for (old, new) in replacements where !old.isEmpty {
                replaced = replaced.replacingOccurrences(of: old, with: new)
            }
            return .string(replaced)
        case .array(let values):
            return .array(values.map { $0.replacingText(replacements) })
        case .object(let members):
            return .object(members.mapValues { $0.replacingText(replacements) })
        default:
            return self
        }
    }
}
