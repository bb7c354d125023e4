import LiaisonAPI
import LiaisonModels
import LiaisonWire

extension DelegationsLogic {
    /// The registry counted by `p.by` (default continent): every active entry, those a visit
    /// names, and the visits naming them (a visit once per row and once in the totals).
    func registryReport(_ p: RegistryReportParams) throws -> RegistryReport {
        let axis = p.by ?? .continent
        func key(_ country: String, _ kind: String) -> String {
            switch axis {
            case .continent: Country.named(country)?.continent.rawValue ?? "Unknown"
            case .country: country
            case .kind: kind
            }
        }
        let (counts, visits) = try store.read { db in try PartnerTables.registryCounts(db, key: key) }
        var rows: [String: RegistryReport.Row] = [:]
        for (k, c) in counts {
            rows[k] = RegistryReport.Row(key: k, partners: c.partners, withVisits: c.withVisits, visits: c.visits)
        }
        if axis == .country { for k in rows.keys { rows[k]?.name = Country.named(k)?.name } }
        let sorted = rows.values.sorted { ($0.partners, $1.key) > ($1.partners, $0.key) }
        let totals = RegistryReport.Row(
            key: "total",
            partners: counts.values.reduce(0) { $0 + $1.partners },
            withVisits: counts.values.reduce(0) { $0 + $1.withVisits },
            visits: visits
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
