import LiaisonWire

/// The shape of params and results as `service.describe` reports it: a subset of JSON Schema
/// (draft 2020-12), enough for a client in another language.
package indirect enum Schema: Sendable {
    case string(format: String? = nil, values: [String]? = nil, maxLength: Int? = nil)
    case integer(minimum: Int64? = nil, maximum: Int64? = nil)
    case number
    case boolean
    case array(Schema, maxItems: Int? = nil)
    case object([Field])
    case map(Schema)
    case any
    case oneOf([Schema])

    /// One member of an object.
    package struct Field: Sendable {
        package var name: String
        package var schema: Schema
        package var required: Bool
        package var description: String?

        package init(_ name: String, _ schema: Schema, required: Bool, _ description: String? = nil) {
            self.name = name
            self.schema = schema
            self.required = required
            self.description = description
        }

        /// A required member.
        package static func req(_ name: String, _ schema: Schema, _ description: String? = nil) -> Field {
            Field(name, schema, required: true, description)
        }

        /// An optional member.
        package static func opt(_ name: String, _ schema: Schema, _ description: String? = nil) -> Field {
            Field(name, schema, required: false, description)
        }
    }

    /// The schema as JSON Schema.
    package var json: JSONValue {
        switch self {
        case .string(let format, let values, let maxLength):
            var o: JSONObject = ["type": "string"]
            if let format { o["format"] = .string(format) }
            if let values { o["enum"] = .array(values.map { .string($0) }) }
            if let maxLength { o["maxLength"] = .int(Int64(maxLength)) }
            return .object(o)
        case .integer(let min, let max):
            var o: JSONObject = ["type": "integer"]
            if let min { o["minimum"] = .int(min) }
            if let max { o["maximum"] = .int(max) }
            return .object(o)
        case .number: return ["type": "number"]
        case .boolean: return ["type": "boolean"]
        case .array(let items, let maxItems):
            var o: JSONObject = ["type": "array", "items": items.json]
            if let maxItems { o["maxItems"] = .int(Int64(maxItems)) }
            return .object(o)
        case .object(let fields):
            var props = JSONObject()
            for f in fields {
                var s = f.schema.json
                if let d = f.description, case .object(var o) = s { o["description"] = .string(d); s = .object(o) }
                props[f.name] = s
            }
            var o: JSONObject = ["type": "object", "properties": .object(props)]
            let required = fields.filter(\.required).map { JSONValue.string($0.name) }
            if !required.isEmpty { o["required"] = .array(required) }
            return .object(o)
        case .map(let values): return ["type": "object", "additionalProperties": values.json]
        case .any: return .object([:])
        case .oneOf(let options): return ["oneOf": .array(options.map(\.json))]
        }
    }

    /// Whether `value` fits this schema; the first mismatch as a field path and reason.
    package func check(_ value: JSONValue, path: String = "") -> String? {
        func at(_ reason: String) -> String { path.isEmpty ? reason : "\(path): \(reason)" }
        switch self {
        case .string(_, let values, let maxLength):
            guard case .string(let s) = value else { return at("expected string, found \(value.typeName)") }
            if let values, !values.contains(s) { return at("\"\(s)\" is not one of \(values)") }
            if let maxLength, s.count > maxLength { return at("longer than \(maxLength)") }
        case .integer(let min, let max):
            guard let i = value.intValue else { return at("expected integer, found \(value.typeName)") }
            if let min, i < min { return at("below \(min)") }
            if let max, i > max { return at("above \(max)") }
        case .number: if value.doubleValue == nil { return at("expected number, found \(value.typeName)") }
        case .boolean: if value.boolValue == nil { return at("expected boolean, found \(value.typeName)") }
        case .array(let items, _):
            guard case .array(let a) = value else { return at("expected array, found \(value.typeName)") }
            for (i, v) in a.enumerated() { if let e = items.check(v, path: "\(path)[\(i)]") { return e } }
        case .object(let fields):
            guard case .object(let o) = value else { return at("expected object, found \(value.typeName)") }
            for f in fields {
                let p = path.isEmpty ? f.name : "\(path).\(f.name)"
                guard let v = o[f.name] else {
                    if f.required { return "\(p): required" }
                    continue
                }
                if let e = f.schema.check(v, path: p) { return e }
            }
        case .map(let values):
            guard case .object(let o) = value else { return at("expected object, found \(value.typeName)") }
            for m in o.members { if let e = values.check(m.value, path: "\(path).\(m.key)") { return e } }
        case .any: break
        case .oneOf(let options):
            if options.allSatisfy({ $0.check(value, path: path) != nil }) { return at("matches none of the allowed shapes") }
        }
        return nil
    }
}

/// A type that can say its own wire shape.
package protocol Schematic {
    /// The JSON Schema of this type's encoding.
    static var schema: Schema { get }
}

extension String: Schematic { package static var schema: Schema { .string() } }
extension Int: Schematic { package static var schema: Schema { .integer() } }
extension Int64: Schematic { package static var schema: Schema { .integer() } }
extension Bool: Schematic { package static var schema: Schema { .boolean } }
extension Double: Schematic { package static var schema: Schema { .number } }
extension JSONValue: Schematic { package static var schema: Schema { .any } }
extension Array: Schematic where Element: Schematic { package static var schema: Schema { .array(Element.schema) } }
extension Optional: Schematic where Wrapped: Schematic { package static var schema: Schema { Wrapped.schema } }
extension Dictionary: Schematic where Key == String, Value: Schematic { package static var schema: Schema { .map(Value.schema) } }

/// Params of a method that takes none.
package struct NoParams: Codable, Sendable, Schematic {
    package init() {}
    package static var schema: Schema { .object([]) }
}
