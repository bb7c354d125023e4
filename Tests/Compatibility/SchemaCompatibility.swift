import LiaisonJSON

/// Whether what one release writes can be read by another, from the JSON Schemas their
/// `service.describe` gives (PROTOCOL.md, "Compatibility"). As Confluent's Schema Registry and
/// buf's `breaking` check do, a change is judged by who reads what:
///
/// - an event's data and a method's result are written by one release and read by the other:
///   a field removed, retyped, made required, or an enum value the reader does not know breaks
///   the reader;
/// - a method's params are written by an older client and read by a newer service: a new
///   required field, a narrower type, a value no longer accepted, or a tighter limit breaks it.
struct SchemaCompatibility {
    /// What a reader is: a consumer or client decoding (it ignores limits), or a service
    /// checking params at its door (it enforces them).
    enum Reader { case decoder, door }

    var problems: [String] = []

    /// Checks that every value valid under `writer` is read by `reader`. `removals`: a field the
    /// reader knows and the writer no longer writes is a problem (the reader loses it).
    mutating func check(reader: JSONValue, writer: JSONValue, at path: String, as kind: Reader, removals: Bool) {
        guard case .object(let r) = reader, case .object(let w) = writer else { return }
        if let rOne = r["oneOf"]?.arrayValue {
            // Each form the writer may write must be read by one of the reader's.
            for (i, wForm) in (w["oneOf"]?.arrayValue ?? [writer]).enumerated() {
                let fits = rOne.contains { rForm in
                    var probe = SchemaCompatibility()
                    probe.check(reader: rForm, writer: wForm, at: path, as: kind, removals: removals)
                    return probe.problems.isEmpty
                }
                if !fits { problems.append("\(path): form \(i + 1) of what is written is read by none of the reader's forms") }
            }
            return
        }
        guard let rType = r["type"]?.stringValue else { return }  // the reader takes anything
        let wType = w["type"]?.stringValue
        if let wType, wType != rType, !(wType == "integer" && rType == "number") {
            problems.append("\(path): written as \(wType), read as \(rType) (retyped)")
            return
        }
        switch rType {
        case "object":
            let rRequired = Set(r["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let wRequired = Set(w["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let rProps = r["properties"]?.objectValue ?? [:]
            let wProps = w["properties"]?.objectValue ?? [:]
            for name in rRequired.sorted() where !wRequired.contains(name) {
                problems.append(
                    wProps[name] == nil
                        ? "\(path).\(name): removed, and the reader requires it"
                        : "\(path).\(name): may be absent, and the reader requires it (made required)"
                )
            }
            for m in rProps.members {
                guard let wField = wProps[m.key] else {
                    if removals && !rRequired.contains(m.key) { problems.append("\(path).\(m.key): removed") }
                    continue
                }
                check(reader: m.value, writer: wField, at: "\(path).\(m.key)", as: kind, removals: removals)
            }
            if let rMap = r["additionalProperties"], let wMap = w["additionalProperties"] {
                check(reader: rMap, writer: wMap, at: "\(path)[*]", as: kind, removals: removals)
            }
        case "array":
            if let ri = r["items"], let wi = w["items"] { check(reader: ri, writer: wi, at: "\(path)[]", as: kind, removals: removals) }
            if kind == .door, let rMax = r["maxItems"]?.intValue, rMax < (w["maxItems"]?.intValue ?? Int64.max) {
                problems.append("\(path): at most \(rMax) items now (tighter)")
            }
        case "string":
            if let rEnum = r["enum"]?.arrayValue?.compactMap(\.stringValue) {
                guard let wEnum = w["enum"]?.arrayValue?.compactMap(\.stringValue) else {
                    problems.append("\(path): read as one of \(rEnum.joined(separator: ", ")), written as any text")
                    return
                }
                let unknown = wEnum.filter { !rEnum.contains($0) }
                if !unknown.isEmpty {
                    problems.append("\(path): \(unknown.joined(separator: ", ")) written, unknown to the reader (enum value)")
                }
            }
            if kind == .door, let rMax = r["maxLength"]?.intValue, rMax < (w["maxLength"]?.intValue ?? Int64.max) {
                problems.append("\(path): at most \(rMax) characters now (tighter)")
            }
        case "integer", "number":
            guard kind == .door else { return }
            if let rMax = r["maximum"]?.doubleValue, rMax < (w["maximum"]?.doubleValue ?? .infinity) {
                problems.append("\(path): at most \(rMax) now (tighter)")
            }
            if let rMin = r["minimum"]?.doubleValue, rMin > (w["minimum"]?.doubleValue ?? -.infinity) {
                problems.append("\(path): at least \(rMin) now (tighter)")
            }
        default:
            return
        }
    }

    /// Every problem an `old` release's readers and writers meet with a `new` one, for one
    /// service's `service.describe`. `readers`: per event type, what the new release's
    /// consumers require of its data (their decoders' schema; by default what it writes).
    static func problems(old: JSONValue, new: JSONValue, readers: [String: JSONValue] = [:]) -> [String] {
        var c = SchemaCompatibility()
        let service = old["service"]?.stringValue ?? "?"
        let newMethods = Dictionary(
            (new["methods"]?.arrayValue ?? []).compactMap { m in m["name"]?.stringValue.map { ($0, m) } },
            uniquingKeysWith: { a, _ in a }
        )
        for m in old["methods"]?.arrayValue ?? [] {
            guard let name = m["name"]?.stringValue else { continue }
            guard let now = newMethods[name] else {
                c.problems.append("\(service) \(name): removed (older clients call it)")
                continue
            }
            // An older client's params reach the newer service's door; its answer reaches the client.
            c.check(reader: now["params"] ?? [:], writer: m["params"] ?? [:], at: "\(name) params", as: .door, removals: false)
            c.check(reader: m["result"] ?? [:], writer: now["result"] ?? [:], at: "\(name) result", as: .decoder, removals: true)
        }
        let newEvents = Dictionary(
            (new["events"]?["emits"]?.arrayValue ?? []).compactMap { e in e["type"]?.stringValue.map { ($0, e) } },
            uniquingKeysWith: { a, _ in a }
        )
        for e in old["events"]?["emits"]?.arrayValue ?? [] {
            guard let type = e["type"]?.stringValue else { continue }
            guard let now = newEvents[type] else {
                c.problems.append("\(service) \(type): no longer emitted (its consumers wait for it)")
                continue
            }
            let oldVersion = e["version"]?.intValue ?? 1, newVersion = now["version"]?.intValue ?? 1
            if newVersion != oldVersion {
                // A new version: the producer must still send the old one to readers of it.
                let sent = now["versions"]?.arrayValue?.compactMap(\.intValue) ?? [newVersion]
                if !sent.contains(oldVersion) {
                    c.problems.append("\(type): version \(newVersion) without version \(oldVersion) sent beside it")
                }
                continue  // the versions' own tests hold the conversion to what readers of the old one read
            }
            // Both ways: an old consumer reads the new producer's data, a new consumer the old one's.
            c.check(reader: e["data"] ?? [:], writer: now["data"] ?? [:], at: "\(type) data", as: .decoder, removals: true)
            c.check(
                reader: readers[type] ?? now["data"] ?? [:],
                writer: e["data"] ?? [:],
                at: "\(type) data (old producer)",
                as: .decoder,
                removals: false
            )
        }
        return c.problems
    }
}
