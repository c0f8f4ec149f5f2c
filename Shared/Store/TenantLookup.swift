import GRDB
import Wire

extension FetchableRecord where Self: TableRecord {
    /// The row with this `(partnerId, id)`, or `NOT_FOUND` naming `field`: another tenant's id
    /// answers exactly like one that does not exist.
    public static func find(_ db: Database, partner: String, id: String, kind: String, field: String) throws -> Self {
        guard let found = try fetchOne(db, key: ["partnerId": partner, "id": id]) else {
            throw RPCError.notFound(kind, id: id, field: field)
        }
        return found
    }
}
