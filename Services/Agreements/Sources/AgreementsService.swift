import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire

/// The agreements service: partnership agreements from first visit to renewal, and a local
/// projection of the delegations that lead to them (kept from delegation events, never by
/// calling the delegations service).
package final class AgreementsService: ServiceModule, EventParticipant {
    let context: ServiceContext
    package let store: Store
    package let logic: AgreementsLogic
    let sweeper: DailySweep

    package init(_ context: ServiceContext, now: @escaping @Sendable () -> Int64 = { wallClockMillis() }) throws {
        self.context = context
        store = try Store(path: context.entry.dataDir + "/agreements.db", migrations: AgreementTables.migrations,
                          components: [("inbox", Inbox.migrations), ("outbox", Outbox.migrations)])
        var leads = [90, 30, 7]
        if let l = context.entry.settings["expiring_lead_days"] {
            guard case .array(let a) = l, !a.isEmpty, a.allSatisfy({ ($0.intValue ?? 0) >= 1 && ($0.intValue ?? 0) <= 3650 }) else {
                throw MeshError("services[\(context.name)].settings.expiring_lead_days: expected a list of days, e.g. [90, 30, 7]")
            }
            leads = a.compactMap { $0.intValue.map(Int.init) }
        }
        let mesh = context.mesh
        logic = AgreementsLogic(store: store, source: context.name, subscribers: { type in mesh.config.subscribers(of: type).map(\.name) },
                                expiringLeadDays: leads, now: now)
        sweeper = DailySweep(logic: logic, log: context.log)
    }

    package var emits: [String] { AgreementsLogic.eventTypes }
    package var eventStore: Store { store }

    package func handle(event: CloudEvent, db: Database) throws -> EventDisposition {
        guard event.type.hasPrefix("delegation.") else { return .ignored }
        try DelegationProjection.apply(db, event: event)
        return .applied
    }

    package func start() {
        do { try sweeper.start() } catch { context.log.error("agreements.sweep_start_failed", ["error": "\(error)"]) }
    }

    package func stop() { sweeper.stop() }

    package func register(_ t: inout MethodTable) {
        let store = self.store
        t.add(MethodSpec(name: "agreements.delegations", summary: "The local projection of delegations (from events): id, title, partner, country, dates, status.",
                         params: .object([.opt("id", .string()), .opt("limit", .integer(minimum: 1, maximum: 10000))]),
                         result: .object([.req("items", .array(.any))]), execution: .worker) { raw, _ in
            try store.read { db in try DelegationProjection.list(db, id: raw["id"]?.stringValue, limit: Int(raw["limit"]?.intValue ?? 100)) }
        })
        AgreementMethods.register(&t, logic: logic)
    }
}

/// Delegations as the agreements service knows them: the latest state each event carried.
enum DelegationProjection {
    static func apply(_ db: Database, event: CloudEvent) throws {
        let d: Delegation
        do { d = try JSONDecoding.decode(Delegation.self, from: event.data, path: [NameKey("data")]) } catch {
            throw ServiceError.invalidParams(field: error.path, "not a delegation this service understands: \(error.reason)")
        }
        let prior = try db.queryOne("SELECT last_sequence FROM delegation_projection WHERE id = ?", [d.id])?.int(0)
        // Continent and region from our own country table, whatever the event carried.
        let country = Country.named(d.draft.partner.country)
        let outOfOrder = (prior ?? 0) >= event.sequence ? 1 : 0
        try db.run("""
            INSERT INTO delegation_projection(id, ref, title, partner_name, partner_name_local, partner_kind, country, continent, region,
                starts_at, ends_at, time_zone, status, version, last_sequence, events_applied, out_of_order, updated_ms)
            VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?)
            ON CONFLICT(id) DO UPDATE SET ref = excluded.ref, title = excluded.title, partner_name = excluded.partner_name,
                partner_name_local = excluded.partner_name_local, partner_kind = excluded.partner_kind, country = excluded.country,
                continent = excluded.continent, region = excluded.region, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
                time_zone = excluded.time_zone, status = excluded.status, version = excluded.version,
                last_sequence = max(last_sequence, excluded.last_sequence), events_applied = events_applied + 1,
                out_of_order = out_of_order + excluded.out_of_order, updated_ms = excluded.updated_ms
            """, [d.id, d.ref, d.draft.title, d.draft.partner.name, d.draft.partner.nameLocal, d.draft.partner.kind.rawValue,
                  d.draft.partner.country.uppercased(), country?.continent.rawValue ?? d.continent, country?.region ?? d.region, d.draft.startsAt.description, d.draft.endsAt.description,
                  d.draft.timeZone, d.status.rawValue, d.version, event.sequence, outOfOrder, wallClockMillis()])
    }

    static func list(_ db: Database, id: String?, limit: Int) throws -> JSONValue {
        var sql = """
            SELECT id, ref, title, partner_name, partner_name_local, country, continent, region, starts_at, ends_at, time_zone, status, version,
                last_sequence, events_applied, out_of_order FROM delegation_projection
            """
        var args: [any SQLBindable] = []
        if let id { sql += " WHERE id = ? OR ref = ?"; args += [id, id] }
        sql += " ORDER BY starts_at, id LIMIT ?"
        args.append(min(max(limit, 1), 10_000))
        return ["items": .array(try db.query(sql, args).map { r in
            ["id": .string(r.string(0)!), "ref": .string(r.string(1)!), "title": .string(r.string(2)!),
             "partner": ["name": .string(r.string(3)!), "name_local": r.string(4).map { .string($0) } ?? .null, "country": .string(r.string(5)!)],
             "continent": .string(r.string(6)!), "region": .string(r.string(7)!), "starts_at": .string(r.string(8)!), "ends_at": .string(r.string(9)!),
             "time_zone": .string(r.string(10)!), "status": .string(r.string(11)!), "version": .int(r.int(12)!),
             "last_sequence": .int(r.int(13)!), "events_applied": .int(r.int(14)!), "out_of_order": .int(r.int(15)!)]
        })]
    }
}
