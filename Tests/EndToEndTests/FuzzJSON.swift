import Wire

/// A JSON tree for building fuzz envelopes: objects keep their order and may repeat a key, and
/// numbers are kept as written, so a mutation can express what `Codable` never would.
indirect enum FuzzJSON: Sendable {
    case null
    case bool(Bool)
    /// A number exactly as written (it may be out of every integer's range, or not a JSON number).
    case number(String)
    case string(String)
    case array([FuzzJSON])
    case object([(key: String, value: FuzzJSON)])
    /// Bytes written as they are: a value too deep to hold as a tree, or not JSON at all.
    case raw([UInt8])

    /// The value serialized, with strings escaped the way any encoder would.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        write(to: &out)
        return out
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .number(let text): out += Array(text.utf8)
        case .raw(let bytes): out += bytes
        case .string(let text): Self.writeString(text, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += Array(#"\""#.utf8)
            case "\\": out += Array(#"\\"#.utf8)
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default: out += Array(String(scalar).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The member `key` of an object (the last, when repeated).
    subscript(key: String) -> FuzzJSON? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// Every path to a value inside this one (the root included, as `[]`).
    var paths: [[PathStep]] {
        var result: [[PathStep]] = [[]]
        switch self {
        case .array(let values):
            for (index, value) in values.enumerated() { result += value.paths.map { [.index(index)] + $0 } }
        case .object(let members):
            for (index, member) in members.enumerated() {
                result += member.value.paths.map { [.member(index)] + $0 }
            }
        default: break
        }
        return result
    }

    /// One step of a path: an array element or an object member, by position.
    enum PathStep: Sendable {
        case index(Int)
        case member(Int)
    }

    /// This value with the one at `path` passed through `change` (nil removes it from its parent).
    func updating(_ path: ArraySlice<PathStep>, _ change: (FuzzJSON) -> FuzzJSON?) -> FuzzJSON? {
        guard let step = path.first else { return change(self) }
        switch (self, step) {
        case (.array(var values), .index(let index)) where values.indices.contains(index):
            if let updated = values[index].updating(path.dropFirst(), change) {
                values[index] = updated
            } else {
                values.remove(at: index)
            }
            return .array(values)
        case (.object(var members), .member(let index)) where members.indices.contains(index):
            if let updated = members[index].value.updating(path.dropFirst(), change) {
                members[index].value = updated
            } else {
                members.remove(at: index)
            }
            return .object(members)
        default:
            return self
        }
    }

    /// An object with `key` set (replacing every occurrence, or appended).
    func setting(_ key: String, _ value: FuzzJSON) -> FuzzJSON {
        guard case .object(var members) = self else { return self }
        members.removeAll { $0.key == key }
        members.append((key, value))
        return .object(members)
    }
}

extension FuzzJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .number(String(value)) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: FuzzJSON...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, FuzzJSON)...) { self = .object(elements.map { ($0.0, $0.1) }) }
    init(nilLiteral: ()) { self = .null }
}

extension FuzzJSON {
    /// The same value, for a body made from a schema.
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .integer(let number): self = .number("\(number)")
        case .number(let number): self = .number("\(number)")
        case .string(let text): self = .string(text)
        case .array(let items): self = .array(items.map(FuzzJSON.init))
        case .object(let members):
            self = .object(members.sorted { $0.key < $1.key }.map { ($0.key, FuzzJSON($0.value)) })
        }
    }
}
