import LiaisonHost
import LiaisonJSON
import LiaisonWire

/// Values built from a schema: the smallest one that fits it, and ones that fit it but for a
/// single value just outside one declared limit (a maximum + 1, a length + 1, one item too many,
/// a value not in the enum, a string not of the format).
package enum SchemaProbes {
    /// One probe: the whole value, the field path its error must name, and the limit broken.
    package struct Probe: Sendable {
        package var value: JSONValue
        package var path: String
        package var limit: String
    }

    /// A value that fits `schema`: required members only, each as small as it may be.
    package static func minimal(_ schema: Schema) -> JSONValue {
        switch schema {
        case .string(let format, let values, _):
            if let v = values?.first { return .string(v) }
            switch format {
            case "date": return "2026-03-01"
            case "local-date-time": return "2026-03-12T09:00"
            case "date-time": return "2026-03-01T09:00:00Z"
            case "email": return "a@example.org"
            case "iso3166-alpha2": return "TH"
            default: return "x"
            }
        case .integer(let min, let max): return .int(Swift.min(Swift.max(min ?? 1, 1), max ?? Int64.max))
        case .number: return .double(0)
        case .boolean: return false
        case .array: return []
        case .object(let fields): return .object(JSONObject(fields.filter(\.required).map { ($0.name, minimal($0.schema)) }))
        case .map: return .object([:])
        case .any: return .object([:])
        case .oneOf(let options): return options.first.map(minimal) ?? .null
        }
    }

    /// Every value just outside one limit of `schema`, inside an otherwise minimal value.
    package static func probes(_ schema: Schema) -> [Probe] {
        switch schema {
        case .string(let format, let values, let maxLength):
            var out: [Probe] = []
            if let values { out.append(Probe(value: .string("zz-not-one-of-\(values.count)"), path: "", limit: "enum")) }
            if let maxLength, values == nil {
                var s = String(repeating: "a", count: maxLength + 1)
                if format == "email" { s = String(repeating: "a", count: maxLength) + "@b" }
                out.append(Probe(value: .string(s), path: "", limit: "maxLength \(maxLength)"))
            }
            if let format, values == nil, SchemaFormat.problem(format, "§") != nil { out.append(Probe(value: "§", path: "", limit: "format \(format)")) }
            return out
        case .integer(let min, let max):
            var out: [Probe] = []
            if let min, min > Int64.min { out.append(Probe(value: .int(min - 1), path: "", limit: "minimum \(min)")) }
            if let max, max < Int64.max { out.append(Probe(value: .int(max + 1), path: "", limit: "maximum \(max)")) }
            return out
        case .array(let items, let maxItems):
            var out: [Probe] = []
            if let maxItems { out.append(Probe(value: .array(Array(repeating: minimal(items), count: maxItems + 1)), path: "", limit: "maxItems \(maxItems)")) }
            for p in probes(items) { out.append(Probe(value: [p.value], path: "[0]" + dotted(p.path), limit: p.limit)) }
            return out
        case .object(let fields):
            guard case .object(let base) = minimal(schema) else { return [] }
            return fields.flatMap { f in
                probes(f.schema).map { p in
                    var o = base
                    o[f.name] = p.value
                    return Probe(value: .object(o), path: f.name + dotted(p.path), limit: p.limit)
                }
            }
        case .map(let values):
            return probes(values).map { Probe(value: ["k": $0.value], path: "k" + dotted($0.path), limit: $0.limit) }
        case .oneOf(let options):
            return options.flatMap(probes)
        case .number, .boolean, .any:
            return []
        }
    }

    private static func dotted(_ rest: String) -> String { rest.isEmpty || rest.hasPrefix("[") ? rest : "." + rest }

    /// Sends every method of `service` each of its params' probes; returns what was not refused
    /// with `invalid_params` naming the probe's field (empty when every limit holds), and how
    /// many probes were sent.
    package static func unrefused(_ service: ServiceUnderTest) -> (failures: [String], sent: Int) {
        var failures: [String] = []
        var sent = 0
        for m in service.table.all {
            for p in probes(m.params) {
                sent += 1
                switch service.call(m.name, p.value) {
                case .success:
                    failures.append("\(m.name) \(p.path) (\(p.limit)): accepted")
                case .failure(let e) where e.code != .invalidParams || e.details?["field"]?.stringValue != p.path:
                    failures.append("\(m.name) \(p.path) (\(p.limit)): \(e.code) \(e.message) [field \(e.details?["field"]?.stringValue ?? "none")]")
                default: break
                }
            }
        }
        return (failures, sent)
    }
}
