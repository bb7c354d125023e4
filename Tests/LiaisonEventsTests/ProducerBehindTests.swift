import Foundation
@testable import LiaisonEvents
import LiaisonHost
import LiaisonJSON
import LiaisonTestSupport
import Testing

@testable import LiaisonStore
@testable import LiaisonWire

/// A producer restored from a backup numbers its next changes with sequences its consumers have
/// already applied: a consumer holds such an event (never takes it for a duplicate and drops it)
/// and says so in its health, until the producer's recovery gives it its sequences back.
@Suite struct ProducerBehindTests {
    func event(_ id: String, seq: Int64, time: String, incarnation: String? = "db-1:1") -> JSONValue {
        var e = CloudEvent(
            id: id, source: "delegations", type: "delegation.updated", subject: "delegation/d1", time: time,
            partitionkey: "delegation/d1", sequence: seq, data: ["s": .string(id)])
        e.incarnation = incarnation
        return JSONEncoding.encode(e)
    }

    @Test func aLaterChangeUnderANumberAlreadySeenIsHeldNotDropped() throws {
        let dir = TestMesh.directory("lzb")
        defer { TestMesh.remove(dir) }
        let consumer = try FlakyConsumer(path: dir + "/c.db")
        let log = LogCapture().logger(service: "test")
        func deliver(_ e: JSONValue) throws -> DeliveryResult {
            try Inbox.deliver([e], store: consumer.eventStore, log: log, consumer: consumer)[0]
        }
        #expect(try deliver(event("evt-a", seq: 1, time: "2031-01-01T10:00:00.000Z")).status == .applied)
        #expect(try deliver(event("evt-a", seq: 1, time: "2031-01-01T10:00:00.000Z")).status == .duplicate, "a resend")
        // Restored behind: a new change (new id, later) under the number already applied.
        let held = try deliver(event("evt-b", seq: 1, time: "2031-01-02T10:00:00.000Z"))
        #expect(held.status == .failed && held.error?.details?["reason"] == "producer_behind", "\(held)")
        #expect(held.error?.retryable == true)
        let behind = try consumer.eventStore.read { db in try InboxTables.behind(db) }
        #expect(behind["delegations"]?.contains("restored behind") == true, "\(behind)")
        // A restore raised the incarnation: an old number from the new database is held too.
        let again = try deliver(event("evt-c", seq: 1, time: "2031-01-01T09:00:00.000Z", incarnation: "db-1:2"))
        #expect(again.error?.details?["reason"] == "producer_behind")
        // Recovered: the next number goes through, and the mark is gone.
        #expect(try deliver(event("evt-d", seq: 2, time: "2031-01-03T10:00:00.000Z", incarnation: "db-1:2")).status == .applied)
        #expect(try consumer.eventStore.read { db in try InboxTables.behind(db) }.isEmpty)
        #expect(consumer.applied.withLock { $0.count } == 2, "evt-a and evt-d, nothing else")
    }
}
