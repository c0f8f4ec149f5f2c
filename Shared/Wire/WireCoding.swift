import Foundation

/// The JSON coders every process uses, so dates and keys look the same everywhere.
public enum WireCoding {
    /// An encoder writing RFC 3339 dates.
    public static func makeEncoder(sortedKeys: Bool = false, pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        var formatting: JSONEncoder.OutputFormatting = [.withoutEscapingSlashes]
        if sortedKeys { formatting.insert(.sortedKeys) }
        if pretty { formatting.insert(.prettyPrinted) }
        encoder.outputFormatting = formatting
        return encoder
    }

    /// A decoder reading RFC 3339 dates, rejecting anything else with a clear message.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "must be an RFC 3339 timestamp such as 2026-11-22T19:00:00Z")
            }
            return date
        }
        return decoder
    }

    /// The shared encoder (coders are immutable once made, so one serves every thread).
    public static let encoder = makeEncoder()
    /// The shared decoder.
    public static let decoder = makeDecoder()

    /// Encodes `value` to JSON bytes.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try encoder.encode(value))
    }

    /// Decodes `type` from JSON bytes, turning a decoding failure into `INVALID_ARGUMENT` naming
    /// the field under `fieldPrefix`.
    public static func decode<T: Decodable, Bytes: Collection<UInt8>>(
        _ type: T.Type, from bytes: Bytes, fieldPrefix: String = ""
    ) throws(RPCError) -> T {
        do {
            return try decoder.decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            throw RPCError(error, fieldPrefix: fieldPrefix)
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.invalidArgument, "\(fieldPrefix.isEmpty ? "payload" : fieldPrefix): \(error)")
        }
    }

    /// Renders a coding path as `body.lists[2].providerId`.
    public static func fieldPath(_ path: [any CodingKey], prefix: String) -> String {
        var text = prefix
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text.isEmpty ? "payload" : text
    }
}

extension RPCError {
    /// `INVALID_ARGUMENT` naming the field a `DecodingError` is about.
    public init(_ error: DecodingError, fieldPrefix: String) {
        let violation: FieldViolation
        switch error {
        case .keyNotFound(let key, let context):
            violation = FieldViolation(
                field: WireCoding.fieldPath(context.codingPath + [key], prefix: fieldPrefix), description: "is required"
            )
        case .typeMismatch(let type, let context):
            violation = FieldViolation(
                field: WireCoding.fieldPath(context.codingPath, prefix: fieldPrefix),
                description: "must be \(Self.jsonTypeName(type))")
        case .valueNotFound(let type, let context):
            violation = FieldViolation(
                field: WireCoding.fieldPath(context.codingPath, prefix: fieldPrefix),
                description: "must be \(Self.jsonTypeName(type)), not null")
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            violation = FieldViolation(
                field: WireCoding.fieldPath(context.codingPath, prefix: fieldPrefix),
                description: context.debugDescription + underlying)
        @unknown default:
            violation = FieldViolation(field: fieldPrefix.isEmpty ? "payload" : fieldPrefix, description: "\(error)")
        }
        self.init(.invalidArgument, "\(violation.field) \(violation.description)", details: [violation])
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type, is UInt32.Type:
            return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Date.Type: return "an RFC 3339 timestamp string"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
            if name.hasPrefix("Dictionary") || name.contains("KeyedDecodingContainer") { return "an object" }
            return "a valid \(name)"
        }
    }
}
