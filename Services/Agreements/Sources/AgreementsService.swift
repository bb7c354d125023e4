import LiaisonAPI
import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonRecords
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The agreements service: partnership agreements from first visit to renewal, and a local
/// projection of the delegations that lead to them. Wires the store, the logic, the methods,
/// the events it emits and consumes, and the daily sweep.
package final class AgreementsService: Sendable {
    package let store: Store
    package let logic: AgreementsLogic
    /// What the host runs.
    package let definition: ServiceDefinition

    package init(_ context: ServiceContext, now: @escaping @Sendable () -> Int64 = { wallClockMillis() }) throws {
        let settings = try AgreementsSettings.from(context.entry.settings, service: context.name)
        store = try Store(
            path: context.entry.dataDir + "/agreements.db",
            migrations: AgreementsTables.migrations,
            components: [
                ("inbox", Inbox.migrations), ("outbox", Outbox.migrations), ("audit", History.checkpointMigrations),
            ]
        )
        var def = ServiceDefinition()
        let subscriptions = try EventWiring.produce(
            AgreementsLogic.eventTypes,
            data: AgreementEventData.outputSchema,
            into: &def,
            store: store,
            context: context,
            partnerData: PartnerRef.schema
        )
        try EventWiring.consume(into: &def, store: store, context: context, consumer: AgreementsConsumer())
        EventWiring.report(store, into: &def)
        let records = RecordContext(store: store, source: context.name, subscriptions: subscriptions, now: now)
        logic = AgreementsLogic(records, settings: settings)
        AgreementsMethods.register(&def.methods, logic: logic)
        let recovery = AgreementsRecovery(logic: logic)
        EventWiring.recovery(store, into: &def, recovery: recovery)
        EventWiring.audit([AgreementsTables.history], store: store, into: &def, records: recovery)
        let claimed = try logic.claimMigrated()
        if claimed > 0 {
            context.log.info("partners.claimed", ["count": String(claimed), "why": "found by a migration"])
        }
        def.components.append(DailySweep(logic: logic, log: context.log))
        definition = def
    }
}

extension AgreementsLogic {
    /// The projection of delegations this service keeps.
    func projected(_ p: ProjectionParams) throws -> Page<ProjectedDelegation> {
        var after: (String, String)?
        if let c = p.cursor {
            guard let parsed = KeyedCursor.parse(c) else {
                throw ServiceError.invalidParams(
                    field: "cursor",
                    "not a cursor from a previous page (expected next_cursor as given)"
                )
            }
            after = parsed
        }
        let limit = p.limit ?? 100
        let rows = try store.read { db in try AgreementsTables.projected(db, id: p.id, after: after, limit: limit + 1) }
        return Page(rows, limit: limit, cursor: { KeyedCursor.make($0.startsAt, $0.id) })
    }
}
