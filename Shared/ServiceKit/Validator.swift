import Contracts
import Foundation
import Wire

/// Collects every field violation of a request, then throws them together as one
/// `INVALID_ARGUMENT`, so a caller fixes all of them in one go.
public struct Validator {
    public static let maxNameLength = 200
    public static let maxTextLength = 4000
    /// The most values a list of codes or ids in a request may hold.
    public static let maxListLength = JSONSchema.defaultMaxItems

    public init() {}

    public private(set) var violations: [FieldViolation] = []

    public mutating func require(_ condition: Bool, _ field: String, _ description: String) {
        if !condition { violations.append(FieldViolation(field: field, description: description)) }
    }

    /// A trimmed, non-empty name of at most 200 characters.
    public mutating func name(_ value: String, field: String) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        require(!trimmed.isEmpty, field, "must not be empty")
        require(trimmed.count <= Self.maxNameLength, field, "must be at most \(Self.maxNameLength) characters")
        return trimmed
    }

    /// Optional free text of bounded length.
    public mutating func text(_ value: String?, field: String) -> String {
        let text = value ?? ""
        require(text.count <= Self.maxTextLength, field, "must be at most \(Self.maxTextLength) characters")
        return text
    }

    /// A list of non-empty codes (provider types, zones, ids), without duplicates.
    public mutating func codes(_ values: [String]?, field: String) -> [String] {
        let values = (values ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        require(values.count <= Self.maxListLength, field, "must hold at most \(Self.maxListLength) values")
        guard values.count <= Self.maxListLength else { return [] }
        for (index, value) in values.enumerated() {
            require(!value.isEmpty, "\(field)[\(index)]", "must not be empty")
            require(
                value.count <= Self.maxNameLength, "\(field)[\(index)]",
                "must be at most \(Self.maxNameLength) characters")
            require(!Self.hasControlCharacters(value), "\(field)[\(index)]", "must not contain control characters")
        }
        require(Set(values).count == values.count, field, "must not repeat a value")
        return values
    }

    /// An optional id: nil, or non-empty with no surrounding spaces.
    public mutating func optionalId(_ value: String?, field: String) {
        guard let value else { return }
        require(
            !value.isEmpty && value.count <= Self.maxNameLength && value.trimmingCharacters(in: .whitespaces) == value
                && !Self.hasControlCharacters(value),
            field, "must be a non-empty id without surrounding spaces or control characters")
    }

    /// Whether `text` holds a control character (a line break, a tab, an escape…): codes and ids
    /// are single tokens, and a control character would split the lists they are stored in.
    public static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// Throws the violations collected so far, if any.
    public func check() throws(RPCError) {
        guard !violations.isEmpty else { return }
        let summary = violations.map { "\($0.field) \($0.description)" }.joined(separator: "; ")
        throw RPCError(.invalidArgument, summary, details: violations)
    }

    /// Checks a point on Earth: latitude from -90 to 90, longitude from -180 to 180.
    public mutating func location(_ point: GeoPoint?, field: String) {
        guard let point else { return }
        require((-90...90).contains(point.lat), "\(field).lat", "must be from -90 to 90")
        require((-180...180).contains(point.lon), "\(field).lon", "must be from -180 to 180")
    }
}

/// New ids: a readable prefix and 16 random hex digits.
public enum Identifier {
    /// A new id such as `pr-3f9a…`.
    public static func make(_ prefix: String) -> String {
        "\(prefix)-\(String(UInt64.random(in: 0...UInt64.max), radix: 16).leftPadded(to: 16))"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }

}
