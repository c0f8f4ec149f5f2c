/// The paging pair every list method shares (AIP-158): `pageSize` and `pageToken` in the
/// request, `nextPageToken` in the reply. Declared once, so every list reads and pages alike.
public enum PageShape: Sendable {
    /// A list request: `pageSizeDefault` says what a missing `pageSize` means.
    case request(pageSizeDefault: String)
    /// A list reply.
    case reply

    /// The properties this shape adds to an object schema.
    var properties: [String: JSONValue] {
        switch self {
        case .request(let pageSizeDefault):
            [
                "pageSize": JSONSchema.integer(
                    minimum: 1, maximum: 1000,
                    description: "Items per page, from 1 to 1000 (default: \(pageSizeDefault))."),
                "pageToken": JSONSchema.string(
                    description: "The previous reply's nextPageToken, to read the next page; opaque, and valid only "
                        + "with the same filters."),
            ]
        case .reply:
            [
                "nextPageToken": JSONSchema.string(
                    description: "Present when more items remain: pass it as pageToken to read them.")
            ]
        }
    }
}

/// A list method's request: at most `pageSize` items after the page `pageToken` names.
public protocol PagedRequest {
    /// Items per page (1…1000); nil for the method's default.
    var pageSize: Int? { get }
    /// The previous reply's `nextPageToken`; nil for the first page.
    var pageToken: String? { get }
}

/// A list method's reply: one page of items, and where the next one starts.
public protocol PagedReply {
    /// Present when more items remain.
    var nextPageToken: String? { get }
}
