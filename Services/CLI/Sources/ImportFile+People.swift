import LiaisonJSON
import LiaisonWire

/// The people sheet: members and hosts of visits and contacts of partners as rows of their own,
/// tied by key (`visit`, `partner`), which an import puts into the rows they belong to.
extension ImportFile {
    /// The columns of the people sheet.
    package static let peopleColumns = [
        "visit", "partner", "as", "name", "name_local", "title", "role", "email", "phone", "unit", "languages",
        "dietary", "accessibility", "interpreter",
    ]

    /// A people row from its cells: languages split at `;`, the rest as text.
    static func personRow(_ c: [String: String]) -> JSONObject {
        var o = JSONObject()
        for k in peopleColumns {
            guard let v = c[k] else { continue }
            o[k] =
                k == "languages"
                ? .array(v.split(separator: ";").map { .string($0.trimmingCharacters(in: .whitespaces)) }) : .string(v)
        }
        return o
    }

    /// Puts each people row into its visit (`as` member, the default with a visit, or host) or its
    /// partner (`as` contact, the default without a visit); a key no row of the import has is a
    /// problem of the people row.
    package mutating func mergePeople() {
        let people = self["people"]
        guard !people.isEmpty else { return }
        func index(_ section: String) -> [String: Int] {
            Dictionary(self[section].enumerated().compactMap { i, r in r.text("key").map { ($0, i) } }) { a, _ in a }
        }
        let visits = index("visits"), partners = index("partners")
        for (i, p) in people.enumerated() {
            if let (field, message) = place(p, visits: visits, partners: partners) {
                problems.append(
                    Problem(section: "people", index: i, key: p.text("name"), field: field, message: message)
                )
            }
        }
        rows["people"] = nil
    }

    /// Puts one people row where it belongs; the field and message of what is wrong, if anything.
    private mutating func place(
        _ p: JSONObject,
        visits: [String: Int],
        partners: [String: Int]
    ) -> (String, String)? {
        let role = p.text("as") ?? (p.text("visit") != nil ? "member" : "contact")
        switch role {
        case "member", "host":
            guard let key = p.text("visit") else { return ("visit", "a \(role) needs the key of their visit") }
            guard let v = visits[key] else { return ("visit", "\"\(key)\" is no visit of this import") }
            let list = role == "host" ? "hosts" : "members"
            rows["visits"]![v].append(.object(role == "host" ? Self.host(p) : Self.member(p)), to: list)
        case "contact":
            guard let key = p.text("partner") else { return ("partner", "a contact needs the key of their partner") }
            guard let at = partners[key] else { return ("partner", "\"\(key)\" is no partner of this import") }
            rows["partners"]![at].append(.object(Self.contact(p)), to: "people")
        default:
            return ("as", "\"\(role)\" is not one of member, host, contact")
        }
        return nil
    }

    private static func copy(_ p: JSONObject, _ keys: [String]) -> JSONObject {
        var o = JSONObject()
        for k in keys { if let v = p[k] { o[k] = v } }
        return o
    }

    static func member(_ p: JSONObject) -> JSONObject {
        var m = copy(p, ["name", "name_local", "title", "role", "email", "phone", "languages", "partner"])
        var needs = copy(p, ["dietary", "accessibility"])
        if let i = p.text("interpreter"), ["yes", "true", "1"].contains(i.lowercased()) { needs["interpreter"] = true }
        if needs.count > 0 { m["needs"] = .object(needs) }
        return m
    }

    static func host(_ p: JSONObject) -> JSONObject {
        var h = copy(p, ["name", "name_local", "email", "unit", "phone", "languages"])
        if let i = p.text("interpreter"), ["yes", "true", "1"].contains(i.lowercased()) { h["interpreter"] = true }
        return h
    }

    static func contact(_ p: JSONObject) -> JSONObject {
        copy(p, ["name", "name_local", "title", "role", "email", "phone"])
    }
}

extension JSONObject {
    /// Appends `item` to the list under `key` (made when absent).
    mutating func append(_ item: JSONValue, to key: String) {
        var items: [JSONValue] = if case .array(let a)? = self[key] { a } else { [] }
        items.append(item)
        self[key] = .array(items)
    }
}
