import Foundation
import Wire

/// What a reply payload must be (PROTOCOL §2–§4), judged from its bytes alone: one length-prefixed
/// UTF-8 JSON object with `id` (a string, or null), `status` (`code` from §4's table, `message`,
/// `details` of `{field, description}`) and an object `body`.
enum ReplyCheck {
    /// A reply as read: its id (nil for null) and status code.
    struct Reply: Equatable {
        var id: String?
        var code: String
    }

    static let codes = Set(StatusCode.all.map(\.name))

    /// The reply, or why it is malformed. Read with `JSONDecoder`: Foundation's
    /// `JSONSerialization` drops a byte-order mark inside a string, which would hide an id.
    static func parse(_ frame: [UInt8]) -> Result<Reply, Malformed> {
        guard case .success(let json) = LengthPrefixedFrame.decode(frame, maxMessageBytes: Int.max) else {
            return .failure(Malformed("bad length prefix (\(frame.count) bytes)"))
        }
        guard String(validating: json, as: UTF8.self) != nil else { return .failure(Malformed("not UTF-8")) }
        let reply: WireReply
        do {
            reply = try JSONDecoder().decode(WireReply.self, from: Data(json))
        } catch {
            return .failure(Malformed("\(error): \(String(decoding: json.prefix(200), as: UTF8.self))"))
        }
        guard codes.contains(reply.status.code) else { return .failure(Malformed("unknown code \(reply.status.code)")) }
        return .success(Reply(id: reply.id, code: reply.status.code))
    }

    /// A reply envelope, every field required: `id` present (null allowed), `status` complete.
    struct WireReply: Decodable {
        var id: String?
        var status: WireStatus
        var body: AnyObject

        enum CodingKeys: String, CodingKey { case id, status, body }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeNil(forKey: .id) ? nil : try container.decode(String.self, forKey: .id)
            status = try container.decode(WireStatus.self, forKey: .status)
            body = try container.decode(AnyObject.self, forKey: .body)
        }
    }

    /// Any JSON object, its members left unread.
    struct AnyObject: Decodable {
        init(from decoder: any Decoder) throws { _ = try decoder.container(keyedBy: AnyKey.self) }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    struct WireStatus: Decodable {
        var code: String
        var message: String
        var details: [WireDetail]
    }

    struct WireDetail: Decodable {
        var field: String
        var description: String
    }

    /// The id the reply must carry: the request's when it could be read (PROTOCOL §2), by the
    /// protocol's own full parser; nil for a frame or JSON that cannot be read.
    static func readableId(_ payload: [UInt8], maxMessageBytes: Int) -> String? {
        guard case .success(let json) = LengthPrefixedFrame.decode(payload, maxMessageBytes: maxMessageBytes) else {
            return nil
        }
        switch Envelope.parseHeader(json) {
        case .success(let header): return header.id
        case .failure(let malformed): return malformed.id
        }
    }

    /// Why a reply is not what the protocol says.
    struct Malformed: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
