/// A value did not have the shape a type expects: where (a field path such as
/// `members[1].email`) and why.
package struct JSONDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field path, empty for the top level.
    package var path: String
    /// What was wrong, e.g. "expected a string, found number".
    package var reason: String

    package init(path: String, reason: String) { (self.path, self.reason) = (path, reason) }

    package var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

/// Renders a coding path the way people write it: `members[1].email`.
package func renderPath(_ path: [any CodingKey]) -> String {
    var out = ""
    for key in path {
        if let i = key.intValue, key.stringValue.hasPrefix("Index") || key.stringValue == String(i) {
            out += "[\(i)]"
        } else {
            if !out.isEmpty { out += "." }
            out += key.stringValue
        }
    }
    return out
}

/// Decodes `Decodable` types from a `JSONValue` (no second parse of the text).
package enum JSONDecoding {
    /// Decodes `type` from `value`; `path` prefixes every error (e.g. `params`).
    package static func decode<T: Decodable>(
        _ type: T.Type,
        from value: JSONValue,
        path: [any CodingKey] = []
    ) throws(JSONDecodeError) -> T {
        do {
            return try T(from: ValueDecoder(value: value.materialized, codingPath: path))
        } catch let e as JSONDecodeError {
            throw e
        } catch let e as DecodingError {
            throw translate(e)
        } catch {
            throw JSONDecodeError(path: renderPath(path), reason: "\(error)")
        }
    }

    /// Parses JSON text and decodes `type` from it.
    package static func decode<T: Decodable>(
        _ type: T.Type,
        from bytes: some Collection<UInt8>
    ) throws(JSONDecodeError) -> T {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw JSONDecodeError(path: "", reason: "not JSON: \(error)")
        }
        return try decode(type, from: value)
    }

    static func translate(_ e: DecodingError) -> JSONDecodeError {
        switch e {
        case .keyNotFound(let key, let ctx):
            return JSONDecodeError(path: renderPath(ctx.codingPath + [key]), reason: "required")
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .dataCorrupted(let ctx):
            return JSONDecodeError(path: renderPath(ctx.codingPath), reason: ctx.debugDescription)
        @unknown default:
            return JSONDecodeError(path: "", reason: "\(e)")
        }
    }
}

/// An array index as a coding key. Only the index is kept: its text is made when asked for (an
/// error's path), and the key fits an existential's inline buffer, so an element's decoder
/// needs no box for it.
package struct IndexKey: CodingKey {
    package let index: Int
    package var intValue: Int? { index }
    package var stringValue: String { "Index \(index)" }
    package init(_ i: Int) { index = i }
    package init?(intValue: Int) { self.init(intValue) }
    package init?(stringValue: String) { return nil }
}

/// A member name as a coding key.
package struct NameKey: CodingKey {
    package var stringValue: String
    package var intValue: Int? { nil }
    package init(_ s: String) { stringValue = s }
    package init?(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { return nil }
}

/// A class: passed as `any Decoder` (every nested value's `init(from:)`) it is a reference, where
/// the struct it was did not fit an existential's inline buffer and was boxed and copied each time.
final class ValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    /// The decoder of the container this value is in, and its key there; the top one has no
    /// parent, and its key is the path it was given (`RootPath`). The path is built only when
    /// asked for (an error), never for a field that decodes.
    let parent: ValueDecoder?
    let key: any CodingKey
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    var codingPath: [any CodingKey] {
        var keys: [any CodingKey] = []
        var d = self
        while let up = d.parent {
            keys.append(d.key)
            d = up
        }
        return ((d.key as? RootPath)?.path ?? []) + keys.reversed()
    }

    init(value: JSONValue, codingPath: [any CodingKey]) {
        self.value = value
        parent = nil
        key = RootPath(path: codingPath)
    }

    init(value: JSONValue, in parent: ValueDecoder, at key: any CodingKey) {
        self.value = value
        self.parent = parent
        self.key = key
    }

    /// The top decoder's "key": the path its value is at. A field of its own would be one more
    /// reference for every decoder to release.
    private struct RootPath: CodingKey {
        let path: [any CodingKey]
        var stringValue: String { renderPath(path) }
        var intValue: Int? { nil }
        init(path: [any CodingKey]) { self.path = path }
        init?(stringValue: String) { return nil }
        init?(intValue: Int) { return nil }
    }

    func fail(_ reason: String) -> JSONDecodeError { JSONDecodeError(path: renderPath(codingPath), reason: reason) }

    func mismatch(_ expected: String) -> JSONDecodeError {
        fail("expected \(expected), found \(value.typeName)")
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let o) = value else { throw mismatch("an object") }
        return KeyedDecodingContainer(KeyedContainer<Key>(object: o, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let a) = value else { throw mismatch("an array") }
        return UnkeyedContainer(items: a, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch("true or false") }
        return b
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let s) = value else { throw mismatch("a string") }
        return s
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard let d = value.doubleValue else { throw mismatch("a number") }
        return d
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard let i = value.intValue else {
            if case .double = value { throw fail("expected an integer, found a fraction") }
            throw mismatch("an integer")
        }
        guard let v = I(exactly: i) else { throw fail("integer out of range \(I.min)...\(I.max)") }
        return v
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if type == JSONValue.self { return value as! T }
        return try T(from: self)
    }
}

struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    /// The decoder of the object: its members' parent.
    let decoder: ValueDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    func child(_ key: Key) throws -> ValueDecoder {
        guard let v = object[key.stringValue] else {
            throw JSONDecodeError(path: renderPath(codingPath + [key]), reason: "required")
        }
        return ValueDecoder(value: v, in: decoder, at: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { (object[key.stringValue] ?? .null) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decode(type) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        if case .bool(let b)? = object[key.stringValue] { return b }
        return try child(key).decode(type)
    }
    /// A string member is taken as it is; anything else (missing, another type) goes through a
    /// decoder, which says what is wrong.
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        if case .string(let s)? = object[key.stringValue] { return s }
        return try child(key).decode(type)
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        if case .int(let i)? = object[key.stringValue], let v = Int(exactly: i) { return v }
        return try child(key).decode(type)
    }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        if case .int(let i)? = object[key.stringValue] { return i }
        return try child(key).decode(type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let v = object[key.stringValue], v != .null else { return nil }
        return try ValueDecoder(value: v, in: decoder, at: key).decode(type)
    }

    // The protocol's own versions of these go through `contains`, `decodeNil` and `decode`, each
    // a lookup of the key (and a copy of the container to call them on).
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let v = object[key.stringValue], v != .null else { return nil }
        if case .string(let s) = v { return s }
        return try ValueDecoder(value: v, in: decoder, at: key).decode(type)
    }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        if case .bool(let b)? = object[key.stringValue] { return b }
        return try optional(type, key)
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        if case .int(let i)? = object[key.stringValue], let v = Int(exactly: i) { return v }
        return try optional(type, key)
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        if case .int(let i)? = object[key.stringValue] { return i }
        return try optional(type, key)
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optional(type, key) }

    private func optional<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        guard let v = object[key.stringValue], v != .null else { return nil }
        return try ValueDecoder(value: v, in: decoder, at: key).decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(value: object["super"] ?? .null, in: decoder, at: NameKey("super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: object[key.stringValue] ?? .null, in: decoder, at: key)
    }
}

struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [JSONValue]
    /// The decoder of the array: its elements' parent.
    let decoder: ValueDecoder
    var currentIndex = 0

    init(items: [JSONValue], decoder: ValueDecoder) { (self.items, self.decoder) = (items, decoder) }

    var codingPath: [any CodingKey] { decoder.codingPath }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func next() throws -> ValueDecoder {
        guard !isAtEnd else {
            throw JSONDecodeError(path: renderPath(codingPath), reason: "expected more than \(items.count) elements")
        }
        defer { currentIndex += 1 }
        return ValueDecoder(value: items[currentIndex], in: decoder, at: IndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

extension JSONValue: Codable {
    package init(from decoder: any Decoder) throws {
        if let d = decoder as? ValueDecoder { self = d.value; return }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else if let o = try? c.decode([String: JSONValue].self) {
            self = .object(JSONObject(o.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value")
        }
    }

    package func encode(to encoder: any Encoder) throws {
        if let e = encoder as? ValueEncoder { e.storage.set(.value(self)); return }
        if let e = encoder as? StreamEncoder {
            if e.state.beginValue(at: e.depth) { e.state.w.write(self) }
            return
        }
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .encoded: try materialized.encode(to: encoder)
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o):
            var k = encoder.container(keyedBy: NameKey.self)
            for m in o.members { try k.encode(m.value, forKey: NameKey(m.key)) }
        }
    }
}
