import CSQLite

extension Row {
    /// The row as `T`, each of its coding keys read from the column of that name: a table type
    /// maps its rows in one `Decodable` conformance (a missing column or a value of the wrong type
    /// is an error naming the column). Values that are not SQL's own (enums, nested values) are
    /// decoded from their column's single value.
    package func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try T(from: RowDecoder(row: self, column: nil, codingPath: []))
    }
}

/// Decodes a row (keyed by column name) or one column of it (a single value).
private struct RowDecoder: Decoder {
    let row: Row
    /// The column index when decoding one column's value.
    let column: Int?
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard column == nil else { throw mismatch("a row", at: codingPath) }
        return KeyedDecodingContainer(Keyed<Key>(row: row, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw mismatch("a list", at: codingPath) }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard let column else { throw mismatch("one value", at: codingPath) }
        return Single(value: row.values[column], codingPath: codingPath)
    }

    func mismatch(_ what: String, at path: [any CodingKey]) -> DecodingError {
        .typeMismatch(Any.self, .init(codingPath: path, debugDescription: "a SQL row cannot be read as \(what) here"))
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: Row
        var codingPath: [any CodingKey]
        var allKeys: [Key] { row.columns.names.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { row.columns.index[key.stringValue] != nil }

        func index(_ key: Key) throws -> Int {
            guard let i = row.columns.index[key.stringValue] else {
                throw DecodingError.keyNotFound(
                    key,
                    .init(
                        codingPath: codingPath,
                        debugDescription: "no column \(key.stringValue) (columns: \(row.columns.names))"
                    )
                )
            }
            return i
        }

        func decodeNil(forKey key: Key) throws -> Bool { row.values[try index(key)] == .null }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let i = try index(key)
            if let readable = T.self as? any SQLReadable.Type {
                guard let v = readable.init(sql: row.values[i]) as? T else {
                    throw DecodingError.typeMismatch(
                        T.self,
                        .init(
                            codingPath: codingPath + [key],
                            debugDescription: "column \(key.stringValue) holds \(row.values[i].typeName)"
                        )
                    )
                }
                return v
            }
            return try T(from: RowDecoder(row: row, column: i, codingPath: codingPath + [key]))
        }

        func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: Key) throws -> KeyedDecodingContainer<N> {
            throw DecodingError.typeMismatch(
                Any.self,
                .init(codingPath: codingPath + [key], debugDescription: "columns hold no nested rows")
            )
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch(
                Any.self,
                .init(codingPath: codingPath + [key], debugDescription: "columns hold no lists")
            )
        }

        func superDecoder() throws -> any Decoder { RowDecoder(row: row, column: nil, codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> any Decoder {
            RowDecoder(row: row, column: try index(key), codingPath: codingPath + [key])
        }
    }

    struct Single: SingleValueDecodingContainer {
        let value: SQLValue
        var codingPath: [any CodingKey]

        func decodeNil() -> Bool { value == .null }

        func read<T: SQLReadable>(_ type: T.Type) throws -> T {
            guard let v = T(sql: value) else {
                throw DecodingError.typeMismatch(
                    T.self,
                    .init(codingPath: codingPath, debugDescription: "the column holds \(value.typeName)")
                )
            }
            return v
        }

        func decode(_ type: Bool.Type) throws -> Bool { try read(Bool.self) }
        func decode(_ type: String.Type) throws -> String { try read(String.self) }
        func decode(_ type: Double.Type) throws -> Double { try read(Double.self) }
        func decode(_ type: Float.Type) throws -> Float { Float(try read(Double.self)) }
        func decode(_ type: Int.Type) throws -> Int { try read(Int.self) }
        func decode(_ type: Int64.Type) throws -> Int64 { try read(Int64.self) }
        func decode(_ type: Int8.Type) throws -> Int8 { try exactly(Int8.self) }
        func decode(_ type: Int16.Type) throws -> Int16 { try exactly(Int16.self) }
        func decode(_ type: Int32.Type) throws -> Int32 { try exactly(Int32.self) }
        func decode(_ type: UInt.Type) throws -> UInt { try exactly(UInt.self) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try exactly(UInt8.self) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try exactly(UInt16.self) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try exactly(UInt32.self) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try exactly(UInt64.self) }

        func exactly<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            guard let v = T(exactly: try read(Int64.self)) else {
                throw DecodingError.typeMismatch(
                    T.self,
                    .init(codingPath: codingPath, debugDescription: "the column's value is out of range")
                )
            }
            return v
        }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            if let readable = T.self as? any SQLReadable.Type, let v = readable.init(sql: value) as? T { return v }
            return try T(from: SingleDecoder(single: self))
        }
    }

    /// A decoder over one column, for types that decode themselves from a single value.
    struct SingleDecoder: Decoder {
        let single: Single
        var codingPath: [any CodingKey] { single.codingPath }
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            throw DecodingError.typeMismatch(
                Any.self,
                .init(codingPath: codingPath, debugDescription: "a column holds one value")
            )
        }
        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch(
                Any.self,
                .init(codingPath: codingPath, debugDescription: "a column holds one value")
            )
        }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { single }
    }
}

/// SQL expressions shared by the services' statements.
package enum SQLExpression {
    /// `column` (epoch milliseconds) as RFC 3339 UTC with milliseconds, as `Timestamp.rfc3339`
    /// writes it (`2026-03-01T09:00:00.000Z`); NULL stays NULL.
    package static func timestamp(_ column: String) -> String {
        "(strftime('%Y-%m-%dT%H:%M:%S', \(column) / 1000, 'unixepoch') || '.' || printf('%03d', \(column) % 1000) || "
            + "'Z')"
    }
}
