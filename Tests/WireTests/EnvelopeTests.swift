import Foundation
import Testing

@testable import Wire

@Suite("Request and reply envelopes (PROTOCOL §2–§3)")
struct EnvelopeTests {
    func parse(_ text: String) -> Result<RequestHeader, MalformedRequest> {
        Envelope.parseHeader(Array(text.utf8)[...])
    }

    @Test func parsesAFullHeader() throws {
        let header = try parse(
            #"{"id":"a1","method":"registry.Health","deadlineMs":2000,"idempotencyKey":"k","actor":{"role":"partner","partnerId":"p-1","id":"u-7"},"body":{},"extra":1}"#
        ).get()
        #expect(
            header
                == RequestHeader(
                    id: "a1", method: "registry.Health", deadlineMs: 2000, idempotencyKey: "k",
                    actor: Actor(role: .partner, partnerId: "p-1", id: "u-7")))
    }

    /// Each malformed payload, the id the error reply must carry, and the field it must name.
    @Test(
        arguments: [
            ("not json", nil, nil),
            ("[1,2]", nil, nil),
            ("\"text\"", nil, nil),
            ("42", nil, nil),
            ("{}", nil, "id"),
            (#"{"method":"x.Y"}"#, nil, "id"),
            (#"{"id":"7"}"#, "7", "method"),
            (#"{"id":7,"method":"x.Y"}"#, nil, "id"),
            (#"{"id":"7","method":3}"#, "7", "method"),
            (#"{"id":"7","method":""}"#, "7", "method"),
            (#"{"id":"7","method":"x.Y","deadlineMs":"soon"}"#, "7", "deadlineMs"),
            (#"{"id":"7","method":"x.Y","deadlineMs":-5}"#, "7", "deadlineMs"),
            (#"{"id":"7","method":"x.Y","actor":"me"}"#, "7", "actor"),
            (#"{"id":"7","method":"x.Y","actor":{"role":"king"}}"#, "7", "actor.role"),
            (#"{"id":"7","method":"x.Y","actor":{}}"#, "7", "actor.role"),
            (#"{"id":"7","method":"x.Y","actor":{"role":"partner","partnerId":5}}"#, "7", "actor.partnerId"),
            (#"{"id":"7","method":"x.Y","idempotencyKey":""}"#, "7", "idempotencyKey"),
        ] as [(String, String?, String?)])
    func rejectsMalformedRequests(payload: String, id: String?, field: String?) {
        guard case .failure(let malformed) = parse(payload) else {
            Issue.record("accepted \(payload)")
            return
        }
        #expect(malformed.error.code == .invalidArgument)
        #expect(malformed.id == id)
        if let field {
            #expect(
                malformed.error.details.map(\.field).contains(field),
                "details \(malformed.error.details) should name \(field)")
        }
    }

    @Test func rejectsInvalidUTF8() {
        guard case .failure(let malformed) = Envelope.parseHeader([0x7B, 0xFF, 0xFE, 0x7D][...]) else {
            Issue.record("accepted invalid UTF-8")
            return
        }
        #expect(malformed.error.code == .invalidArgument)
        #expect(malformed.error.message.contains("UTF-8"))
    }

    @Test func errorRepliesCarryNullIdWhenUnknown() throws {
        let json = Envelope.encodeError(id: nil, RPCError(.invalidArgument, "bad"))
        let object = try JSONSerialization.jsonObject(with: Data(json)) as! [String: Any]
        #expect(object["id"] is NSNull)
        #expect((object["status"] as! [String: Any])["code"] as? String == "INVALID_ARGUMENT")
        #expect(object["body"] is [String: Any])
    }

    struct Sample: Codable, Sendable, Equatable {
        var name: String
        var count: Int
        var at: Date?
        var tags: [String]?
    }

    @Test func decodesTypedBodiesNamingTheField() throws {
        let good = try Envelope.decodeBody(
            Sample.self, from: Array(#"{"body":{"name":"n","count":2,"at":"2026-11-22T19:00:00Z"}}"#.utf8)[...])
        #expect(good.name == "n")
        #expect(good.at == Timestamp.parse("2026-11-22T19:00:00Z"))
        let cases: [(String, String)] = [
            (#"{"body":{"count":2}}"#, "body.name"),
            (#"{"body":{"name":"n","count":"two"}}"#, "body.count"),
            (#"{"body":{"name":"n","count":2,"at":"yesterday"}}"#, "body.at"),
            (#"{"body":{"name":"n","count":2,"tags":[1]}}"#, "body.tags[0]"),
            (#"{"body":{"name":null,"count":2}}"#, "body.name"),
            (#"{}"#, "body.name"),
        ]
        for (json, field) in cases {
            do {
                _ = try Envelope.decodeBody(Sample.self, from: Array(json.utf8)[...])
                Issue.record("accepted \(json)")
            } catch {
                #expect(error.code == .invalidArgument)
                #expect(error.details.first?.field == field, "\(json): \(error)")
            }
        }
    }

    @Test func requestsRoundTrip() throws {
        let header = RequestHeader(id: "1", method: "a.B", deadlineMs: 10, idempotencyKey: nil, actor: .system)
        let json = try Envelope.encodeRequest(header, body: Sample(name: "x", count: 1))
        #expect(try Envelope.parseHeader(json[...]).get() == header)
        #expect(try Envelope.decodeBody(Sample.self, from: json[...]) == Sample(name: "x", count: 1))
    }
}
