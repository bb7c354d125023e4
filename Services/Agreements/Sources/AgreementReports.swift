import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire

/// The reports people ask of the agreements service.
extension AgreementsLogic {
    /// Agreements in force on `date`: signed, started, not ended (terminated and superseded ones
    /// count until they were replaced or ended, which we know only for those with dates).
    static func inForce(_ a: Agreement, on date: LocalDate) -> Bool {
        guard [.signed, .active, .suspended, .expired, .superseded].contains(a.status), let start = a.draft.startsOn, start <= date else { return false }
        if let end = a.draft.endsOn, end < date { return false }
        if a.status == .superseded || a.status == .expired { return a.draft.endsOn.map { $0 >= date } ?? false }
        return true
    }

    /// Partners and agreements grouped by continent, region, country, kind or year — of the
    /// agreements in force on a date (default today) or signed in a year — with those under
    /// negotiation alongside.
    package func partnersReport(by: String, activeOn: LocalDate?, signedIn: Int?) throws -> JSONValue {
        guard ["continent", "region", "country", "kind", "year"].contains(by) else {
            throw ServiceError.invalidParams(field: "by", "one of continent, region, country, kind, year")
        }
        let all = try store.read { db in try AgreementTables.loadAll(db) }
        let date = activeOn ?? today
        let chosen = all.filter { a in
            if let y = signedIn { return a.draft.signedOn?.year == y && ![.draft, .negotiating].contains(a.status) }
            return Self.inForce(a, on: date)
        }
        // Agreements still being discussed show beside those in force (not in a "signed in" view).
        let negotiating = signedIn != nil ? [] : all.filter { $0.status == .negotiating || $0.status == .draft }
        struct Row { var partners = Set<String>(); var agreements = Set<String>(); var negotiating = Set<String>(); var names = Set<String>() }
        var rows: [String: Row] = [:]
        func keys(_ a: Agreement) -> [(String, AgreementPartner)] {
            a.draft.partners.map { p in
                let c = Country.named(p.country)
                let k: String = switch by {
                case "continent": c?.continent.rawValue ?? "Unknown"
                case "region": c?.region ?? "Unknown"
                case "country": "\(p.country.uppercased()) \(c?.name ?? "")"
                case "kind": a.draft.kind.rawValue
                default: a.draft.signedOn.map { String($0.year) } ?? "unsigned"
                }
                return (k, p)
            }
        }
        for a in chosen {
            for (k, p) in keys(a) {
                rows[k, default: Row()].partners.insert(p.name)
                rows[k, default: Row()].agreements.insert(a.id)
                rows[k, default: Row()].names.insert(p.nameLocal.map { "\(p.name) (\($0))" } ?? p.name)
            }
        }
        for a in negotiating {
            for (k, p) in keys(a) {
                rows[k, default: Row()].negotiating.insert(a.id)
                rows[k, default: Row()].names.insert(p.nameLocal.map { "\(p.name) (\($0))" } ?? p.name)
            }
        }
        let ordered = rows.keys.sorted { (rows[$0]!.agreements.count, rows[$0]!.negotiating.count, $1) > (rows[$1]!.agreements.count, rows[$1]!.negotiating.count, $0) }
        return [
            "by": .string(by), "active_on": signedIn == nil ? .string(date.description) : .null, "signed_in": signedIn.map { .int(Int64($0)) } ?? .null,
            "rows": .array(ordered.map { k in
                let r = rows[k]!
                return ["key": .string(k), "partners": .int(Int64(r.partners.count)), "agreements": .int(Int64(r.agreements.count)),
                        "negotiating": .int(Int64(r.negotiating.count)), "partner_names": .array(r.names.sorted().map { .string($0) })]
            }),
            "totals": ["partners": .int(Int64(Set(chosen.flatMap { $0.draft.partners.map(\.name) }).count)), "agreements": .int(Int64(chosen.count)),
                       "negotiating": .int(Int64(negotiating.count))],
        ]
    }

    /// Visits → agreements that cite them → agreements with recorded activities, per continent.
    package func funnelReport() throws -> JSONValue {
        try store.read { db in
            let visits = try db.query("SELECT id, continent FROM delegation_projection WHERE status NOT IN ('cancelled')")
            let agreements = try AgreementTables.loadAll(db)
            var byContinent: [String: (visits: Set<String>, cited: Set<String>, agreements: Set<String>, active: Set<String>)] = [:]
            var continentOf: [String: String] = [:]
            for v in visits {
                let c = v.string(1)!.isEmpty ? "Unknown" : v.string(1)!
                continentOf[v.string(0)!] = c
                byContinent[c, default: ([], [], [], [])].visits.insert(v.string(0)!)
            }
            for a in agreements {
                for l in a.delegations where l.relation == "led_to" {
                    guard let c = continentOf[l.delegationID] else { continue }
                    byContinent[c, default: ([], [], [], [])].cited.insert(l.delegationID)
                    byContinent[c, default: ([], [], [], [])].agreements.insert(a.id)
                    if !a.activities.isEmpty { byContinent[c, default: ([], [], [], [])].active.insert(a.id) }
                }
            }
            func pct(_ a: Int, _ b: Int) -> JSONValue { b == 0 ? .null : .double((Double(a) / Double(b) * 1000).rounded() / 10) }
            let rows: [JSONValue] = byContinent.keys.sorted().map { c in
                let r = byContinent[c]!
                return ["continent": .string(c), "visits": .int(Int64(r.visits.count)), "visits_leading_to_agreements": .int(Int64(r.cited.count)),
                        "agreements": .int(Int64(r.agreements.count)), "agreements_with_activities": .int(Int64(r.active.count)),
                        "visit_conversion_pct": pct(r.cited.count, r.visits.count), "activity_pct": pct(r.active.count, r.agreements.count)]
            }
            let cited = Set(agreements.flatMap { $0.delegations.filter { $0.relation == "led_to" }.map(\.delegationID) })
            let citing = agreements.filter { $0.delegations.contains { $0.relation == "led_to" } }
            return ["rows": .array(rows),
                    "totals": ["visits": .int(Int64(visits.count)), "visits_leading_to_agreements": .int(Int64(cited.intersection(continentOf.keys).count)),
                               "agreements_citing_visits": .int(Int64(citing.count)),
                               "agreements_with_activities": .int(Int64(citing.filter { !$0.activities.isEmpty }.count))]]
        }
    }

    /// Active agreements with no linked visit and no activity in the last `months` months.
    package func dormantReport(months: Int, today date: LocalDate?) throws -> JSONValue {
        let now = date ?? today
        let cutoff = now.adding(months: -months)
        let agreements = try store.read { db in try AgreementTables.loadAll(db, where: "status = 'active'") }
        var rows: [JSONValue] = []
        for a in agreements {
            var last: LocalDate? = a.activities.map(\.on).max()
            for l in a.delegations {
                var why = ""
                if let s = l.startsAt, let d = LocalDate.parse(String(s.prefix(10)), why: &why) { last = max(last ?? d, d) }
            }
            if let l = last, l >= cutoff { continue }
            rows.append(["reference": .string(a.currentReference), "id": .string(a.id), "title": .string(a.draft.title),
                         "partners": .array(a.draft.partners.map { .string($0.name) }), "last_contact": last.map { .string($0.description) } ?? .null,
                         "since": .string((a.draft.startsOn ?? cutoff).description), "coordinator": .string(a.draft.coordinator.email)])
        }
        return ["months": .int(Int64(months)), "as_of": .string(now.description), "cutoff": .string(cutoff.description), "rows": .array(rows)]
    }

    /// Agreements ending within `days` days, with what is being done about it.
    package func expiringReport(days: Int, today date: LocalDate?) throws -> JSONValue {
        let now = date ?? today
        let until = now.adding(days: days)
        let agreements = try store.read { db in
            try AgreementTables.loadAll(db, where: "status IN ('signed','active','suspended') AND ends_on IS NOT NULL AND ends_on >= ? AND ends_on <= ?",
                                        [now.description, until.description])
        }
        return ["days": .int(Int64(days)), "as_of": .string(now.description), "rows": .array(agreements.sorted { $0.draft.endsOn! < $1.draft.endsOn! }.map { a in
            let end = a.draft.endsOn!
            let notice = a.draft.noticePeriodDays.map { end.adding(days: -$0) }
            let renewal = a.draft.autoRenew ? "renews automatically" : (notice.map { $0 < now ? "notice deadline passed \($0)" : "decide by \($0)" } ?? "no renewal arranged")
            return ["reference": .string(a.currentReference), "id": .string(a.id), "title": .string(a.draft.title), "ends_on": .string(end.description),
                    "days_left": .int(Int64(now.days(until: end))), "auto_renew": .bool(a.draft.autoRenew), "renewal": .string(renewal),
                    "partners": .array(a.draft.partners.map { .string($0.name) }), "coordinator": .string(a.draft.coordinator.email)]
        })]
    }
}
