import Foundation
import LiaisonJSON
import LiaisonWire

/// What `liaison import` reads: partners, visits, agreements and sites as rows, from JSON files
/// (an object with those four lists) or CSV exports (one section per file, or a `record`
/// column naming each row's section), with keys tying rows together.
package struct ImportFile {
    package static let sections = ["partners", "visits", "agreements", "sites", "people"]

    package struct Problem: Equatable {
        package var section: String
        package var index: Int
        package var key: String?
        package var field, message: String
    }

    package var rows: [String: [JSONObject]] = [:]
    package var problems: [Problem] = []
    /// Where each row came from, beside `rows`: `visits.csv row 5` (as a spreadsheet numbers
    /// rows, the header being row 1) or `trip.json visits 3`.
    package var origins: [String: [String]] = [:]

    /// Where row `index` of `section` came from.
    package func origin(_ section: String, _ index: Int) -> String? {
        guard let list = origins[section], list.indices.contains(index) else { return nil }
        return list[index]
    }

    private mutating func append(_ section: String, _ row: JSONObject, from origin: String) {
        rows[section, default: []].append(row)
        origins[section, default: []].append(origin)
    }

    package init() {}

    package subscript(section: String) -> [JSONObject] { rows[section] ?? [] }

    /// Adds the rows of a JSON document `{partners: [...], visits: [...], agreements: [...], sites: [...]}`.
    package mutating func add(json v: JSONValue, file: String) throws {
        guard case .object(let o) = v else {
            throw ImportError("\(file): expected a JSON object with partners, visits, agreements or sites")
        }
        let unknown = o.keys.filter { !Self.sections.contains($0) }
        if let k = unknown.first {
            throw ImportError("\(file): unknown section \"\(k)\" (expected \(Self.sections.joined(separator: ", ")))")
        }
        for s in Self.sections {
            guard let list = o[s] else { continue }
            guard case .array(let items) = list else { throw ImportError("\(file): \(s) must be a list of rows") }
            for (i, item) in items.enumerated() {
                guard case .object(let row) = item else {
                    problems.append(
                        Problem(
                            section: s,
                            index: (rows[s]?.count ?? 0),
                            key: nil,
                            field: "",
                            message: "\(file) \(s) \(i + 1) is not an object"
                        )
                    )
                    continue
                }
                append(s, row, from: "\(file) \(s) \(i + 1)")
            }
        }
    }

    /// Adds the rows of a CSV export: the header names the columns (see `columns`); `section`
    /// says what the rows are unless a `record` column says it per row.
    package mutating func add(csv text: String, file: String, section: String?) throws {
        let records: [[String]]
        do { records = try CSV.parse(text) } catch { throw ImportError("\(file): \(error)") }
        guard let header = records.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else { return }
        let perRow = header.contains("record")
        guard perRow || section != nil else {
            throw ImportError(
                "\(file): say what the rows are with --as partners|visits|agreements|sites, "
                    + "or add a record column naming each row's section"
            )
        }
        for (n, r) in records.dropFirst().enumerated() {
            var cells: [String: String] = [:]
            for (i, name) in header.enumerated() where i < r.count {
                let v = CSV.unguarded(r[i].trimmingCharacters(in: .whitespacesAndNewlines))
                if !v.isEmpty { cells[name] = v }
            }
            let s = perRow ? (cells.removeValue(forKey: "record").map { $0.lowercased() } ?? "") : section!
            let index = rows[s]?.count ?? 0
            guard Self.sections.contains(s) else {
                problems.append(
                    Problem(
                        section: s,
                        index: n,
                        key: cells["key"],
                        field: "record",
                        message: "\(file) row \(n + 2): not one of \(Self.sections.joined(separator: ", "))"
                    )
                )
                continue
            }
            if r.count > header.count {
                problems.append(
                    Problem(
                        section: s,
                        index: index,
                        key: cells["key"],
                        field: "",
                        message: "\(file) row \(n + 2): more cells than columns"
                    )
                )
            }
            append(s, Self.row(s, cells), from: "\(file) row \(n + 2)")
        }
    }

    /// The JSON row of a CSV row of `section`: lists split at `;`, numbers read, the partner
    /// columns turned into partner references.
    static func row(_ section: String, _ c: [String: String]) -> JSONObject {
        if section == "people" { return personRow(c) }
        var o: JSONObject = [:]
        let lists: Set<String> = ["topics", "focus_areas", "visits"]
        let numbers: Set<String> = ["group_count", "notice_period_days", "places_per_year"]
        for (k, v) in c.sorted(by: { $0.key < $1.key }) {
            // Columns that describe the partners, the group or the coordinator are gathered below.
            let partnerColumn =
                ["partners", "partner", "partner_kind"].contains(k) || (k == "country" && section != "sites")
            if section != "partners" && partnerColumn { continue }
            if ["group", "group_count", "group_role", "coordinator_name", "coordinator_email"].contains(k) { continue }
            if lists.contains(k) {
                o[k] = .array(v.split(separator: ";").map { .string($0.trimmingCharacters(in: .whitespaces)) })
            } else if numbers.contains(k), let n = Int64(v) {
                o[k] = .int(n)
            } else if k == "auto_renew" {
                o[k] = .bool(["yes", "true", "1"].contains(v.lowercased()))
            } else {
                o[k] = .string(v)
            }
        }
        if section != "partners" {
            let names =
                (c["partners"] ?? c["partner"]).map {
                    $0.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                } ?? []
            if !names.isEmpty {
                o["partners"] = .array(
                    names.enumerated().map { i, n in
                        var p: JSONObject = ["partner": .string(n)]
                        if let k = c["partner_kind"] { p["kind"] = .string(k) }
                        if let cc = c["country"], section != "sites" { p["country"] = .string(cc) }
                        if section == "visits" && names.count > 1 && i == 0 { p["lead"] = true }
                        return .object(p)
                    }
                )
            }
        }
        if let g = c["group"] {
            var group: JSONObject = ["description": .string(g)]
            if let n = c["group_count"].flatMap({ Int64($0) }) { group["count"] = .int(n) }
            if let r = c["group_role"] { group["role"] = .string(r) }
            o["groups"] = [.object(group)]
        }
        if let name = c["coordinator_name"] ?? c["coordinator_email"] {
            var co: JSONObject = ["name": .string(name)]
            if let e = c["coordinator_email"] { co["email"] = .string(e) }
            o["coordinator"] = .object(co)
        }
        if let v = o["visits"], case .array(let keys) = v { o["visits"] = .array(keys.map { ["visit": $0] }) }
        return o
    }

    /// Replaces references to partners of this import (by key, or by a name given in its
    /// partners) with what the registry needs to find or register them, references to visits
    /// by `visit_keys`, and sites' agreement keys by the agreements' external keys.
    package mutating func resolveKeys() {
        var partners: [String: JSONObject] = [:]
        for p in self["partners"] {
            var described = p
            for k in ["key", "people", "notes", "parent"] { described[k] = nil }
            if let key = p.text("key") { partners[key] = described }
            if let name = p.text("name") { partners[name] = partners[name] ?? described }
        }
        for s in ["visits", "agreements", "sites"] {
            for i in self[s].indices {
                var row = rows[s]![i]
                guard case .array(let refs)? = row["partners"] else { continue }
                var out: [JSONValue] = []
                for (j, ref) in refs.enumerated() {
                    guard case .object(var r) = ref, let name = r.text("partner") else {
                        out.append(ref)
                        continue
                    }
                    r["partner"] = nil
                    if name.hasPrefix("par-") {
                        r["id"] = .string(name)
                    } else if let p = partners[name] {
                        for m in p.members where r[m.key] == nil || m.key == "name" { r[m.key] = m.value }
                    } else if r["kind"] != nil && r["country"] != nil {
                        r["name"] = .string(name)
                    } else {
                        problems.append(
                            Problem(
                                section: s,
                                index: i,
                                key: row.text("key"),
                                field: "partners[\(j)]",
                                message:
                                    "\"\(name)\" is no partner of this import: give its key, a registry id (par-…), "
                                    + "or kind and country"
                            )
                        )
                    }
                    out.append(.object(r))
                }
                row["partners"] = .array(out)
                // Members and groups name their partner by key too.
                for list in ["members", "groups"] {
                    guard case .array(let items)? = row[list] else { continue }
                    row[list] = .array(
                        items.map { item in
                            guard case .object(var m) = item, let k = m.text("partner"), let p = partners[k] else {
                                return item
                            }
                            m["partner"] = p["name"]
                            return .object(m)
                        }
                    )
                }
                rows[s]![i] = row
            }
        }
        let agreementKeys = Dictionary(
            self["agreements"].compactMap { a in a.text("key").map { ($0, a.text("external_key") ?? "import:" + $0) } },
            uniquingKeysWith: { a, _ in a }
        )
        for i in self["sites"].indices {
            if let k = rows["sites"]![i].text("agreement"), let ext = agreementKeys[k] {
                rows["sites"]![i]["agreement"] = .string(ext)
            }
        }
        let visitKeys = Set(self["visits"].compactMap { $0.text("key") })
        for (i, a) in self["agreements"].enumerated() {
            guard case .array(let links)? = a["visits"] else { continue }
            for (j, l) in links.enumerated() {
                guard let k = l.text("visit"), !visitKeys.contains(k) else { continue }
                problems.append(
                    Problem(
                        section: "agreements",
                        index: i,
                        key: a.text("key"),
                        field: "visits[\(j)]",
                        message: "\"\(k)\" is no visit of this import"
                    )
                )
            }
        }
    }

    /// The agreements' rows with their `visits` (keys) as `links` to the imported visits' ids.
    /// The keys of the visits the agreements link to.
    package var visitKeysOfAgreements: [String] {
        self["agreements"].flatMap { a -> [String] in
            guard case .array(let links)? = a["visits"] else { return [] }
            return links.compactMap { $0.objectValue?.text("visit") }
        }
    }

    package func agreementRows(visitIDs: [String: String]) -> [JSONValue] {
        self["agreements"].map { a in
            var o = a
            o["visits"] = nil
            if case .array(let links)? = a["visits"] {
                o["links"] = .array(
                    links.compactMap { l in
                        guard let id = l.text("visit").flatMap({ visitIDs[$0] }) else { return nil }
                        var link: JSONObject = ["delegation_id": .string(id)]
                        if let r = l["relation"] { link["relation"] = r }
                        return .object(link)
                    }
                )
            }
            return .object(o)
        }
    }
}

package struct ImportError: Error, CustomStringConvertible {
    package var description: String
    init(_ d: String) { description = d }
}

extension JSONObject {
    /// An import row's cell as text (nil when absent or not text): rows are what a spreadsheet
    /// or a file gives, read cell by cell before the services check them against their types.
    func text(_ key: String) -> String? {
        guard case .string(let s)? = self[key] else { return nil }
        return s
    }
}

extension JSONValue {
    /// A cell of an object value as text (nil when absent or not text).
    func text(_ key: String) -> String? { objectValue?.text(key) }
}
