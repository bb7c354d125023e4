import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// Adds a service's part in events to its definition: the relay and the producer's methods, the
/// inbox and `events.deliver`, and what the store reports in `service.health` and `service.stats`.
package enum EventWiring {
    /// A producer of `emits`: a relay to every subscriber the mesh names, the `events.*`
    /// operator methods, and the outbox in `service.health`. Returns who subscribes to what.
    @discardableResult
    package static func produce(
        _ emits: [EventType],
        data: Schema,
        into def: inout ServiceDefinition,
        store: Store,
        context: ServiceContext,
        partnerData: Schema? = nil,
        versions: EventVersions = .release
    ) throws -> Subscriptions {
        // Consumers take from a producer only what its mesh entry says it emits: a type left out
        // would be refused by every subscriber. Said at the start (the service still runs: a
        // copy under another name with nobody consuming from it needs no entry of its own).
        let undeclared = emits.filter { !context.entry.emits(type: $0.rawValue) }
        if !undeclared.isEmpty {
            context.log.warning(
                "mesh.emits_undeclared",
                [
                    "types": undeclared.map(\.rawValue).joined(separator: ","),
                    "emits": context.entry.emits.joined(separator: ","),
                    "fix": "add them to services[\(context.name)].emits in the mesh file, or consumers refuse them",
                ]
            )
        }
        let subscriptions = Subscriptions(mesh: context.mesh, source: context.name, emits: emits)
        let settings = try EventSettings.from(context.entry.settings)
        let relay = EventRelay(
            store: store,
            source: context.name,
            subscriptions: subscriptions,
            settings: settings,
            log: context.log,
            versions: versions
        )
        EventMethods.registerProducer(&def.methods, store: store, source: context.name, relay: relay)
        def.methods.add(RecoveryAPI.replay) { p, _ in try relay.replay(p) }
        def.components.append(relay)
        // Events about partners carry the registry's entry (or a claim), not the service's record.
        def.emits += emits.map {
            EmittedEvent(
                type: $0.rawValue,
                summary: $0.summary,
                data: $0.family == .partner ? partnerData ?? data : data,
                version: versions.written($0),
                versions: versions.versions(of: $0)
            )
        }
        def.health.append(
            ReportSection(
                key: "outbox",
                schema: .object(
                    OutboxSummary.outputSchema.fields + [
                        .req("relay", .map(SchemaDerivation.outputSchema(of: SubscriberHealth.self)))
                    ]
                )
            ) {
                guard
                    let s = try? store.readForControl({ db in try Backlog.summary(db, subscriptions: subscriptions) }),
                    case .object(var o) = JSONEncoding.encode(s)
                else {
                    return (false, .null)
                }
                o["relay"] = JSONEncoding.encode(relay.health())
                return (true, .object(o))
            }
        )
        def.metrics.append { EventMetrics.outbox(store, subscriptions: subscriptions) }
        return subscriptions
    }

    /// A consumer of what its mesh entry lists: `events.deliver` through the idempotent inbox,
    /// and the pruning of old inbox ids.
    package static func consume(
        into def: inout ServiceDefinition,
        store: Store,
        context: ServiceContext,
        consumer: any EventConsumer
    ) throws {
        let settings = try EventSettings.from(context.entry.settings)
        // Only the services producing events may deliver them, each only its own (by source).
        let policy = AccessPolicy(mesh: context.mesh.config, name: context.name)
        let inbox = InboxCounters()
        def.metrics.append { inbox.families() }
        def.consumes = context.entry.consumes
        for type in EventType.allCases where context.entry.consumes(type: type.rawValue) {
            def.reads[type.rawValue] = type.readsVersions
        }
        EventMethods.registerConsumer(
            &def.methods,
            store: store,
            consumer: consumer,
            log: context.log,
            counters: inbox,
            reads: def.reads
        ) { peer in
            Inbox.Rights(caller: peer, sources: policy.sources(for: peer)) {
                policy.ownership(source: $0, type: $1)
            }
        }
        let log = context.log
        let pruner = BackgroundLoop(name: "inbox-prune") { _ in
            do {
                let n = try Inbox.prune(store: store, keepMs: settings.keepInboxIdsMs)
                if n > 0 { log.info("inbox.pruned", ["rows": String(n)]) }
            } catch { log.error("inbox.prune_failed", ["error": "\(error)"]) }
            return .atMost(ms: 3_600_000)
        }
        def.components.append(LoopsComponent(name: "inbox-prune", loops: [pruner]))
        def.methods.add(RecoveryAPI.last) { p, _ in
            let limit = p.limit ?? 200
            let rows = try store.read { db in
                try InboxTables.lastEvents(db, source: p.source, after: p.cursor, limit: limit + 1)
            }
            return Page(rows, limit: limit, cursor: \.partitionKey)
        }
        def.methods.add(RecoveryAPI.heads) { p, _ in
            let limit = p.limit ?? 1000
            let rows = try store.read { db in
                try InboxTables.heads(db, source: p.source, sinceMs: p.sinceMs, after: p.cursor, limit: limit + 1)
            }
            return Page(rows, limit: limit, cursor: \.partitionKey)
        }
        def.methods.add(RecoveryAPI.positions) { p, _ in
            let limit = p.limit ?? 200
            let rows = try store.read { db in
                try InboxTables.positions(db, source: p.source, after: p.cursor, limit: limit + 1)
            }
            return Page(rows, limit: limit, cursor: \.partitionKey)
        }
        def.health.append(
            ReportSection(
                key: "inbox",
                schema: .object([
                    .opt("behind", .map(.string()), "Producers restored behind what they told this service.")
                ])
            ) {
                let behind = (try? store.readForControl { db in try InboxTables.behind(db) }) ?? [:]
                return behind.isEmpty ? (true, [:]) : (false, ["behind": JSONEncoding.encode(behind)])
            }
        )
    }

    /// The database in `service.health` (`database`, `commits`; degraded when it stops answering)
    /// and the statement profile in `service.stats` (with LIAISON_SQL_PROFILE=1).
    package static func report(_ store: Store, into def: inout ServiceDefinition) {
        def.health.append(
            ReportSection(key: "database", schema: .string(values: ["ok", "failing"])) {
                store.isHealthy() ? (true, "ok") : (false, "failing")
            }
        )
        def.health.append(.typed("commits") { (true, CommitReport(store.commitCounters)) })
        def.health.append(
            ReportSection(
                key: "schema",
                schema: .map(.integer()),
                read: {
                    ((try? store.schemaVersions()).map { (true, JSONEncoding.encode($0)) }) ?? (false, .null)
                }
            )
        )
        def.metrics.append { EventMetrics.store(store) }
        def.stats.append(
            ReportSection(
                key: "sql_profile",
                schema: .array(SQLProfileEntry.schema),
                read: {
                    let top = store.sqlProfile().prefix(15)
                    return (
                        true,
                        top.isEmpty
                            ? .null
                            : JSONEncoding.encode(
                                top.map { SQLProfileEntry(sql: String($0.sql.prefix(160)), count: $0.count, ms: $0.ms) }
                            )
                    )
                }
            )
        )
    }
}

extension OutboxSummary {
    static var fields: [Schema.Field] {
        guard case .object(let f) = schema else { return [] }
        return f
    }
}

/// The store's group commits so far.
struct CommitReport: Encodable, Sendable, Schematic {
    var transactions, writes: Int
    var workMs, commitMs: Double
    var walRestarts: Int

    init(_ c: CommitCounters) {
        transactions = c.commits
        writes = c.writes
        workMs = Double(c.workNanos / 1000) / 1000
        commitMs = Double(c.commitNanos / 1000) / 1000
        walRestarts = c.walRestarts
    }

    enum CodingKeys: String, CodingKey {
        case transactions, writes, workMs = "work_ms", commitMs = "commit_ms", walRestarts = "wal_restarts"
    }

    static var schema: Schema {
        .object([
            .req("transactions", .integer()),
            .req("writes", .integer(), "writes/transactions is the group-commit gain."),
            .req("work_ms", .number), .req("commit_ms", .number, "Time in COMMIT (the fsync)."),
            .req("wal_restarts", .integer()),
        ])
    }
}

/// One statement of the write connection's profile.
struct SQLProfileEntry: Encodable, Sendable {
    var sql: String
    var count: Int
    var ms: Double
    static var schema: Schema { .object([.req("sql", .string()), .req("count", .integer()), .req("ms", .number)]) }
}
