/// The members one encoding wrote at its top level: in order, which with `encode` (always
/// there) and the type of each. A class: the encoder and its containers share it.
final class KeyLog {
    var order: [String] = []
    var required = Set<String>()
    var types: [String: any Encodable.Type] = [:]
    var rules: [String: FieldRule] = [:]

    func note(_ codingKey: some CodingKey, _ type: any Encodable.Type, required: Bool) {
        let key = codingKey.stringValue
        if let r = (codingKey as? any FieldKey)?.rule { rules[key] = r }
        if types[key] == nil {
            order.append(key)
            types[key] = type
        }
        if required { self.required.insert(key) }
    }
}

/// An encoder that writes nothing and records the top-level members of what it is given (their
/// values are not looked into: each type has its own derivation).
struct KeyRecordingEncoder: Encoder {
    let log: KeyLog
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(RecordingKeyedEncoder<Key>(log: log))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { SinkUnkeyed() }
    func singleValueContainer() -> any SingleValueEncodingContainer { SinkSingle() }
}

struct RecordingKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let log: KeyLog
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws { log.note(key, JSONValue.self, required: false) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        log.note(key, T.self, required: true)
    }

    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        log.note(key, T.self, required: false)
    }

    // The protocol's own overloads would call `encode` for a value that is there.
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { log.note(key, Bool.self, required: false) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        log.note(key, String.self, required: false)
    }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        log.note(key, Double.self, required: false)
    }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws {
        log.note(key, Float.self, required: false)
    }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { log.note(key, Int.self, required: false) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { log.note(key, Int8.self, required: false) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws {
        log.note(key, Int16.self, required: false)
    }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws {
        log.note(key, Int32.self, required: false)
    }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws {
        log.note(key, Int64.self, required: false)
    }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { log.note(key, UInt.self, required: false) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws {
        log.note(key, UInt8.self, required: false)
    }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws {
        log.note(key, UInt16.self, required: false)
    }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws {
        log.note(key, UInt32.self, required: false)
    }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws {
        log.note(key, UInt64.self, required: false)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    )
        -> KeyedEncodingContainer<NestedKey>
    {
        log.note(key, JSONValue.self, required: true)
        return KeyedEncodingContainer(SinkKeyed<NestedKey>())
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        log.note(key, JSONValue.self, required: true)
        return SinkUnkeyed()
    }

    mutating func superEncoder() -> any Encoder { KeyRecordingEncoder(log: log) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { SinkEncoder() }
}

/// Takes whatever is encoded into it and keeps nothing.
struct SinkEncoder: Encoder {
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(SinkKeyed<Key>())
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { SinkUnkeyed() }
    func singleValueContainer() -> any SingleValueEncodingContainer { SinkSingle() }
}

struct SinkKeyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    var codingPath: [any CodingKey] { [] }
    mutating func encodeNil(forKey key: Key) throws {}
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {}
    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    )
        -> KeyedEncodingContainer<NestedKey>
    { KeyedEncodingContainer(SinkKeyed<NestedKey>()) }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { SinkUnkeyed() }
    mutating func superEncoder() -> any Encoder { SinkEncoder() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { SinkEncoder() }
}

struct SinkUnkeyed: UnkeyedEncodingContainer {
    var codingPath: [any CodingKey] { [] }
    var count: Int { 0 }
    mutating func encodeNil() throws {}
    mutating func encode<T: Encodable>(_ value: T) throws {}
    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(SinkKeyed<NestedKey>())
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { SinkUnkeyed() }
    mutating func superEncoder() -> any Encoder { SinkEncoder() }
}

struct SinkSingle: SingleValueEncodingContainer {
    var codingPath: [any CodingKey] { [] }
    mutating func encodeNil() throws {}
    mutating func encode<T: Encodable>(_ value: T) throws {}
}
