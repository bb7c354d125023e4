import LiaisonAPI
import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonRecords
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The delegations service: visits hosted and sent, their members and itineraries. Wires the
/// store, the logic, the methods, the events it emits, and the partner registry (which takes
/// `partner.claimed` from services that met a partner by name).
package final class DelegationsService: Sendable {
    package let logic: DelegationsLogic
    package let store: Store
    /// What the host runs.
    package let definition: ServiceDefinition

    package init(_ context: ServiceContext, now: @escaping @Sendable () -> Int64 = { wallClockMillis() }) throws {
        let settings = try DelegationsSettings.from(context.entry.settings)
        store = try DelegationsLogic.openStore(path: context.entry.dataDir + "/delegations.db")
        var def = ServiceDefinition()
        let subscriptions = try EventWiring.produce(
            DelegationsLogic.eventTypes,
            data: Delegation.outputSchema,
            into: &def,
            store: store,
            context: context,
            partnerData: PartnerRecord.outputSchema
        )
        EventWiring.report(store, into: &def)
        // `delegations.get` reads on the loop: the calls of a round share one snapshot.
        def.atEndOfLoopRound.append { [store] in store.endLoopSnapshot() }
        let records = RecordContext(store: store, source: context.name, subscriptions: subscriptions, now: now)
        logic = DelegationsLogic(records, settings: settings)
        try EventWiring.consume(into: &def, store: store, context: context, consumer: DelegationsConsumer(logic: logic))
        DelegationsMethods.register(&def.methods, logic: logic)
        let recovery = DelegationsRecovery(logic: logic)
        EventWiring.recovery(store, into: &def, recovery: recovery)
        EventWiring.audit(
            [DelegationsTables.history, PartnerTables.history],
            store: store,
            into: &def,
            records: recovery
        )
        def.components.append(RetentionSweep(logic: logic, log: context.log))
        let announced = try logic.announceMigrated()
        if announced > 0 {
            context.log.info("partners.announced", ["count": String(announced), "why": "registered by a migration"])
        }
        definition = def
    }
}
