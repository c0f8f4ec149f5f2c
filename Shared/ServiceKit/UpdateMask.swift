import Foundation
import Wire

/// Partial updates the proto3 way (AIP-134): without a mask an update changes only the fields
/// sent; with `updateMask` (field paths separated by commas, as proto3 JSON writes a
/// `FieldMask`, or `*` for every field) it changes exactly the fields named, clearing those named
/// but not sent, and ignores the rest.
public struct UpdateMask: Sendable, Equatable {
    /// The paths named, or nil when the request had no mask.
    public let paths: Set<String>?

    /// Reads `mask`, refusing a path that is not one of `allowed` (`INVALID_ARGUMENT` naming `field`).
    public init(_ mask: String?, allowed: [String], field: String = "body.updateMask") throws(RPCError) {
        guard let mask else {
            paths = nil
            return
        }
        let named = mask.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard !named.isEmpty, !named.contains(where: \.isEmpty) else {
            throw .invalidArgument(field: field, "must name fields separated by commas, or *")
        }
        if named == ["*"] {
            paths = Set(allowed)
            return
        }
        let unknown = named.filter { !allowed.contains($0) }
        guard unknown.isEmpty else {
            throw .invalidArgument(
                field: field,
                "names \(unknown.joined(separator: ", ")), not one of \(allowed.joined(separator: ", "))")
        }
        paths = Set(named)
    }

    /// Whether the update changes `path`: named in the mask, or (without one) sent.
    public func changes(_ path: String, sent: Bool) -> Bool {
        paths?.contains(path) ?? sent
    }

    /// The field's value after the update: the value sent when the field changes (`cleared` when
    /// the mask names a field that was not sent), `current` otherwise.
    public func apply<Value>(_ path: String, sent: Value?, current: Value, cleared: Value) -> Value {
        guard changes(path, sent: sent != nil) else { return current }
        return sent ?? cleared
    }

    /// The value of an optional field after the update (cleared means nil).
    public func apply<Value>(_ path: String, sent: Value?, current: Value?) -> Value? {
        guard changes(path, sent: sent != nil) else { return current }
        return sent
    }

    /// A field that cannot be cleared (a name, a type): `INVALID_ARGUMENT` when the mask names it
    /// but it was not sent.
    public func requireSent(_ path: String, sent: Bool, field: String) throws(RPCError) {
        if paths?.contains(path) == true && !sent {
            throw .invalidArgument(field: field, "is named in updateMask and cannot be cleared")
        }
    }
}
