import Testing
import LiaisonStore
@testable import Notifications

/// The journal of received events says which events came and when; it holds no copy of the
/// delegation (that is the visit's, in `visits`, and is purged with it).
@Suite struct JournalTests {
    func columns(_ store: Store) throws -> [String] {
        try store.read { db in try db.query("SELECT name FROM pragma_table_info('jobs')").map { try $0["name"] as String } }
    }

    @Test func theJournalKeepsNoCopyOfTheDelegation() throws {
        let t = try TestNotifications()
        try t.deliver("delegation.confirmed", visit())
        let jobs = try t.call("notifications.jobs")["items"]?.arrayValue ?? []
        #expect(jobs.count == 1 && jobs.first?["type"] == "delegation.confirmed")
        let store = t.service.store
        #expect(try !columns(store).contains("data"))
        let rows = try store.read { db in try db.query("SELECT * FROM jobs").map { "\($0.values)" } }
        #expect(rows.count == 1 && !rows[0].contains("@example.org"), "\(rows)")
    }

    /// A database from before: the journal's copies go; its rows stay.
    @Test func anOlderJournalLosesItsCopiesAndKeepsItsRows() throws {
        let t = try TestNotifications(start: false, prepare: { dir in
            let old = try Store(path: dir + "/notifications.db", migrations: [NotificationsTables.migrations[0]])
            try old.write { db in
                try db.run(
                    """
                    INSERT INTO jobs(event_id, event_type, source, partition_key, sequence, delegation_id, schedule_version, received_ms,
                        data) VALUES('evt-old', 'delegation.confirmed', 'delegations', 'delegation/del-old', 1, 'del-old', 1, 0,
                        '{"members":[{"email":"someone@example.org"}]}')
                    """)
            }
        })
        let store = t.service.store
        #expect(try !columns(store).contains("data"))
        #expect(try store.read { db in try db.queryOne("SELECT event_id FROM jobs")?["event_id"] as String? } == "evt-old")
    }
}
