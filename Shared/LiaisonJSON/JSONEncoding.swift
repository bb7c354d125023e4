/// Encodes `Encodable` values into `JSONValue` trees (then `JSONWriter` for bytes).
/// Optional properties that are `nil` are left out, as the synthesized conformances ask.
package enum JSONEncoding {
    /// The value as a JSON tree.
    package static func encode<T: Encodable>(_ value: T) -> JSONValue {
        if let v = value as? JSONValue { return v }
        let encoder = ValueEncoder(codingPath: [])
        do {
            try value.encode(to: encoder)
        } catch {
            // Our containers never throw; a type's own encode(to:) might. Keep what it says.
            return .object(["encoding_error": .string("\(error)")])
        }
        return encoder.storage.finish()
    }

    /// The value as compact JSON bytes: written as it is encoded (`JSONStream`), the same text
    /// as the tree's.
    package static func bytes<T: Encodable>(_ value: T) -> [UInt8] {
        guard let text = JSONStream.encode(value) else { return JSONWriter.encode(encode(value)) }
        // Every test run checks the stream against the tree, value by value.
        assert(text == JSONWriter.encode(encode(value)), "JSONStream wrote \(String(decoding: text, as: UTF8.self))")
        return text
    }

    /// The value as compact JSON text.
    package static func string<T: Encodable>(_ value: T) -> String { String(decoding: bytes(value), as: UTF8.self) }
}

/// A node being built: a finished value, or a container still open for writing.
final class EncodingSlot {
    enum Node {
        case empty
        case value(JSONValue)
        case object([(String, EncodingSlot)])
        case array([EncodingSlot])
    }
    /// Touched by one thread, one call inside another: no run-time exclusivity checks.
    @exclusivity(unchecked) var node: Node = .empty

    func set(_ n: Node) { node = n }

    func finish() -> JSONValue {
        switch node {
        case .empty: return .object(JSONObject())
        case .value(let v): return v
        case .object(let members):
            // Keys are unique here (`objectSlot` reuses a key's slot), so no lookups are needed.
            var o = JSONObject()
            for (k, slot) in members { o.appendUnchecked(k, slot.finish()) }
            return .object(o)
        case .array(let items): return .array(items.map { $0.finish() })
        }
    }

    func objectSlot(for key: String) -> EncodingSlot {
        if case .empty = node { node = .object([]) }
        guard case .object(var members) = node else {
            let s = EncodingSlot(); node = .object([(key, s)]); return s
        }
        if let existing = members.first(where: { $0.0 == key }) { return existing.1 }
        let s = EncodingSlot()
        node = .empty  // release the array's storage before appending so it is not copied
        members.append((key, s))
        node = .object(members)
        return s
    }

    func appendSlot() -> EncodingSlot {
        if case .empty = node { node = .array([]) }
        guard case .array(var items) = node else {
            let s = EncodingSlot(); node = .array([s]); return s
        }
        let s = EncodingSlot()
        node = .empty
        items.append(s)
        node = .array(items)
        return s
    }

    var arrayCount: Int {
        if case .array(let a) = node { return a.count }
        return 0
    }
}

final class ValueEncoder: Encoder, SingleValueEncodingContainer {
    let storage: EncodingSlot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(codingPath: [any CodingKey], storage: EncodingSlot = EncodingSlot()) {
        self.codingPath = codingPath
        self.storage = storage
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .empty = storage.node { storage.set(.object([])) }
        return KeyedEncodingContainer(KeyedEncoder<Key>(slot: storage, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .empty = storage.node { storage.set(.array([])) }
        return UnkeyedEncoder(slot: storage, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func encodeNil() { storage.set(.value(.null)) }
    func encode(_ value: Bool) { storage.set(.value(.bool(value))) }
    func encode(_ value: String) { storage.set(.value(.string(value))) }
    func encode(_ value: Double) { storage.set(.value(.double(value))) }
    func encode(_ value: Float) { storage.set(.value(.double(Double(value)))) }
    func encode(_ value: Int) { storage.set(.value(.int(Int64(value)))) }
    func encode(_ value: Int8) { storage.set(.value(.int(Int64(value)))) }
    func encode(_ value: Int16) { storage.set(.value(.int(Int64(value)))) }
    func encode(_ value: Int32) { storage.set(.value(.int(Int64(value)))) }
    func encode(_ value: Int64) { storage.set(.value(.int(value))) }
    func encode(_ value: UInt) { storage.set(.value(Self.unsigned(UInt64(value)))) }
    func encode(_ value: UInt8) { storage.set(.value(.int(Int64(value)))) }
    func encode(_ value: UInt16) { storage.set(.value(.int(Int64(value)))) }
    func encode(_ value: UInt32) { storage.set(.value(.int(Int64(value)))) }
    func encode(_ value: UInt64) { storage.set(.value(Self.unsigned(value))) }

    static func unsigned(_ v: UInt64) -> JSONValue { v <= UInt64(Int64.max) ? .int(Int64(v)) : .double(Double(v)) }

    func encode<T: Encodable>(_ value: T) throws {
        if let v = value as? JSONValue { storage.set(.value(v)); return }
        try value.encode(to: self)
    }
}

struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    func child(_ key: Key) -> ValueEncoder {
        ValueEncoder(codingPath: codingPath + [key], storage: slot.objectSlot(for: key.stringValue))
    }

    mutating func encodeNil(forKey key: Key) { child(key).encodeNil() }
    mutating func encode(_ value: Bool, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: String, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: Double, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: Int, forKey key: Key) { child(key).encode(value) }
    mutating func encode(_ value: Int64, forKey key: Key) { child(key).encode(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try child(key).encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        child(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        child(key).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder {
        ValueEncoder(codingPath: codingPath, storage: slot.objectSlot(for: "super"))
    }
    mutating func superEncoder(forKey key: Key) -> any Encoder { child(key) }
}

struct UnkeyedEncoder: UnkeyedEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    var count: Int { slot.arrayCount }

    func next() -> ValueEncoder {
        let i = slot.arrayCount
        return ValueEncoder(codingPath: codingPath + [IndexKey(i)], storage: slot.appendSlot())
    }

    mutating func encodeNil() { next().encodeNil() }
    mutating func encode(_ value: Bool) { next().encode(value) }
    mutating func encode(_ value: String) { next().encode(value) }
    mutating func encode(_ value: Double) { next().encode(value) }
    mutating func encode(_ value: Int) { next().encode(value) }
    mutating func encode(_ value: Int64) { next().encode(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try next().encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        next().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { next().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { next() }
}
