import LiaisonAPI
import LiaisonHost
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The reports people ask of the agreements service.
extension AgreementsLogic {
    /// Agreements in force on `date`: signed, started, not ended (terminated and superseded ones
    /// count until they were replaced or ended, which we know only for those with dates).
    static func inForce(_ a: AgreementFacts, on date: LocalDate) -> Bool {
        // A date known only to the year or month counts from its first day to its last.
        guard [.signed, .active, .suspended, .expired, .superseded].contains(a.status),
            let start = a.startsOn ?? a.signedOn, start.first <= date
        else {
            return false
        }
        if let end = a.endsOn, end.last < date { return false }
        if a.status == .superseded || a.status == .expired { return a.endsOn.map { $0.last >= date } ?? false }
        return true
    }

    /// Partners and agreements grouped by continent, region, country, kind or year — of the
    /// agreements in force on a date (default today) or signed in a year — with those under
    /// negotiation alongside. Read from the agreements' columns and partner rows (5,000
    /// agreements decoded whole took 130 ms).
    func partnersReport(_ p: PartnersReportParams) throws -> PartnersReport {
        let by = p.by ?? .continent
        let (all, sites) = try store.read { db in (try AgreementsTables.facts(db), try AgreementsTables.sites(db)) }
        let date = p.activeOn ?? today
        let chosen = all.filter { a in
            if let y = p.signedIn { return a.signedOn?.year == y && ![.draft, .negotiating].contains(a.status) }
            return Self.inForce(a, on: date)
        }
        // Agreements still being discussed show beside those in force (not in a "signed in" view).
        let negotiating = p.signedIn != nil ? [] : all.filter { $0.status == .negotiating || $0.status == .draft }
        struct Group {
            var partners = Set<String>(); var agreements = Set<String>(); var negotiating = Set<String>();
            var names = Set<String>()
            var sites = Set<String>()
        }
        var groups: [String: Group] = [:]
        func keys(_ a: AgreementFacts) -> [(String, AgreementFacts.Partner)] {
            a.partners.map { p in
                let c = Country.named(p.country)
                let k: String =
                    switch by {
                    case .continent: c?.continent.rawValue ?? "Unknown"
                    case .region: c?.region ?? "Unknown"
                    case .country: "\(p.country) \(c?.name ?? "")"
                    case .kind: a.kind.rawValue
                    case .year: a.signedOn.map { String($0.year) } ?? "unsigned"
                    }
                return (k, p)
            }
        }
        for a in chosen {
            for (k, p) in keys(a) {
                groups[k, default: Group()].partners.insert(p.id ?? p.label)
                groups[k, default: Group()].agreements.insert(a.id)
                groups[k, default: Group()].names.insert(p.label)
            }
        }
        for a in negotiating {
            for (k, p) in keys(a) {
                groups[k, default: Group()].negotiating.insert(a.id)
                groups[k, default: Group()].names.insert(p.label)
            }
        }
        // Sites count where they are, whoever the partners are (a Chinese company's workstation in
        // Uganda is a Ugandan site and a Chinese partner).
        let shownSites = sites.filter { s in
            if let y = p.signedIn { return s.draft.established?.year == y }
            return s.draft.established.map { $0.first <= date } ?? true
        }
        for s in shownSites {
            let c = Country.named(s.draft.country)
            let k: String =
                switch by {
                case .continent: c?.continent.rawValue ?? "Unknown"
                case .region: c?.region ?? "Unknown"
                case .country: "\(s.draft.country.uppercased()) \(c?.name ?? "")"
                case .kind: s.draft.kind.rawValue
                case .year: s.draft.established.map { String($0.year) } ?? "unknown"
                }
            groups[k, default: Group()].sites.insert(s.id)
        }
        var siteNames: [String: String] = [:]
        for s in sites { siteNames[s.id] = "\(s.draft.name) (\(s.countryName))" }
        let ordered = groups.keys.sorted {
            (groups[$0]!.agreements.count, groups[$0]!.negotiating.count, $1) > (
                groups[$1]!.agreements.count, groups[$1]!.negotiating.count, $0
            )
        }
        return PartnersReport(
            by: by,
            counting: "partners by the partner's country; sites by the site's own country",
            activeOn: p.signedIn == nil ? date.description : nil,
            signedIn: p.signedIn,
            rows: ordered.map { k in
                let g = groups[k]!
                return PartnersReport.Row(
                    key: k,
                    partners: g.partners.count,
                    agreements: g.agreements.count,
                    negotiating: g.negotiating.count,
                    sites: g.sites.count,
                    partnerNames: g.names.sorted(),
                    siteNames: g.sites.compactMap { siteNames[$0] }.sorted()
                )
            },
            totals: PartnersReport.Totals(
                partners: Set(chosen.flatMap { $0.partners.map { $0.id ?? $0.label } }).count,
                agreements: chosen.count,
                negotiating: negotiating.count,
                sites: shownSites.count
            )
        )
    }

    /// Visits → agreements that cite them → agreements with recorded activities, per continent.
    func funnelReport() throws -> FunnelReport {
        let (counted, links) = try store.read { db in
            (try AgreementsTables.visitsByContinents(db), try AgreementsTables.ledTo(db))
        }
        struct Stage {
            var visits = 0; var cited = Set<String>(); var agreements = Set<String>(); var active = Set<String>()
        }
        var byContinent: [String: Stage] = [:]
        // A joint visit counts on each of its partners' continents (once in the totals).
        func continents(_ lead: String, _ all: String) -> Set<String> {
            Set((all.isEmpty ? [lead] : all.split(separator: ",").map(String.init)).map { $0.isEmpty ? "Unknown" : $0 })
        }
        var visits = 0
        for g in counted {
            visits += g.visits
            for c in continents(g.continent, g.continents) { byContinent[c, default: Stage()].visits += g.visits }
        }
        for l in links {
            for c in continents(l.continent, l.continents) {
                byContinent[c, default: Stage()].cited.insert(l.visit)
                byContinent[c, default: Stage()].agreements.insert(l.agreement)
                if l.active { byContinent[c, default: Stage()].active.insert(l.agreement) }
            }
        }
        func pct(_ a: Int, _ b: Int) -> Double? { b == 0 ? nil : (Double(a) / Double(b) * 1000).rounded() / 10 }
        let rows = byContinent.keys.sorted().map { c in
            let s = byContinent[c]!
            return FunnelReport.Row(
                continent: c,
                visits: s.visits,
                visitsLeadingToAgreements: s.cited.count,
                agreements: s.agreements.count,
                agreementsWithActivities: s.active.count,
                visitConversionPct: pct(s.cited.count, s.visits),
                activityPct: pct(s.active.count, s.agreements.count)
            )
        }
        // The totals count what the rows count (visits known here, not cancelled, and the
        // agreements citing them), each once: an agreement citing visits on two continents is in
        // both rows but once in the totals.
        let stages = byContinent.values
        return FunnelReport(
            rows: rows,
            totals: FunnelReport.Totals(
                visits: visits,
                visitsLeadingToAgreements: Set(stages.flatMap(\.cited)).count,
                agreementsCitingVisits: Set(stages.flatMap(\.agreements)).count,
                agreementsWithActivities: Set(stages.flatMap(\.active)).count
            )
        )
    }

    /// Active agreements with no linked visit and no activity in the last `months` months.
    func dormantReport(_ p: DormantParams) throws -> DormantReport {
        let months = p.months ?? 12
        let now = p.today ?? today
        let cutoff = now.adding(months: -months)
        let agreements = try store.read { db in try AgreementsTables.active(db) }
        var rows: [DormantReport.Row] = []
        for a in agreements {
            // As known: a visit known only to the month or year counts until that period's end.
            var known: PartialDate? = a.activities.map(\.on).max().map(PartialDate.init)
            for l in a.delegations {
                var why = ""
                // A visit's date as known (2024-10, 2020/2025), or the day of its start.
                if let s = l.startsAt,
                    let d = PartialDate.parse(s, why: &why) ?? PartialDate.parse(String(s.prefix(10)), why: &why),
                    known.map({ d.last > $0.last }) ?? true
                {
                    known = d
                }
            }
            let last = known?.last
            if let l = last, l >= cutoff { continue }
            rows.append(
                DormantReport.Row(
                    reference: a.currentReference,
                    id: a.id,
                    title: a.draft.title,
                    partners: a.draft.partners.map(\.label),
                    lastContact: last?.description,
                    lastContactKnown: known?.description,
                    since: a.draft.startsOn?.description ?? cutoff.description,
                    coordinator: a.draft.coordinator.email ?? a.draft.coordinator.name
                )
            )
        }
        return DormantReport(months: months, asOf: now.description, cutoff: cutoff.description, rows: rows)
    }

    /// Agreements ending within `days` days, with what is being done about it.
    func expiringReport(_ p: ExpiringParams) throws -> ExpiringReport {
        let days = p.days ?? 90
        let now = p.today ?? today
        let agreements = try store.read { db in
            try AgreementsTables.ending(db, from: now, until: now.adding(days: days))
        }
        let rows = agreements.compactMap { a in a.draft.endsOn?.exactDay.map { (a, $0) } }.sorted { $0.1 < $1.1 }.map {
            a,
            end in
            let notice = a.draft.noticePeriodDays.map { end.adding(days: -$0) }
            let renewal =
                a.draft.autoRenew
                ? "renews automatically"
                : (notice.map { $0 < now ? "notice deadline passed \($0)" : "decide by \($0)" } ?? "no renewal "
                    + "arranged")
            return ExpiringReport.Row(
                reference: a.currentReference,
                id: a.id,
                title: a.draft.title,
                endsOn: end.description,
                daysLeft: now.days(until: end),
                autoRenew: a.draft.autoRenew,
                renewal: renewal,
                partners: a.draft.partners.map(\.label),
                coordinator: a.draft.coordinator.email ?? a.draft.coordinator.name
            )
        }
        return ExpiringReport(days: days, asOf: now.description, rows: rows)
    }
}
