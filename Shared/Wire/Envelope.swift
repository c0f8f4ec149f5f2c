import Foundation

/// Everything of a request except its body: PROTOCOL §3.
public struct RequestHeader: Sendable, Equatable {
    public var id: String
    public var method: String
    public var deadlineMs: Int64?
    public var idempotencyKey: String?
    public var actor: Actor?

    public init(
        id: String, method: String, deadlineMs: Int64? = nil, idempotencyKey: String? = nil, actor: Actor? = nil
    ) {
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

    public init(id: String? = nil, error: RPCError) {
        self.id = id
        self.error = error
    }
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
            return .failure(
                MalformedRequest(id: nil, error: RPCError(.invalidArgument, "payload must be a single JSON object")))
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            let reason = context.underlyingError.map { ": \($0)" } ?? ""
            return .failure(
                MalformedRequest(id: nil, error: RPCError(.invalidArgument, "payload is not valid JSON\(reason)")))
        } catch {
            return .failure(
                MalformedRequest(id: nil, error: RPCError(.invalidArgument, "payload is not a valid request: \(error)"))
            )
        }
        if !raw.violations.isEmpty {
            let summary = raw.violations.map { "\($0.field) \($0.description)" }.joined(separator: "; ")
            return .failure(
                MalformedRequest(id: raw.id, error: RPCError(.invalidArgument, summary, details: raw.violations)))
        }
        return .success(
            RequestHeader(
                id: raw.id!, method: raw.method!, deadlineMs: raw.deadlineMs, idempotencyKey: raw.idempotencyKey,
                actor: raw.actor))
    }

    /// Encodes a request payload (JSON only; frame it with `LengthPrefixedFrame`): the envelope
    /// written directly, the actor and body by the encoder.
    public static func encodeRequest<Body: Encodable>(_ header: RequestHeader, body: Body) throws -> [UInt8] {
        let encodedBody = try WireCoding.encoder.encode(body)
        var request: [UInt8] = []
        request.reserveCapacity(encodedBody.count + header.id.utf8.count + header.method.utf8.count + 128)
        request.append(contentsOf: #"{"id":"#.utf8)
        JSONText.appendString(header.id, to: &request)
        request.append(contentsOf: #","method":"#.utf8)
        JSONText.appendString(header.method, to: &request)
        if let deadlineMs = header.deadlineMs {
            request.append(contentsOf: #","deadlineMs":"#.utf8)
            request.append(contentsOf: String(deadlineMs).utf8)
        }
        if let key = header.idempotencyKey {
            request.append(contentsOf: #","idempotencyKey":"#.utf8)
            JSONText.appendString(key, to: &request)
        }
        if let actor = header.actor {
            request.append(contentsOf: #","actor":{"role":"#.utf8)
            JSONText.appendString(actor.role.rawValue, to: &request)
            if let partnerId = actor.partnerId {
                request.append(contentsOf: #","partnerId":"#.utf8)
                JSONText.appendString(partnerId, to: &request)
            }
            if let id = actor.id {
                request.append(contentsOf: #","id":"#.utf8)
                JSONText.appendString(id, to: &request)
            }
            request.append(UInt8(ascii: "}"))
        }
        request.append(contentsOf: #","body":"#.utf8)
        request.append(contentsOf: encodedBody)
        request.append(UInt8(ascii: "}"))
        return request
    }

    /// Encodes a reply payload (JSON only). `body` is omitted as `{}` on errors.
    public static func encodeReply<Body: Encodable>(id: String?, status: Status, body: Body?) throws -> [UInt8] {
        try WireCoding.encode(OutgoingReply(id: id, status: status, body: body))
    }

    /// Encodes an error reply; never fails.
    public static func encodeError(id: String?, _ error: RPCError) -> [UInt8] {
        if let bytes = try? encodeReply(id: id, status: Status(error), body: Empty?.none) { return bytes }
        return Array(
            #"{"id":null,"status":{"code":"INTERNAL","message":"could not encode error","details":[]},"body":{}}"#.utf8)
    }

    /// Decodes a request from what `EnvelopePeek` found: the header read off the scan, the actor
    /// and the body each decoded from their own bytes. The fast path: nil when anything is off,
    /// and then `parseHeader` and `decodeBody` name the precise error.
    public static func decodeRequest<Body: Decodable>(
        _ type: Body.Type, from json: ArraySlice<UInt8>, peek: EnvelopePeek
    ) -> (RequestHeader, Body)? {
        guard peek.isPlain, let id = peek.id, let method = peek.method, !method.isEmpty else { return nil }
        if let key = peek.idempotencyKey, key.isEmpty || key.count > maxIdempotencyKeyLength { return nil }
        var actor: Actor?
        if let range = peek.actor, !isNull(json[range]) {
            guard
                let decoded = EnvelopePeek.actor(json[range])
                    ?? (try? WireCoding.decoder.decode(Actor.self, from: Data(json[range])))
            else { return nil }
            actor = decoded
        }
        let bodyBytes = peek.body.map { json[$0] }.flatMap { isNull($0) ? nil : $0 } ?? Array("{}".utf8)[...]
        guard let body = try? WireCoding.decoder.decode(Body.self, from: Data(bodyBytes)) else { return nil }
        return (
            RequestHeader(
                id: id, method: method, deadlineMs: peek.deadlineMs, idempotencyKey: peek.idempotencyKey, actor: actor),
            body
        )
    }

    /// Encodes an `OK` reply: the envelope written directly around the encoded body.
    public static func encodeOKReply<Body: Encodable>(id: String, body: Body) throws -> [UInt8] {
        let encodedBody = try WireCoding.encoder.encode(body)
        var reply: [UInt8] = []
        reply.reserveCapacity(encodedBody.count + id.utf8.count + 72)
        reply.append(contentsOf: #"{"id":"#.utf8)
        JSONText.appendString(id, to: &reply)
        reply.append(contentsOf: #","status":{"code":"OK","message":"","details":[]},"body":"#.utf8)
        reply.append(contentsOf: encodedBody)
        reply.append(UInt8(ascii: "}"))
        return reply
    }

    static func isNull(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.elementsEqual("null".utf8)
    }

    /// The status an `OK` reply carries, byte for byte as `encodeOKReply` writes it.
    static let okStatus = Array(#"{"code":"OK","message":"","details":[]}"#.utf8)

    /// Decodes a whole reply: its status and, when OK, its typed body, each from its own bytes
    /// when the envelope scans plainly, else in one pass of the decoder.
    public static func decodeReply<Body: Decodable>(_ type: Body.Type, from json: ArraySlice<UInt8>) throws(RPCError)
        -> Body
    {
        if let peek = EnvelopePeek.scan(json), let statusRange = peek.status, json[statusRange].elementsEqual(okStatus)
        {
            let bodyBytes = peek.body.map { json[$0] }.flatMap { isNull($0) ? nil : $0 } ?? Array("{}".utf8)[...]
            if let body = try? WireCoding.decoder.decode(Body.self, from: Data(bodyBytes)) { return body }
        }
        return try decodeWholeReply(type, from: json)
    }

    static func decodeWholeReply<Body: Decodable>(_ type: Body.Type, from json: ArraySlice<UInt8>) throws(RPCError)
        -> Body
    {
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
    public static func decodeBody<Body: Decodable>(_ type: Body.Type, from json: ArraySlice<UInt8>) throws(RPCError)
        -> Body
    {
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
            violations.append(
                FieldViolation(
                    field: "idempotencyKey", description: "must be 1 to \(Envelope.maxIdempotencyKeyLength) characters")
            )
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
