import LiaisonAPI
import LiaisonJSON
import LiaisonHost
import LiaisonModels
import LiaisonWire

/// The delegations service's methods: each contract's handler.
enum DelegationsMethods {
    static func register(_ t: inout MethodTable, logic: DelegationsLogic) {
        typealias API = DelegationsAPI
        t.add(API.create) { p, ctx in
            let (d, f, created) = try logic.create(p, uid: ctx.callerUID)
            return SavedDelegation(delegation: d, found: f, created: created)
        }
        // One row by its key, read on the loop; the stored document is the delegation as
        // encoded: it is sent as it is.
        t.add(API.get, execution: .inline) { p, _ in StoredJSON<Delegation>(try logic.document(p.id)) }
        t.add(API.list) { p, _ in try logic.list(p) }
        t.add(API.export) { p, _ in
            let limit = p.limit ?? 200
            let rows = try logic.store.read { db in
                try DelegationsTables.export(db, after: p.cursor ?? "", limit: limit + 1)
            }
            return Page(rows, limit: limit) { $0.id }
        }
        t.add(API.update) { p, ctx in try logic.update(p, uid: ctx.callerUID) }
        t.add(API.confirm) { p, ctx in try logic.confirm(p, uid: ctx.callerUID) }
        t.add(API.reschedule) { p, ctx in try logic.reschedule(p, uid: ctx.callerUID) }
        t.add(API.cancel) { p, ctx in try logic.cancel(p, uid: ctx.callerUID) }
        t.add(API.postpone) { p, ctx in try logic.postpone(p, uid: ctx.callerUID) }
        t.add(API.start) { p, ctx in try logic.start(p, uid: ctx.callerUID) }
        t.add(API.complete) { p, ctx in try logic.complete(p, uid: ctx.callerUID) }
        t.add(API.check) { p, _ in try logic.check(draft: p.draft, id: p.id) }
        t.add(API.history) { p, _ in try logic.history(p) }
        t.add(API.record) { p, ctx in
            let (d, f, created) = try logic.record(p, uid: ctx.callerUID)
            return SavedDelegation(delegation: d, found: f, created: created)
        }
        t.add(API.importRows) { p, ctx in try logic.importRows(p, uid: ctx.callerUID) }
        t.add(API.importStage) { p, _ in try logic.stageImport(p) }
        t.add(API.retention) { p, ctx in try logic.retention(p, uid: ctx.callerUID) }
        t.add(API.addMember) { p, ctx in try logic.addMember(p, uid: ctx.callerUID) }
        t.add(API.updateMember) { p, ctx in try logic.updateMember(p, uid: ctx.callerUID) }
        t.add(API.removeMember) { p, ctx in try logic.removeMember(p, uid: ctx.callerUID) }
        t.add(API.addHost) { p, ctx in try logic.addHost(p, uid: ctx.callerUID) }
        t.add(API.removeHost) { p, ctx in try logic.removeHost(p, uid: ctx.callerUID) }
        t.add(API.addGroup) { p, ctx in try logic.addGroup(p, uid: ctx.callerUID) }
        t.add(API.updateGroup) { p, ctx in try logic.updateGroup(p, uid: ctx.callerUID) }
        t.add(API.removeGroup) { p, ctx in try logic.removeGroup(p, uid: ctx.callerUID) }
        t.add(API.addItem) { p, ctx in try logic.addItem(p, uid: ctx.callerUID) }
        t.add(API.updateItem) { p, ctx in try logic.updateItem(p, uid: ctx.callerUID) }
        t.add(API.moveItem) { p, ctx in try logic.moveItem(p, uid: ctx.callerUID) }
        t.add(API.removeItem) { p, ctx in try logic.removeItem(p, uid: ctx.callerUID) }
        registerPartners(&t, logic: logic)
    }

    /// The partner registry's methods.
    static func registerPartners(_ t: inout MethodTable, logic: DelegationsLogic) {
        typealias API = PartnersAPI
        t.add(API.create) { p, ctx in try logic.createPartner(p, uid: ctx.callerUID) }
        t.add(API.get) { p, _ in try logic.partner(p.id) }
        t.add(API.list) { p, _ in try logic.partners(p) }
        t.add(API.update) { p, ctx in try logic.updatePartner(p, uid: ctx.callerUID) }
        t.add(API.addPerson) { p, ctx in try logic.addPerson(p, uid: ctx.callerUID) }
        t.add(API.updatePerson) { p, ctx in try logic.updatePerson(p, uid: ctx.callerUID) }
        t.add(API.removePerson) { p, ctx in try logic.removePerson(p, uid: ctx.callerUID) }
        t.add(API.merge) { p, ctx in try logic.merge(p, uid: ctx.callerUID) }
        t.add(API.history) { p, _ in try logic.partnerHistory(p) }
        t.add(API.report) { p, _ in try logic.registryReport(p) }
        t.add(API.person) { p, _ in try logic.person(p.id) }
    }
}
