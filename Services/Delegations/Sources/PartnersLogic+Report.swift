import LiaisonAPI
import LiaisonModels
import LiaisonWire

extension DelegationsLogic {
    /// The registry counted by `p.by` (default continent): every active entry, those a visit
    /// names, and the visits naming them (a visit once per row and once in the totals).
    func registryReport(_ p: RegistryReportParams) throws -> RegistryReport {
        let axis = p.by ?? .continent
        let (entries, links) = try store.read { db in try PartnerTables.registryCounts(db) }
        func key(_ country: String, _ kind: String) -> String {
            switch axis {
            case .continent: Country.named(country)?.continent.rawValue ?? "Unknown"
            case .country: country
            case .kind: kind
            }
        }
        var rows: [String: RegistryReport.Row] = [:]
        for e in entries {
            let k = key(e.country, e.kind)
            var row = rows[k] ?? RegistryReport.Row(key: k, partners: 0, withVisits: 0, visits: 0)
            row.partners += e.partners
            row.withVisits += e.withVisits
            rows[k] = row
        }
        // A row's key once per country and kind, not once per link (a hundred thousand of them).
        var keys: [String: String] = [:]
        var visitsByKey: [String: Set<String>] = [:]
        for l in links {
            let pair = l.country + "\u{1}" + l.kind
            let k = keys[pair] ?? key(l.country, l.kind)
            keys[pair] = k
            visitsByKey[k, default: []].insert(l.visit)
        }
        for (k, visits) in visitsByKey { rows[k]?.visits = visits.count }
        if axis == .country { for k in rows.keys { rows[k]?.name = Country.named(k)?.name } }
        let sorted = rows.values.sorted { ($0.partners, $1.key) > ($1.partners, $0.key) }
        let totals = RegistryReport.Row(
            key: "total",
            partners: entries.reduce(0) { $0 + $1.partners },
            withVisits: entries.reduce(0) { $0 + $1.withVisits },
            visits: Set(links.map(\.visit)).count
        )
        return RegistryReport(by: axis.rawValue, rows: sorted, totals: totals)
    }
}

extension DelegationsLogic {
    /// One of the registry's people, with their partner and visits.
    func person(_ id: String) throws -> PersonView {
        try store.read { db in
            guard let (partner, person) = try PartnerTables.person(db, id: id) else {
                throw ServiceError.notFound("person", id)
            }
            let visits = try PartnerTables.visits(db, person: id).map {
                PersonView.Visit(id: $0.id, ref: $0.ref, title: $0.draft.title, when: $0.draft.when, status: $0.status)
            }
            return PersonView(partner: partner.id, partnerName: partner.draft.name, person: person, visits: visits)
        }
    }
}
