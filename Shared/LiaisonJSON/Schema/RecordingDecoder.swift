/// One field as a run of a decoder asked for it.
struct RecordedField {
    var schema: SchemaShapes
    var rule: FieldRule
    /// Read with `decode` (as required) rather than `decodeIfPresent`.
    var readRequired: Bool
}

/// What one run of a type's decoder asked for. A class: the decoder and its containers share it.
final class Recording {
    /// Keys answered as absent in this run.
    let absent: Set<String>
    let inProgress: Set<ObjectIdentifier>
    var fields: [String: RecordedField] = [:]
    var order: [String] = []
    /// Keys whose presence the decoder looked at (`decodeIfPresent`, `contains`, `decodeNil`).
    var tested = Set<String>()
    /// The schema of a type decoded from a single value (not an object).
    var single: SchemaShapes?

    init(absent: Set<String>, inProgress: Set<ObjectIdentifier>) {
        self.absent = absent
        self.inProgress = inProgress
    }

    func note(_ name: String, _ schema: SchemaShapes, rule: FieldRule, required: Bool) {
        if fields[name] == nil { order.append(name) }
        let before = fields[name]?.readRequired ?? false
        fields[name] = RecordedField(schema: schema, rule: rule, readRequired: before || required)
    }

    func rule(_ key: some CodingKey) -> FieldRule { (key as? any FieldKey)?.rule ?? .plain }
}

/// The decoder a type's `init(from:)` is run against while its schema is derived.
struct RecordingDecoder: Decoder {
    let run: Recording
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ run: Recording) { self.run = run }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RecordingKeyed<Key>(run: run))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw SchemaDerivation.Failure(description: "a type decoded from a bare array: give it an explicit schema")
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { RecordingSingle(run: run) }
}

/// A top-level single value (a type that is one string or number on the wire).
struct RecordingSingle: SingleValueDecodingContainer {
    let run: Recording
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let s = try SchemaDerivation.sample(type, rule: .plain, inProgress: run.inProgress)
        run.single = s.shapes
        return s.value
    }
}

struct RecordingKeyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let run: Recording
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool {
        run.tested.insert(key.stringValue)
        if run.fields[key.stringValue] == nil && !run.order.contains(key.stringValue) {
            run.order.append(key.stringValue)
        }
        return !run.absent.contains(key.stringValue)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        run.tested.insert(key.stringValue)
        return run.absent.contains(key.stringValue)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let rule = run.rule(key)
        let s = try SchemaDerivation.sample(type, rule: rule, inProgress: run.inProgress)
        run.note(key.stringValue, s.shapes, rule: rule, required: true)
        if run.absent.contains(key.stringValue) {
            throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "absent in this run"))
        }
        return s.value
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try decodeIfPresent(type, key) }

    // The protocol's own overloads would read a value that is there as required.
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try decodeIfPresent(type as Bool.Type, key)
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try decodeIfPresent(type as String.Type, key)
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try decodeIfPresent(type as Double.Type, key)
    }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        try decodeIfPresent(type as Float.Type, key)
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try decodeIfPresent(type as Int.Type, key)
    }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? {
        try decodeIfPresent(type as Int8.Type, key)
    }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? {
        try decodeIfPresent(type as Int16.Type, key)
    }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        try decodeIfPresent(type as Int32.Type, key)
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        try decodeIfPresent(type as Int64.Type, key)
    }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? {
        try decodeIfPresent(type as UInt.Type, key)
    }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? {
        try decodeIfPresent(type as UInt8.Type, key)
    }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? {
        try decodeIfPresent(type as UInt16.Type, key)
    }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? {
        try decodeIfPresent(type as UInt32.Type, key)
    }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? {
        try decodeIfPresent(type as UInt64.Type, key)
    }

    private func decodeIfPresent<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        run.tested.insert(key.stringValue)
        let rule = run.rule(key)
        let s = try SchemaDerivation.sample(type, rule: rule, inProgress: run.inProgress)
        run.note(key.stringValue, s.shapes, rule: rule, required: false)
        return run.absent.contains(key.stringValue) ? nil : s.value
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        throw SchemaDerivation.Failure(
            description: "\(key.stringValue): a nested container; decode a type of its own instead"
        )
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw SchemaDerivation.Failure(
            description: "\(key.stringValue): a nested array container; decode an array type instead"
        )
    }

    func superDecoder() throws -> any Decoder { RecordingDecoder(run) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        throw SchemaDerivation.Failure(description: "\(key.stringValue): a super decoder for a key")
    }
}
