/// A value made to fit its schema so that the checks behind the schema can still run on it: a
/// row of an import that the schema refused is decoded from its repaired copy, and what the
/// service's own checks find in the fields the schema did not name is reported with what the
/// schema found (every problem of a row at once).
extension Schema {
    /// `value` with each member that does not fit replaced by a stand-in that does (so that
    /// checks of other fields that depend on it are not misled by its absence; an optional
    /// member without one is left out), or nil when some required part has none.
    package func repaired(_ value: JSONValue) -> JSONValue? {
        if case .encoded = value { return repaired(value.materialized) }
        switch self {
        case .object(let fields):
            guard case .object(let o) = value else { return standIn(for: value) }
            var out = o
            for f in fields {
                guard let v = o[f.name], v != .null || f.required else { continue }
                if f.schema.violation(v) == nil { continue }
                if let fixed = f.schema.repaired(v) {
                    out[f.name] = fixed
                } else if f.required {
                    return nil
                } else {
                    out[f.name] = nil
                }
            }
            for f in fields where f.required && o[f.name] == nil {
                guard let stand = f.schema.standIn(for: nil) else { return nil }
                out[f.name] = stand
            }
            return .object(out)
        case .array(let items, let maxItems):
            guard case .array(let a) = value else { return standIn(for: value) }
            var out: [JSONValue] = []
            for v in a.prefix(maxItems ?? a.count) {
                guard let fixed = items.violation(v) == nil ? v : items.repaired(v) else { return nil }
                out.append(fixed)
            }
            return .array(out)
        case .map(let values):
            guard case .object(let o) = value else { return standIn(for: value) }
            var out = JSONObject()
            for m in o.members {
                guard let fixed = values.violation(m.value) == nil ? m.value : values.repaired(m.value) else {
                    return nil
                }
                out[m.key] = fixed
            }
            return .object(out)
        default:
            return violation(value) == nil ? value : standIn(for: value)
        }
    }

    /// A value that fits this schema, near `given` where it can be (a long text cut, a number
    /// brought into range); nil for a format it has no sample of.
    func standIn(for given: JSONValue?) -> JSONValue? {
        switch self {
        case .string(let format, let values, let maxLength):
            if let values { return values.first.map(JSONValue.string) }
            if let format {
                let samples = [
                    "date": "2000-01-01", "local-date-time": "2000-01-01T00:00", "partial-date": "2000",
                    "date-time": "2000-01-01T00:00:00Z", "email": "someone@example.invalid", "iso3166-alpha2": "ZZ",
                ]
                return samples[format].map(JSONValue.string)
            }
            if case .string(let s)? = given, let maxLength { return .string(String(s.prefix(maxLength))) }
            return .string("")
        case .integer(let minimum, let maximum):
            var n = given?.intValue ?? minimum ?? 0
            if let minimum { n = Swift.max(n, minimum) }
            if let maximum { n = Swift.min(n, maximum) }
            return .int(n)
        case .number: return .int(Int64.zero)
        case .boolean: return .bool(false)
        case .array: return .array([])
        case .object, .map: return repaired(.object([:]))
        case .any: return given ?? .null
        case .oneOf(let options): return options.lazy.compactMap { $0.standIn(for: given) }.first
        }
    }
}
