import LiaisonAPI
import LiaisonHost
import LiaisonModels
import LiaisonJSON
import LiaisonWire

/// The agreements service's methods: each contract's handler.
enum AgreementsMethods {
    static func register(_ t: inout MethodTable, logic: AgreementsLogic) {
        typealias API = AgreementsAPI
        t.add(API.create) { p, ctx in
            let (a, created) = try logic.create(p, uid: ctx.callerUID)
            return SavedAgreement(agreement: a, created: created)
        }
        t.add(API.get) { p, _ in try logic.get(p.id) }
        t.add(API.list) { p, _ in try logic.list(p) }
        t.add(API.update) { p, ctx in try logic.update(p, uid: ctx.callerUID) }
        t.add(API.negotiate) { p, ctx in try logic.simple(p, action: .negotiate, uid: ctx.callerUID) }
        t.add(API.sign) { p, ctx in try logic.sign(p, uid: ctx.callerUID) }
        t.add(API.activate) { p, ctx in try logic.activate(p, uid: ctx.callerUID) }
        t.add(API.suspend) { p, ctx in try logic.simple(p, action: .suspend, uid: ctx.callerUID) }
        t.add(API.resume) { p, ctx in try logic.simple(p, action: .resume, uid: ctx.callerUID) }
        t.add(API.terminate) { p, ctx in try logic.simple(p, action: .terminate, uid: ctx.callerUID) }
        t.add(API.renew) { p, ctx in try logic.renew(p, uid: ctx.callerUID) }
        t.add(API.amend) { p, ctx in try logic.amend(p, uid: ctx.callerUID) }
        t.add(API.addActivity) { p, ctx in try logic.addActivity(p, uid: ctx.callerUID) }
        t.add(API.linkDelegation) { p, ctx in try logic.link(p, uid: ctx.callerUID) }
        t.add(API.history) { p, _ in try logic.history(p) }
        t.add(API.sweep) { p, ctx in
            let real = logic.today
            // A day to come is for a preview: applied, it would expire agreements with years to
            // run, and nothing would undo it when that day comes.
            if let day = p.today, day > real, p.apply == true {
                throw ServiceError.invalidParams(
                    field: "today",
                    "\(day) is after today (\(real)): a sweep of a day to come is a preview only; "
                        + "apply it without today (or with a past day, to catch up)"
                )
            }
            return try logic.sweep(
                today: p.today ?? real,
                uid: ctx.callerUID,
                apply: p.today == nil || p.today == real || p.apply == true
            )
        }
        t.add(API.partnersReport) { p, _ in try logic.partnersReport(p) }
        t.add(API.funnelReport) { _, _ in try logic.funnelReport() }
        t.add(API.dormantReport) { p, _ in try logic.dormantReport(p) }
        t.add(API.expiringReport) { p, _ in try logic.expiringReport(p) }
        t.add(API.delegations) { p, _ in try logic.projected(p) }
        t.add(API.record) { p, ctx in
            let (a, created) = try logic.record(p, uid: ctx.callerUID)
            return SavedAgreement(agreement: a, created: created)
        }
        t.add(API.importStage) { p, _ in try logic.stageImport(p) }
        t.add(API.importRows) { p, ctx in try logic.importRows(p, uid: ctx.callerUID) }
        t.add(API.attach) { p, ctx in try logic.attach(p, uid: ctx.callerUID) }
        t.add(SitesAPI.create) { p, ctx in try logic.createSite(p, uid: ctx.callerUID) }
        t.add(SitesAPI.list) { p, _ in SiteList(items: try logic.sites(country: p.country)) }
        t.add(SitesAPI.get) { p, _ in try logic.site(p.id) }
    }
}
