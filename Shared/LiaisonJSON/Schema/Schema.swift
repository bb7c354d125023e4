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
}

extension Schema {
    /// An object's members (none for any other shape).
    package var fields: [Field] {
        if case .object(let f) = self { return f }
        return []
    }

    /// The same object with every member optional (what an update takes).
    package var allOptional: Schema {
        .object(fields.map { Field($0.name, $0.schema, required: false, $0.description) })
    }

    /// An object with `extra` members after this one's.
    package func adding(_ extra: [Field]) -> Schema { .object(fields + extra) }
}
