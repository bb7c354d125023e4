import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// What `liaison export` writes: the records as the rows `liaison import` reads, so that an
/// export imported into an empty home gives the same records. Rows are keyed by the record's id;
/// what a service derives (ids, references of visits, versions, times, names of countries) is
/// left out, and references between records go by key.
package struct ExportFile {
    package var rows: [String: [JSONObject]] = [:]

    package init() {}

    /// Members derived by a service, never read by an import.
    static let derived: Set<String> = [
        "id", "version", "created_at", "updated_at", "continent", "region", "country_name", "schedule_version",
        "status_label", "current_reference", "exceptions", "reschedule_reason", "postponed_reason", "merged_from",
        "merged_into", "amendments", "activities", "delegations", "cancel_reason", "ref",
    ]

    /// A record's encoding as a row: `key` its id, what services derive left out, partners named
    /// as described (name, kind, country) rather than by the registry's id.
    static func row(_ record: JSONValue) -> JSONObject {
        guard case .object(let o) = record.materialized else { return [:] }
        var out = JSONObject()
        out["key"] = o["id"]
        for m in o.members where !derived.contains(m.key) { out[m.key] = m.value }
        if case .array(let refs)? = o["partners"] {
            out["partners"] = .array(
                refs.map { ref in
                    guard case .object(var r) = ref else { return ref }
                    r["id"] = nil
                    return .object(r)
                }
            )
        }
        return out
    }

    /// Partners of the registry (merged entries left out: the entry kept stands for them).
    package mutating func add(partners: [PartnerRecord]) {
        rows["partners"] = partners.filter { $0.status != .merged }.map { p in
            var r = Self.row(JSONEncoding.encode(p))
            r["status"] = nil
            r["people"] = .array(
                p.people.map { person in
                    guard case .object(var x) = JSONEncoding.encode(person) else { return .null }
                    x["id"] = nil
                    return .object(x)
                }
            )
            return r
        }
    }

    /// Visits: a visit not yet over (confirmed, in progress, postponed) goes as proposed — an
    /// import writes history and mails nobody; the office confirms it again. A cancelled one
    /// carries its reason.
    package mutating func add(visits: [Delegation]) {
        rows["visits"] = visits.map { d in
            var r = Self.row(JSONEncoding.encode(d))
            if ![.proposed, .completed, .cancelled].contains(d.status) { r["status"] = "proposed" }
            if let reason = d.cancelReason { r["reason"] = .string(reason) }
            return r
        }
    }

    /// Agreements, with the visits they link to by key (`visits: [{visit, relation}]`).
    package mutating func add(agreements: [Agreement]) {
        rows["agreements"] = agreements.map { a in
            var r = Self.row(JSONEncoding.encode(a))
            r["visits"] = .array(
                a.delegations.map { ["visit": .string($0.delegationID), "relation": .string($0.relation)] }
            )
            return r
        }
    }

    /// Sites, naming their agreement by its row's key (the site holds its external key or id).
    package mutating func add(sites: [Site], of agreements: [Agreement]) {
        rows["sites"] = sites.map { site in
            var r = Self.row(JSONEncoding.encode(site))
            r["agreement_id"] = nil
            r["agreement_reference"] = nil
            if let named = site.draft.agreement,
                let a = agreements.first(where: { $0.draft.externalKey == named || $0.id == named })
            {
                r["agreement"] = .string(a.id)
            }
            return r
        }
    }

    /// The JSON document `import -f` reads, of `sections` (people are inside their records,
    /// unless asked for alone).
    package func json(_ sections: [String]) -> JSONValue {
        var o = JSONObject()
        for s in sections {
            if s == "people" { o[s] = .array(people.map(JSONValue.object)) }
            if let list = rows[s] { o[s] = .array(list.map(JSONValue.object)) }
        }
        return .object(o)
    }

    /// The people sheet: each visit's members and hosts, each partner's contacts.
    package var people: [JSONObject] {
        var out: [JSONObject] = []
        func objects(_ v: JSONValue?) -> [JSONObject] {
            guard case .array(let items)? = v else { return [] }
            return items.compactMap(\.objectValue)
        }
        for v in rows["visits"] ?? [] {
            for (role, list) in [("member", "members"), ("host", "hosts")] {
                for m in objects(v[list]) {
                    var p = m
                    p["visit"] = v["key"]
                    p["as"] = .string(role)
                    if case .object(let needs)? = m["needs"] {
                        p["needs"] = nil
                        for n in needs.members { p[n.key] = n.value == .bool(true) ? "yes" : n.value }
                    }
                    if m["interpreter"] == .bool(true) { p["interpreter"] = "yes" }
                    out.append(p)
                }
            }
        }
        for partner in rows["partners"] ?? [] {
            for c in objects(partner["people"]) {
                var p = c
                p["partner"] = partner["key"]
                p["as"] = "contact"
                out.append(p)
            }
        }
        return out
    }

    /// The columns `import` reads from a CSV export of each section.
    package static let columns: [String: [String]] = [
        "partners": ["key", "name", "name_local", "kind", "country", "city", "website", "notes"],
        "visits": [
            "key", "title", "direction", "partners", "partner_kind", "country", "date", "starts_at", "ends_at",
            "time_zone", "status", "reason", "purpose", "topics", "group", "group_count", "group_role", "outcome",
            "notes", "external_key",
        ],
        "agreements": [
            "key", "reference", "title", "kind", "partners", "partner_kind", "country", "status", "signed_on",
            "starts_on", "ends_on", "coordinator_name", "coordinator_email", "focus_areas", "visits", "notes",
            "external_key",
        ],
        "sites": ["key", "name", "kind", "country", "agreement", "partners", "established", "notes", "external_key"],
        "people": ImportFile.peopleColumns,
    ]

    /// One section as CSV (RFC 4180, CRLF, UTF-8 with a byte-order mark for spreadsheets): lists
    /// joined with `;`, partners by name (with the lead's kind and country), the first group.
    package func csv(_ section: String) -> String {
        let columns = Self.columns[section] ?? []
        var lines = [columns.joined(separator: ",")]
        for r in section == "people" ? people : rows[section] ?? [] {
            lines.append(columns.map { CSV.field(Self.cell(r, $0)) }.joined(separator: ","))
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }

    static func cell(_ r: JSONObject, _ column: String) -> String {
        func objects(_ key: String) -> [JSONObject] {
            guard case .array(let items)? = r[key] else { return [] }
            return items.compactMap(\.objectValue)
        }
        func texts(_ key: String) -> String {
            guard case .array(let items)? = r[key] else { return "" }
            return items.compactMap { if case .string(let s) = $0 { s } else { nil } }.joined(separator: ";")
        }
        let partners = objects("partners")
        let lead = partners.first { $0["lead"] == true } ?? partners.first
        let group = objects("groups").first
        let coordinator: JSONObject? = if case .object(let o)? = r["coordinator"] { o } else { nil }
        switch column {
        case "partners": return partners.compactMap { $0.text("name") }.joined(separator: ";")
        case "partner" where r["as"] != nil: return r.text("partner") ?? ""
        case "partner_kind": return lead?.text("kind") ?? ""
        case "country" where !partners.isEmpty && r["name"] == nil: return lead?.text("country") ?? ""
        case "topics", "focus_areas", "languages": return texts(column)
        case "visits": return objects("visits").compactMap { $0.text("visit") }.joined(separator: ";")
        case "group": return group?.text("description") ?? ""
        case "group_count": return group?["count"].flatMap { if case .int(let n) = $0 { String(n) } else { nil } } ?? ""
        case "group_role": return group?.text("role") ?? ""
        case "coordinator_name": return coordinator?.text("name") ?? ""
        case "coordinator_email": return coordinator?.text("email") ?? ""
        default:
            switch r[column] {
            case .string(let s)?: return s
            case .int(let n)?: return String(n)
            case .bool(let b)?: return b ? "yes" : "no"
            default: return ""
            }
        }
    }
}
