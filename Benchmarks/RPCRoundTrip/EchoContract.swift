import Wire

/// The request and response of `bench.Echo`: a small object like a typical Octoo call body.
struct EchoMessage: Codable, Sendable, Equatable {
    var text: String
    var n: Int
}

/// The one method the benchmark service answers, and the request frames both client paths send.
enum BenchContract {
    static let service = "bench"
    /// The bare worker's service at the broker (its requests still name `bench.Echo`: it echoes).
    static let rawService = "benchraw"

    static let echoSchema = JSONSchema.object(
        ["text": JSONSchema.string(), "n": JSONSchema.integer()], required: ["text", "n"])

    /// `bench.Echo`: returns its request body. Declares roles so the router checks the actor,
    /// as it does for every real method.
    static let echo = MethodDescriptor<EchoMessage, EchoMessage>(
        "bench.Echo", idempotent: true, roles: [.partner, .service],
        summary: "Returns its request body unchanged (benchmark).",
        request: echoSchema, response: echoSchema)

    static let message = EchoMessage(text: "hello from octoo-bench", n: 42)
    static let actor = Actor(role: .partner, partnerId: "p-bench", id: "u-bench")
    /// What `RPCClient.call` sends as the budget; the pre-encoded frames carry the same.
    static let timeoutMs: Int64 = 5000

    /// Every pre-encoded request id is `bench-` and 7 digits: the index of the call, so a reply
    /// (or an echoed request) names the call it answers.
    static let idPrefix = "bench-"
    static let idDigits = 7

    static func requestId(_ index: Int) -> String {
        let digits = String(index)
        return idPrefix + String(repeating: "0", count: max(0, idDigits - digits.count)) + digits
    }

    /// The length-prefixed JSON request frame of call `index` (PROTOCOL §2-§3).
    /// `deadlineMs` nil leaves the field out (a diagnostic: the server then tracks no deadline).
    static func requestFrame(index: Int, deadlineMs: Int64? = timeoutMs) throws -> [UInt8] {
        let header = RequestHeader(id: requestId(index), method: echo.name, deadlineMs: deadlineMs, actor: actor)
        return LengthPrefixedFrame.encode(try Envelope.encodeRequest(header, body: message))
    }

    /// The frames of calls `0..<count`.
    static func requestFrames(count: Int, deadlineMs: Int64? = timeoutMs) throws -> [[UInt8]] {
        try (0..<count).map { try requestFrame(index: $0, deadlineMs: deadlineMs) }
    }
}

/// Cheap reading of replies without a JSON parser, so the raw client stays lean.
enum ReplyScan {
    private static let idKey = Array(#""id":""#.utf8) + Array(BenchContract.idPrefix.utf8)
    private static let okStatus = Array(#""code":"OK""#.utf8)

    /// The call index in the first `"id":"bench-NNNNNNN"` of a frame, or nil.
    static func callIndex(in frame: [UInt8]) -> Int? {
        guard let start = find(idKey, in: frame) else { return nil }
        var index = 0
        var position = start + idKey.count
        var digits = 0
        while position < frame.count, frame[position] >= 0x30, frame[position] <= 0x39 {
            index = index * 10 + Int(frame[position] - 0x30)
            position += 1
            digits += 1
        }
        guard digits > 0, position < frame.count, frame[position] == 0x22 else { return nil }
        return index
    }

    /// Whether a reply frame's status is `OK`.
    static func isOK(_ frame: [UInt8]) -> Bool { find(okStatus, in: frame) != nil }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}
