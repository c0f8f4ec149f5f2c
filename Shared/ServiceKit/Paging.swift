import Foundation
import Wire

/// AIP-158 paging for list methods (`pageSize`, `pageToken` → `nextPageToken`), bounded by the
/// reply size limit as well as by count, so no list can grow into a reply a client cannot take.
///
/// A token names the last item returned (its unique key) and the query it belongs to; it is
/// opaque to clients. Without `pageSize` a list returns everything that fits.
public enum Paging {
    /// The largest `pageSize` accepted.
    public static let maxPageSize = 1000
    /// Room left in a reply for its envelope, the other fields and the token.
    static let replyOverhead = 4096

    /// Checks `pageSize` (nil, or 1…1000), naming the field when it is out of range.
    public static func validate(pageSize: Int?, field: String = "body.pageSize") throws(RPCError) {
        if let pageSize, !(1...maxPageSize).contains(pageSize) {
            throw .invalidArgument(field: field, "must be from 1 to \(maxPageSize)")
        }
    }

    /// The key of the last item the token's page ended with; nil without a token.
    /// - Parameter query: the list's filters, as one string: a token of another query is refused.
    public static func after(token: String?, query: String, field: String = "body.pageToken") throws(RPCError)
        -> String?
    {
        guard let token, !token.isEmpty else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
            let decoded = try? JSONDecoder().decode(Token.self, from: data)
        else {
            throw .invalidArgument(field: field, "is not a page token of this service")
        }
        guard decoded.query == fingerprint(query) else {
            throw .invalidArgument(field: field, "belongs to a list with other filters; start again without it")
        }
        return decoded.after
    }

    /// The token that continues after the item with `key`.
    public static func token(after key: String, query: String) -> String {
        let data = (try? JSONEncoder().encode(Token(after: key, query: fingerprint(query)))) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/", with: "_"
        )
        .replacingOccurrences(of: "=", with: "")
    }

    /// How many of `items`, from the first, fit in a reply of `maxBytes`; at least one, or
    /// `RESOURCE_EXHAUSTED` when even the first does not.
    public static func fitting<Item: Encodable>(_ items: [Item], maxBytes: Int) throws(RPCError) -> Int {
        let budget = maxBytes - replyOverhead
        var used = 0
        for (index, item) in items.enumerated() {
            let size = ((try? WireCoding.encode(item))?.count ?? budget) + 1
            if used + size > budget {
                if index == 0 {
                    throw RPCError(.resourceExhausted, "one item is larger than the reply limit of \(maxBytes) bytes")
                }
                return index
            }
            used += size
        }
        return items.count
    }

    /// One page of `items` (the whole list, in its order): after the token's item, at most
    /// `pageSize`, and no more than fits in `maxBytes`.
    /// - Parameter key: each item's unique key, which the next page's token names.
    public static func page<Item: Encodable>(
        _ items: [Item], key: (Item) -> String, pageSize: Int?, pageToken: String?, query: String, maxBytes: Int
    ) throws(RPCError) -> (items: [Item], nextPageToken: String?) {
        try validate(pageSize: pageSize)
        var start = 0
        if let after = try after(token: pageToken, query: query) {
            guard let index = items.firstIndex(where: { key($0) == after }) else {
                throw .invalidArgument(
                    field: "body.pageToken", "its place in the list is gone (the list changed); start again")
            }
            start = index + 1
        }
        let rest = Array(items[start...].prefix(pageSize ?? Int.max))
        guard !rest.isEmpty else { return ([], nil) }
        let count = try fitting(rest, maxBytes: maxBytes)
        let page = Array(rest.prefix(count))
        let more = start + count < items.count
        return (page, more ? token(after: key(page[page.count - 1]), query: query) : nil)
    }

    /// One page of `items` as a list method's `request` asks for it (its `pageSize` and `pageToken`).
    public static func page<Item: Encodable>(
        _ items: [Item], key: (Item) -> String, request: some PagedRequest, query: String, maxBytes: Int
    ) throws(RPCError) -> (items: [Item], nextPageToken: String?) {
        try page(
            items, key: key, pageSize: request.pageSize, pageToken: request.pageToken, query: query, maxBytes: maxBytes)
    }

    private struct Token: Codable {
        var after: String
        var query: String
    }

    /// A short, stable digest of the filters (FNV-1a).
    static func fingerprint(_ query: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in query.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 36)
    }
}
