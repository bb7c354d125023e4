import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire

/// The delegations service: visits hosted and sent, their members and itineraries.
package final class DelegationsService: ServiceModule, EventParticipant {
    let context: ServiceContext
    package let logic: DelegationsLogic

    package init(_ context: ServiceContext) throws {
        self.context = context
        let store = try DelegationsLogic.openStore(path: context.entry.dataDir + "/delegations.db")
        let mesh = context.mesh
        logic = DelegationsLogic(store: store, source: context.name, subscribers: { type in mesh.config.subscribers(of: type).map(\.name) })
    }

    package var emits: [String] { DelegationsLogic.eventTypes }

    package var eventStore: Store { logic.store }

    package func handle(event: CloudEvent, db: Database) throws -> EventDisposition { .ignored }

    /// A stored delegation's JSON with what the checker found.
    static func withFindings(_ tree: JSONValue, _ f: [Finding]) -> JSONValue {
        guard case .object(var o) = tree else { return tree }
        o["findings"] = JSONEncoding.encode(f)
        return .object(o)
    }

    package func register(_ t: inout MethodTable) {
        let logic = self.logic
        t.add(MethodSpec(name: "delegations.create", summary: "Stores a new delegation (status proposed) and runs the itinerary checker on it.",
                         params: DelegationDraft.schema, result: Delegation.schema, execution: .worker) { raw, ctx in
            let draft = try JSONDecoding.decode(DelegationDraft.self, from: raw)
            let (d, f, created) = try logic.create(draft, uid: ctx.callerUID)
            guard case .object(var o) = Self.withFindings(JSONEncoding.encode(d), f) else { return .null }
            o["created"] = .bool(created)
            return .object(o)
        })
        t.add("delegations.get", "One delegation by id or reference.") { (p: IDParams, _) in try logic.get(p.id) }
        t.add("delegations.list", "Delegations matching the filters, by start date; pages through next_cursor.") { (p: ListParams, _) in try logic.list(p) }
        t.add(MethodSpec(name: "delegations.update",
                         summary: "Replaces the fields given (any delegation field) at expected_version; a confirmed visit's schedule changes only by reschedule.",
                         params: .object([.req("id", .string()), .req("expected_version", .integer(minimum: 1))] + DelegationDraft.fields.map {
                             Schema.Field($0.name, $0.schema, required: false, $0.description) }),
                         result: Delegation.schema, execution: .worker) { raw, ctx in
            guard case .object(var o) = raw else { throw ServiceError.invalidParams(field: "", "expected an object") }
            let ids = try JSONDecoding.decode(TransitionParams.self, from: raw)
            o["id"] = nil
            o["expected_version"] = nil
            let (_, f, tree) = try logic.update(id: ids.id, expectedVersion: ids.expectedVersion, changes: o, uid: ctx.callerUID)
            return Self.withFindings(tree, f)
        })
        t.add("delegations.confirm", "proposed → confirmed; refused with conflict and the full list while the checker finds clashes. Emits delegation.confirmed.") {
            (p: TransitionParams, ctx) in try logic.confirm(id: p.id, expectedVersion: p.expectedVersion, uid: ctx.callerUID)
        }
        t.add("delegations.reschedule", "A new window and/or itinerary (bumps schedule_version); a confirmed visit must stay clash-free. Emits delegation.rescheduled.") {
            (p: RescheduleParams, ctx) in
            let (_, f, tree) = try logic.reschedule(p, uid: ctx.callerUID)
            return Self.withFindings(tree, f)
        }
        t.add("delegations.cancel", "Cancels a visit that has not started; reason required. Emits delegation.cancelled.") {
            (p: TransitionParams, ctx) in try logic.cancel(p, uid: ctx.callerUID)
        }
        t.add("delegations.postpone", "Postpones a visit that has not started (reschedule makes it proposed again). Emits delegation.postponed.") {
            (p: TransitionParams, ctx) in try logic.postpone(p, uid: ctx.callerUID)
        }
        t.add("delegations.start", "confirmed → in_progress. Emits delegation.started.") { (p: TransitionParams, ctx) in try logic.start(p, uid: ctx.callerUID) }
        t.add("delegations.complete", "in_progress → completed; outcome required. Emits delegation.completed.") {
            (p: TransitionParams, ctx) in try logic.complete(p, uid: ctx.callerUID)
        }
        t.add(MethodSpec(name: "delegations.check",
                         summary: "Runs the itinerary checker on a draft (delegation fields) or a stored delegation ({id}) without saving.",
                         params: .oneOf([DelegationDraft.schema, IDParams.schema]), result: CheckResult.schema, execution: .worker) { raw, _ in
            let hasDraft = raw["title"] != nil || raw["itinerary"] != nil || raw["starts_at"] != nil
            let draft = hasDraft ? try JSONDecoding.decode(DelegationDraft.self, from: raw) : nil
            return JSONEncoding.encode(try logic.check(draft: draft, id: raw["id"]?.stringValue))
        })
        t.add("delegations.history", "The audit trail: every change, when, by which uid, what changed.") { (p: IDParams, _) in try logic.history(p.id) }
    }
}
