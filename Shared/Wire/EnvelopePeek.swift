/// A quick look at the top-level `id`, `method` and `deadlineMs` of a JSON object without
/// decoding it, so the I/O threads can route, time and match messages cheaply. It reads only
/// plain values; anything unusual (escapes in these strings, malformed JSON) gives up and
/// leaves the message to the full decoder, which reports the precise error.
public struct EnvelopePeek: Sendable, Equatable {
    public var id: String?
    public var method: String?
    public var deadlineMs: Int64?
    /// The `idempotencyKey`, when it is a plain string.
    public var idempotencyKey: String?
    /// Where the raw `actor`, `body` and `status` values lie in the scanned bytes.
    public var actor: Range<Int>?
    public var body: Range<Int>?
    public var status: Range<Int>?
    /// False when some value was present but not plainly readable here (e.g. escapes).
    public var isPlain = true

    public init(id: String? = nil, method: String? = nil, deadlineMs: Int64? = nil) {
        self.id = id
        self.method = method
        self.deadlineMs = deadlineMs
    }

    /// Reads an `actor` object of plain strings (`role`, `partnerId`, `id`); nil for anything else,
    /// which the full decoder then judges.
    public static func actor(_ json: ArraySlice<UInt8>) -> Actor? {
        var scanner = Scanner(bytes: json)
        guard scanner.consume(UInt8(ascii: "{")) else { return nil }
        var role: Actor.Role?
        var partnerId: String?
        var id: String?
        if scanner.consume(UInt8(ascii: "}")) { return nil }
        while true {
            let key = scanner.string()
            guard key.ok, let name = key.plain, scanner.consume(UInt8(ascii: ":")) else { return nil }
            scanner.skipSpace()
            let value = scanner.string()
            guard value.ok, let plain = value.plain, let text = String(validating: plain, as: UTF8.self) else { return nil }
            if name.elementsEqual("role".utf8) {
                guard let parsed = Actor.Role(rawValue: text) else { return nil }
                role = parsed
            } else if name.elementsEqual("partnerId".utf8) {
                partnerId = text
            } else if name.elementsEqual("id".utf8) {
                id = text
            }
            if scanner.consume(UInt8(ascii: ",")) { continue }
            guard scanner.consume(UInt8(ascii: "}")), let role else { return nil }
            scanner.skipSpace()
            return scanner.index == json.endIndex ? Actor(role: role, partnerId: partnerId, id: id) : nil
        }
    }

    /// Scans `json`; nil when it is not a JSON object this scanner can read plainly.
    public static func scan(_ json: ArraySlice<UInt8>) -> EnvelopePeek? {
        var scanner = Scanner(bytes: json)
        return scanner.topLevel()
    }

    private struct Scanner {
        let bytes: ArraySlice<UInt8>
        var index: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            index = bytes.startIndex
        }

        static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        }

        /// Where a bare value (number, true, false, null) ends.
        static func endsValue(_ byte: UInt8) -> Bool {
            isSpace(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
        }

        mutating func skipSpace() {
            while index < bytes.endIndex, Self.isSpace(bytes[index]) { index += 1 }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.endIndex, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// A string's raw bytes if it has no escapes (nil for one with escapes, which is skipped).
        mutating func string() -> (plain: ArraySlice<UInt8>?, ok: Bool) {
            guard consume(UInt8(ascii: "\"")) else { return (nil, false) }
            let start = index
            var escaped = false
            while index < bytes.endIndex {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") {
                    let end = index
                    index += 1
                    return (escaped ? nil : bytes[start..<end], true)
                }
                index += 1
            }
            return (nil, false)
        }

        /// Skips any value, tracking nesting and strings.
        mutating func skipValue() -> Bool {
            skipSpace()
            guard index < bytes.endIndex else { return false }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                return string().ok
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while index < bytes.endIndex {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") {
                        guard string().ok else { return false }
                        continue
                    }
                    if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
                    if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                        depth -= 1
                        if depth == 0 {
                            index += 1
                            return true
                        }
                    }
                    index += 1
                }
                return false
            default:
                let start = index
                while index < bytes.endIndex, !Self.endsValue(bytes[index]) { index += 1 }
                return index > start
            }
        }

        mutating func integer() -> Int64? {
            skipSpace()
            var value: Int64 = 0
            var digits = 0
            while index < bytes.endIndex, bytes[index] >= 0x30, bytes[index] <= 0x39, digits < 18 {
                value = value * 10 + Int64(bytes[index] - 0x30)
                digits += 1
                index += 1
            }
            guard digits > 0, index < bytes.endIndex else { return nil }
            // Anything but a plain non-negative integer is for the full decoder to judge.
            guard Self.endsValue(bytes[index]), bytes[index] != UInt8(ascii: "]") else { return nil }
            return value
        }

        mutating func topLevel() -> EnvelopePeek? {
            guard consume(UInt8(ascii: "{")) else { return nil }
            var peek = EnvelopePeek()
            if consume(UInt8(ascii: "}")) { return peek }
            while true {
                let key = string()
                guard key.ok, consume(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                let name = key.plain ?? []
                if name.elementsEqual("id".utf8) || name.elementsEqual("method".utf8) {
                    let isId = name.count == 2
                    guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") else { return nil }
                    let value = string()
                    guard value.ok else { return nil }
                    guard let plain = value.plain, let text = String(validating: plain, as: UTF8.self) else { return nil }
                    if isId { peek.id = text } else { peek.method = text }
                } else if name.elementsEqual("deadlineMs".utf8) {
                    guard let value = integer() else { return nil }
                    peek.deadlineMs = value
                } else if name.elementsEqual("idempotencyKey".utf8) {
                    let start = index
                    guard skipValue() else { return nil }
                    var copy = Scanner(bytes: bytes[start..<index])
                    if let plain = copy.string().plain, let text = String(validating: plain, as: UTF8.self) {
                        peek.idempotencyKey = text
                    } else {
                        peek.isPlain = false
                    }
                } else if name.elementsEqual("actor".utf8) || name.elementsEqual("body".utf8) || name.elementsEqual("status".utf8) {
                    let start = index
                    guard skipValue() else { return nil }
                    switch name.count {
                    case 5: peek.actor = start..<index
                    case 4: peek.body = start..<index
                    default: peek.status = start..<index
                    }
                } else {
                    guard skipValue() else { return nil }
                }
                if consume(UInt8(ascii: ",")) { continue }
                if consume(UInt8(ascii: "}")) {
                    skipSpace()
                    return index == bytes.endIndex ? peek : nil
                }
                return nil
            }
        }
    }
}
