import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire

/// The notifications service: turns delegation (and agreement) events into email jobs.
package final class NotificationsService: ServiceModule, EventParticipant {
    let context: ServiceContext
    package let store: Store

    package init(_ context: ServiceContext) throws {
        self.context = context
        store = try Store(path: context.entry.dataDir + "/notifications.db", migrations: NotificationTables.migrations,
                          components: [("inbox", Inbox.migrations)])
    }

    package var emits: [String] { [] }
    package var eventStore: Store { store }

    package func handle(event: CloudEvent, db: Database) throws -> EventDisposition {
        guard event.type.hasPrefix("delegation.") else { return .ignored }
        return try NotificationTables.recordJob(db, event: event)
    }

    package func register(_ t: inout MethodTable) {
        let store = self.store
        t.add(MethodSpec(name: "notifications.jobs", summary: "Notification jobs recorded from events, oldest first (filter by delegation or status).",
                         params: .object([.opt("delegation_id", .string()), .opt("status", .string()), .opt("after_id", .integer()),
                                          .opt("limit", .integer(minimum: 1, maximum: 10000))]),
                         result: .object([.req("items", .array(.any))]), execution: .worker) { raw, _ in
            try store.read { db in try NotificationTables.jobs(db, raw) }
        })
    }
}

/// The notifications service's tables.
enum NotificationTables {
    static let migrations: [Database.Migration] = [
        .init(1, """
        CREATE TABLE jobs(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            source TEXT NOT NULL,
            partition_key TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            delegation_id TEXT NOT NULL,
            schedule_version INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            received_ms INTEGER NOT NULL,
            data TEXT NOT NULL);
        CREATE INDEX jobs_by_delegation ON jobs(delegation_id, id);
        CREATE INDEX jobs_by_status ON jobs(status, id);
        CREATE INDEX jobs_by_event ON jobs(event_id);
        """),
    ]

    /// Records a pending job for a delegation event.
    static func recordJob(_ db: Database, event: CloudEvent) throws -> EventDisposition {
        guard let id = event.data["id"]?.stringValue else {
            throw ServiceError.invalidParams(field: "data.id", "a delegation event carries the delegation (its id is missing)")
        }
        let scheduleVersion = event.data["schedule_version"]?.intValue ?? 1
        try db.run("""
            INSERT INTO jobs(event_id, event_type, source, partition_key, sequence, delegation_id, schedule_version, received_ms, data)
            VALUES(?,?,?,?,?,?,?,?,?)
            """, [event.id, event.type, event.source, event.partitionkey, event.sequence, id, scheduleVersion, wallClockMillis(),
                  JSONWriter.string(event.data)])
        return .applied
    }

    static func jobs(_ db: Database, _ p: JSONValue) throws -> JSONValue {
        var sql = "SELECT id, event_id, event_type, partition_key, sequence, delegation_id, schedule_version, status, received_ms FROM jobs WHERE id > ?"
        var args: [any SQLBindable] = [p["after_id"]?.intValue ?? 0]
        if let d = p["delegation_id"]?.stringValue { sql += " AND delegation_id = ?"; args.append(d) }
        if let s = p["status"]?.stringValue { sql += " AND status = ?"; args.append(s) }
        sql += " ORDER BY id LIMIT ?"
        args.append(min(max(p["limit"]?.intValue ?? 100, 1), 10_000))
        return ["items": .array(try db.query(sql, args).map { r in
            ["id": .int(r.int(0)!), "event_id": .string(r.string(1)!), "type": .string(r.string(2)!), "partition_key": .string(r.string(3)!),
             "sequence": .int(r.int(4)!), "delegation_id": .string(r.string(5)!), "schedule_version": .int(r.int(6)!),
             "status": .string(r.string(7)!), "received_at": .string(Logger.timestamp(millis: r.int(8)!))]
        })]
    }
}
