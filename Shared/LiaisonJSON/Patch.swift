/// A partial change to a value as callers send it, a JSON Merge Patch (RFC 7396): each member
/// given replaces the value's, an object given merges into the value's object the same way, and
/// null clears a member. It is applied as if the value were encoded, patched and decoded again,
/// so every rule of the type's decoding holds for the result (and a bad member is named by its
/// path). Every merge of a caller's changes goes through here.
package struct Patch: Sendable {
    /// The members given, as sent.
    package var members: JSONObject

    package init(_ members: JSONObject) { self.members = members }

    /// The names given, of those `known` (all when nil).
    package func given(of known: Set<String>? = nil) -> Set<String> {
        let names = Set(members.keys)
        return known.map { names.intersection($0) } ?? names
    }

    /// `value` with the members given (of `fields`, when given) patched in; `path` prefixes errors.
    package func applied<T: Codable>(
        to value: T,
        fields: Set<String>? = nil,
        path: [any CodingKey] = []
    ) throws(JSONDecodeError) -> T {
        guard case .object(let encoded) = JSONEncoding.encode(value).materialized else {
            throw JSONDecodeError(path: renderPath(path), reason: "expected an object")
        }
        return try JSONDecoding.decode(T.self, from: .object(merged(into: encoded, fields: fields)), path: path)
    }

    /// `target` with the members given (of `fields`) patched in.
    package func merged(into target: JSONObject, fields: Set<String>? = nil) -> JSONObject {
        var out = target
        for key in members.keys where fields?.contains(key) ?? true {
            out[key] = Self.merge(out[key], members[key] ?? .null)
        }
        return out
    }

    /// RFC 7396: an object merges member by member; anything else replaces; null removes.
    static func merge(_ target: JSONValue?, _ patch: JSONValue) -> JSONValue? {
        guard case .object(let p) = patch.materialized else {
            // Spelled out: a bare `nil` here would be JSONValue's own nil literal, `.null`.
            return patch == .null ? JSONValue?.none : JSONValue?.some(patch)
        }
        var out: JSONObject = [:]
        if case .object(let t)? = target?.materialized { out = t }
        for m in p.members { out[m.key] = merge(out[m.key], m.value) }
        return .object(out)
    }
}
