import Foundation

/// Everything of a request except its body: PROTOCOL §3.
public struct RequestHeader: Sendable, Equatable {
    public var id: String
    public var method: String
    public var deadlineMs: Int64?
    public var idempotencyKey: String?
    public var actor: Actor?

    public init(id: String, method: String, deadlineMs: Int64? = nil, idempotencyKey: String? = nil, actor: Actor? = nil) {
        self.id = id
        self.method = method
        self.deadlineMs = deadlineMs
        self.idempotencyKey = idempotencyKey
        self.actor = actor
    }
}

/// Why a request could not be read, with its `id` when that much was readable.
public struct MalformedRequest: Error, Sendable {
    public var id: String?
    public var error: RPCError
}

/// Reading and writing envelopes, shared by servers and clients.
public enum Envelope {
    /// Longest accepted `idempotencyKey`.
    public static let maxIdempotencyKeyLength = 256

    /// Reads the header of a request's JSON, applying every check of PROTOCOL §2 and §3 that does
    /// not depend on the method: UTF-8, one JSON object, `id` and `method` strings, field types.
    public static func parseHeader(_ json: ArraySlice<UInt8>) -> Result<RequestHeader, MalformedRequest> {
        guard String(validating: json, as: UTF8.self) != nil else {
            return .failure(MalformedRequest(id: nil, error: RPCError(.invalidArgument, "payload is not valid UTF-8")))
        }
        let raw: RawHeader
        do {
            raw = try WireCoding.decoder.decode(RawHeader.self, from: Data(json))
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            return .failure(MalformedRequest(id: nil, error: RPCError(.invalidArgument, "payload must be a single JSON object")))
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            let reason = context.underlyingError.map { ": \($0)" } ?? ""
            return .failure(MalformedRequest(id: nil, error: RPCError(.invalidArgument, "payload is not valid JSON\(reason)")))
        } catch {
            return .failure(MalformedRequest(id: nil, error: RPCError(.invalidArgument, "payload is not a valid request: \(error)")))
        }
        if !raw.violations.isEmpty {
            let summary = raw.violations.map { "\($0.field) \($0.description)" }.joined(separator: "; ")
            return .failure(MalformedRequest(id: raw.id, error: RPCError(.invalidArgument, summary, details: raw.violations)))
        }
        return .success(RequestHeader(id: raw.id!, method: raw.method!, deadlineMs: raw.deadlineMs, idempotencyKey: raw.idempotencyKey, actor: raw.actor))
    }

    /// Encodes a request payload (JSON only; frame it with `LengthPrefixedFrame`).
    public static func encodeRequest<Body: Encodable>(_ header: RequestHeader, body: Body) throws -> [UInt8] {
        try WireCoding.encode(OutgoingRequest(header: header, body: body))
    }

    /// Encodes a reply payload (JSON only). `body` is omitted as `{}` on errors.
    public static func encodeReply<Body: Encodable>(id: String?, status: Status, body: Body?) throws -> [UInt8] {
        try WireCoding.encode(OutgoingReply(id: id, status: status, body: body))
    }

    /// Encodes an error reply; never fails.
    public static func encodeError(id: String?, _ error: RPCError) -> [UInt8] {
        if let bytes = try? encodeReply(id: id, status: Status(error), body: Empty?.none) { return bytes }
        return Array(#"{"id":null,"status":{"code":"INTERNAL","message":"could not encode error","details":[]},"body":{}}"#.utf8)
    }

    /// Decodes a whole request, header and typed body, in one pass: the fast path. Nil when
    /// anything is off; then `parseHeader` and `decodeBody` name the precise error.
    public static func decodeRequest<Body: Decodable>(_ type: Body.Type, from json: ArraySlice<UInt8>) -> (RequestHeader, Body)? {
        guard let request = try? WireCoding.decoder.decode(WholeRequest<Body>.self, from: Data(json)),
              !request.method.isEmpty, (request.deadlineMs ?? 0) >= 0 else { return nil }
        if let key = request.idempotencyKey, key.isEmpty || key.count > maxIdempotencyKeyLength { return nil }
        let header = RequestHeader(id: request.id, method: request.method, deadlineMs: request.deadlineMs, idempotencyKey: request.idempotencyKey, actor: request.actor)
        if let body = request.body { return (header, body) }
        guard let empty = try? WireCoding.decoder.decode(Body.self, from: Data("{}".utf8)) else { return nil }
        return (header, empty)
    }

    /// Decodes a whole reply in one pass: its status and, when OK, its typed body.
    public static func decodeReply<Body: Decodable>(_ type: Body.Type, from json: ArraySlice<UInt8>) throws(RPCError) -> Body {
        let reply: WholeReply<Body>
        do {
            reply = try WireCoding.decoder.decode(WholeReply<Body>.self, from: Data(json))
        } catch {
            // The status may be readable even when the body is not what was expected.
            let head = try parseReplyHead(json)
            if let error = head.status.error { throw error }
            return try decodeBody(Body.self, from: json)
        }
        if let error = reply.status.error { throw error }
        if let body = reply.body { return body }
        return try WireCoding.decode(Body.self, from: Array("{}".utf8), fieldPrefix: "body")
    }

    /// Reads the `id` and `status` of a reply.
    public static func parseReplyHead(_ json: ArraySlice<UInt8>) throws(RPCError) -> ReplyHead {
        try WireCoding.decode(ReplyHead.self, from: json)
    }

    /// Decodes the `body` of a request or reply as `Body`; a missing or null body reads as `{}`.
    public static func decodeBody<Body: Decodable>(_ type: Body.Type, from json: ArraySlice<UInt8>) throws(RPCError) -> Body {
        let holder = try WireCoding.decode(BodyHolder<Body>.self, from: json)
        if let body = holder.body { return body }
        return try WireCoding.decode(Body.self, from: Array("{}".utf8), fieldPrefix: "body")
    }
}

/// The head of a reply: its `id` and `status`.
public struct ReplyHead: Decodable, Sendable {
    public var id: String?
    public var status: Status
}

private struct WholeRequest<Body: Decodable>: Decodable {
    var id: String
    var method: String
    var deadlineMs: Int64?
    var idempotencyKey: String?
    var actor: Actor?
    var body: Body?
}

private struct WholeReply<Body: Decodable>: Decodable {
    var status: Status
    var body: Body?

    enum CodingKeys: String, CodingKey { case status, body }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decode(Status.self, forKey: .status)
        // An error reply's body is {} whatever the method: decode it only on OK.
        body = status.code == .ok ? try container.decodeIfPresent(Body.self, forKey: .body) : nil
    }
}

private struct BodyHolder<Body: Decodable>: Decodable {
    var body: Body?
    enum CodingKeys: String, CodingKey { case body }
}

private struct OutgoingRequest<Body: Encodable>: Encodable {
    var header: RequestHeader
    var body: Body
    enum CodingKeys: String, CodingKey { case id, method, deadlineMs, idempotencyKey, actor, body }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(header.id, forKey: .id)
        try container.encode(header.method, forKey: .method)
        try container.encodeIfPresent(header.deadlineMs, forKey: .deadlineMs)
        try container.encodeIfPresent(header.idempotencyKey, forKey: .idempotencyKey)
        try container.encodeIfPresent(header.actor, forKey: .actor)
        try container.encode(body, forKey: .body)
    }
}

private struct OutgoingReply<Body: Encodable>: Encodable {
    var id: String?
    var status: Status
    var body: Body?
    enum CodingKeys: String, CodingKey { case id, status, body }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let id { try container.encode(id, forKey: .id) } else { try container.encodeNil(forKey: .id) }
        try container.encode(status, forKey: .status)
        if let body { try container.encode(body, forKey: .body) } else { try container.encode(Empty(), forKey: .body) }
    }
}

/// Decodes a request header field by field, collecting every violation instead of stopping at the
/// first, and keeping the `id` whenever it is readable so the error reply can carry it.
private struct RawHeader: Decodable {
    var id: String?
    var method: String?
    var deadlineMs: Int64?
    var idempotencyKey: String?
    var actor: Actor?
    var violations: [FieldViolation] = []

    enum CodingKeys: String, CodingKey { case id, method, deadlineMs, idempotencyKey, actor }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func string(_ key: CodingKeys, required: Bool) -> String? {
            guard container.contains(key), !((try? container.decodeNil(forKey: key)) ?? false) else {
                if required { violations.append(FieldViolation(field: key.stringValue, description: "is required")) }
                return nil
            }
            guard let value = try? container.decode(String.self, forKey: key) else {
                violations.append(FieldViolation(field: key.stringValue, description: "must be a string"))
                return nil
            }
            return value
        }
        id = string(.id, required: true)
        method = string(.method, required: true)
        if let method, method.isEmpty {
            violations.append(FieldViolation(field: "method", description: "must not be empty"))
        }
        idempotencyKey = string(.idempotencyKey, required: false)
        if let key = idempotencyKey, key.isEmpty || key.count > Envelope.maxIdempotencyKeyLength {
            violations.append(FieldViolation(field: "idempotencyKey", description: "must be 1 to \(Envelope.maxIdempotencyKeyLength) characters"))
        }
        if container.contains(.deadlineMs), !((try? container.decodeNil(forKey: .deadlineMs)) ?? false) {
            if let value = try? container.decode(Int64.self, forKey: .deadlineMs), value >= 0 {
                deadlineMs = value
            } else {
                violations.append(FieldViolation(field: "deadlineMs", description: "must be a non-negative integer"))
            }
        }
        if container.contains(.actor), !((try? container.decodeNil(forKey: .actor)) ?? false) {
            do {
                actor = try container.decode(Actor.self, forKey: .actor)
            } catch let error as DecodingError {
                violations.append(contentsOf: RPCError(error, fieldPrefix: "").details)
            }
        }
    }
}
