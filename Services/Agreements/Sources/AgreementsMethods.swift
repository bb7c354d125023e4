import LiaisonHost
import LiaisonModels
import LiaisonWire

/// The agreements service's methods.
enum AgreementsMethods {
    static func register(_ t: inout MethodTable, logic: AgreementsLogic) {
        t.add("agreements.create", "Stores a new agreement (status draft).") { (p: AgreementDraft, ctx) in
            let (a, created) = try logic.create(p, uid: ctx.callerUID)
            return SavedAgreement(agreement: a, created: created)
        }
        t.add("agreements.get", "One agreement by id or reference.") { (p: IDParams, _) in try logic.get(p.id) }
        t.add("agreements.list", "Agreements by status, kind, partner country or continent, or words.") { (p: ListParams, _) in
            try logic.list(p)
        }
        t.add("agreements.update", "Replaces fields of a draft or negotiating agreement (after signing, changes are amendments).") {
            (p: UpdateParams, ctx) in try logic.update(p, uid: ctx.callerUID)
        }
        t.add("agreements.negotiate", "draft → negotiating.") { (p: TransitionParams, ctx) in
            try logic.simple(p, action: .negotiate, uid: ctx.callerUID)
        }
        t.add("agreements.sign", "→ signed (signed_on, signatories); active at once if its start has come. Emits agreement.signed.") {
            (p: TransitionParams, ctx) in try logic.sign(p, uid: ctx.callerUID)
        }
        t.add("agreements.activate", "signed → active (normally automatic on starts_on). Emits agreement.activated.") {
            (p: TransitionParams, ctx) in try logic.activate(p, uid: ctx.callerUID)
        }
        t.add("agreements.suspend", "active → suspended; reason required.") { (p: TransitionParams, ctx) in
            try logic.simple(p, action: .suspend, uid: ctx.callerUID)
        }
        t.add("agreements.resume", "suspended → active.") { (p: TransitionParams, ctx) in
            try logic.simple(p, action: .resume, uid: ctx.callerUID)
        }
        t.add("agreements.terminate", "→ terminated; reason required. Emits agreement.terminated.") { (p: TransitionParams, ctx) in
            try logic.simple(p, action: .terminate, uid: ctx.callerUID)
        }
        t.add(
            "agreements.renew",
            "A successor agreement for a new term, linked to this one, which becomes superseded. Emits agreement.renewed."
        ) {
            (p: RenewParams, ctx) in try logic.renew(p, uid: ctx.callerUID)
        }
        t.add(
            "agreements.amend", "A numbered amendment to a signed agreement: the changed fields and a summary; the reference gains -A<n>."
        ) {
            (p: AmendParams, ctx) in try logic.amend(p, uid: ctx.callerUID)
        }
        t.add("agreements.add_activity", "Records an activity or outcome (exchange, visit, workshop, research, outcome, other).") {
            (p: ActivityParams, ctx) in try logic.addActivity(p, uid: ctx.callerUID)
        }
        t.add(
            "agreements.link_delegation", "Links a delegation (known here from its events) that led to the agreement or followed from it."
        ) {
            (p: LinkParams, ctx) in try logic.link(p, uid: ctx.callerUID)
        }
        t.add("agreements.history", "Every change: when, by which uid, what.") { (p: IDParams, _) in try logic.history(p.id) }
        t.add(
            "agreements.sweep",
            "Applies the dates as of today: activations, expiries, auto-renewals, expiring notices; with another today it only "
                + "previews (what would change, which notices would go) unless apply."
        ) {
            (p: SweepParams, ctx) in
            let real = logic.today
            return try logic.sweep(today: p.today ?? real, uid: ctx.callerUID, apply: p.today == nil || p.today == real || p.apply == true)
        }
        t.add(
            "agreements.report.partners",
            "Partners and agreements by continent, region, country, kind or year (in force on a date, or signed in a year)."
        ) {
            (p: PartnersParams, _) in try logic.partnersReport(p)
        }
        t.add("agreements.report.funnel", "Visits → agreements citing them → agreements with activities, per continent.") {
            (_: NoParams, _) in
            try logic.funnelReport()
        }
        t.add("agreements.report.dormant", "Active agreements with no linked visit or activity in N months (default 12).") {
            (p: DormantParams, _) in try logic.dormantReport(p)
        }
        t.add("agreements.report.expiring", "Agreements ending within N days (default 90) and their renewal status.") {
            (p: ExpiringParams, _) in try logic.expiringReport(p)
        }
        t.add("agreements.delegations", "The local projection of delegations (from events): id, title, partner, country, dates, status.") {
            (p: ProjectionParams, _) in try logic.projected(p)
        }
        t.add(
            "agreements.record",
            "Records an agreement as it stands or ended (history: imports, the demo); emits agreement.recorded, on which nothing is mailed."
        ) { (p: AgreementRecordParams, ctx) in
            let (a, created) = try logic.record(p, uid: ctx.callerUID)
            return SavedAgreement(agreement: a, created: created)
        }
        t.add(
            "agreements.import",
            "Agreements and sites from a file, all or nothing: every problem by section, row and field; dry_run writes nothing."
        ) { (p: AgreementsImportParams, ctx) in try logic.importRows(p, uid: ctx.callerUID) }
        t.add("agreements.attach", "Adds a document's fingerprint (SHA-256, name, size, media type of the file), kept in the history.") {
            (p: AttachParams, ctx) in try logic.attach(p, uid: ctx.callerUID)
        }
        t.add("sites.create", "Records a place of BIT's own abroad (a workstation, an office) with its country and agreement.") {
            (p: SiteDraft, ctx) in try logic.createSite(p, uid: ctx.callerUID)
        }
        t.add("sites.list", "BIT's sites abroad, by name.") { (p: SiteListParams, _) in SiteList(items: try logic.sites(country: p.country))
        }
        t.add("sites.get", "One site by id or external key.") { (p: SiteIDParams, _) in try logic.site(p.id) }
        t.classify(
            .read, "agreements.get", "agreements.list", "agreements.history", "agreements.report.partners", "agreements.report.funnel",
            "agreements.report.dormant", "agreements.report.expiring", "agreements.delegations", "sites.list", "sites.get")
        t.classify(.operate, "agreements.sweep")
    }
}
