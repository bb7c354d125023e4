/// A JSON document held in memory: the wire's common currency.
///
/// Integers that fit `Int64` stay exact (`.int`); every other number is a `Double`.
/// Objects keep their key order, so what we write reads the way it was built.
package enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
    /// JSON text already written — a stored document a read answers as it is, without parsing
    /// and writing it again. Writers copy it; everything that looks inside parses it first
    /// (`materialized`).
    case encoded([UInt8])

    /// The value itself, with JSON text parsed (`null` if it does not parse).
    package var materialized: JSONValue {
        guard case .encoded(let text) = self else { return self }
        return (try? JSONParser.parse(text)) ?? .null
    }

    /// The JSON type's name, as error messages say it.
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        case .encoded: materialized.typeName
        }
    }

    /// The member `key` when this is an object.
    package subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        if case .encoded = self { return materialized[key] }
        return nil
    }

    /// The element at `index` when this is an array (nil when out of range).
    package subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        if case .encoded = self { return materialized[index] }
        return nil
    }

    /// The string, when this is a string.
    package var stringValue: String? {
        if case .string(let s) = self { return s }
        if case .encoded = self { return materialized.stringValue }
        return nil
    }

    /// The number as an `Int64`, when it is an integer.
    package var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
        case .encoded: return materialized.intValue
        default: return nil
        }
    }

    /// The number as a `Double`.
    package var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .encoded: return materialized.doubleValue
        default: return nil
        }
    }

    /// The boolean, when this is one.
    package var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        if case .encoded = self { return materialized.boolValue }
        return nil
    }

    /// The object, when this is one.
    package var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        if case .encoded = self { return materialized.objectValue }
        return nil
    }

    /// The elements, when this is an array.
    package var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        if case .encoded = self { return materialized.arrayValue }
        return nil
    }
}

/// A JSON object: members in insertion order, looked up by key.
///
/// Objects on the wire are small, so a linear scan beats hashing; a repeated key keeps its last value.
package struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The members in order.
    package private(set) var members: [(key: String, value: JSONValue)]

    /// An empty object.
    package init() { members = [] }

    /// An object from ordered members.
    package init(_ members: [(String, JSONValue)]) {
        self.members = []
        self.members.reserveCapacity(members.count)
        for (k, v) in members { self[k] = v }
    }

    package init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }

    /// The value for `key`; setting `nil` removes it.
    package subscript(key: String) -> JSONValue? {
        get {
            for m in members.reversed() where m.key == key { return m.value }
            return nil
        }
        set {
            if let i = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    /// Appends without looking for an existing key (the parser's fast path; last one wins on lookup).
    mutating func appendUnchecked(_ key: String, _ value: JSONValue) { members.append((key, value)) }

    /// The member names in order.
    package var keys: [String] { members.map(\.key) }

    /// How many members.
    package var count: Int { members.count }

    /// Equal when lookups give the same: member order does not count, and of a name given twice
    /// only the last counts (as for lookups).
    package static func == (a: JSONObject, b: JSONObject) -> Bool {
        if a.members.count == b.members.count
            && zip(a.members, b.members).allSatisfy({ $0.key == $1.key && $0.value == $1.value })
        {
            return true
        }
        let keys = Set(a.members.map(\.key))
        guard keys == Set(b.members.map(\.key)) else { return false }
        return keys.allSatisfy { a[$0] == b[$0] }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int64) { self = .int(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(nilLiteral: ()) { self = .null }
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    package init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    package init(floatLiteral value: Double) { self = .double(value) }
}

extension JSONValue: Equatable {
    /// Equal when they mean the same: JSON text compares by what it holds.
    package static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.double(let x), .double(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x == y
        case (.encoded(let x), .encoded(let y)) where x == y: true
        case (.encoded, _), (_, .encoded): a.materialized == b.materialized
        default: false
        }
    }
}
