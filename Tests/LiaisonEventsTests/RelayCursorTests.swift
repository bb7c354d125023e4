import Glibc
import Testing
import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonTestSupport
@testable import LiaisonStore
@testable import LiaisonWire

/// Deliveries by position: a delivered event costs no row of its own; what does not go through
/// on the first try is on the subscriber's exception list, and its key waits behind it.
@Suite(.serialized, .timeLimit(.minutes(6))) struct RelayCursorTests {
    func count(_ f: RelayFixture, _ sql: String) throws -> Int64 { try f.producer.read { db in try db.queryOne(sql)?["n"] ?? -1 } }

    @Test func aDeliveredEventLeavesNoRowOfItsOwn() throws {
        let f = try RelayFixture(settings: fastSettings())
        try f.startConsumer()
        try f.produce((0..<200).map { "s\($0)" }) { "key\(Int($0.dropFirst())! % 5)" }
        try f.waitUntil("all applied") { f.appliedSubjects().count == 200 }
        try f.waitUntil("all acknowledged") { try f.deliveries("pending").isEmpty }
        #expect(try count(f, "SELECT count(*) AS n FROM delivery_exceptions") == 0)
        let marks = try count(f, "SELECT count(*) AS n FROM relay_acks")
        #expect(marks >= 1 && marks <= 200, "one mark per round that moved the position, not one per event")
        #expect(try f.deliveries("delivered").count == 200, "the queue still lists them as delivered")
        let latency = try f.producerTable.invoke("events.latency", [:], log: f.log).get()
        #expect(latency["events"] == 200 && latency["undelivered"] == 0)
    }

    /// A round whose events all went through is written behind the loop; stopping waits for it.
    @Test func aStoppedRelayHasWrittenHowFarItGot() throws {
        let f = try RelayFixture(settings: fastSettings())
        try f.startConsumer()
        try f.produce((0..<50).map { "s\($0)" }) { "key\(Int($0.dropFirst())! % 3)" }
        try f.waitUntil("all applied") { f.appliedSubjects().count == 50 }
        f.relay.stop(deadline: monotonicNanos() + 2_000_000_000)
        #expect(try count(f, "SELECT max(seq) AS n FROM relay_acks WHERE subscriber = 'consumer'") == 50)
        #expect(try count(f, "SELECT max(last_acked_seq) AS n FROM relay_cursor WHERE partition_key = 'key0'") == 17)
    }

    @Test func eventsOfAKeyWaitListedBehindARetryAndKeepTheirOrder() throws {
        var settings = fastSettings()
        settings.maxAttempts = 1000
        let f = try RelayFixture(settings: settings)
        f.consumer.flaky.withLock { $0 = ["a1"] }
        try f.startConsumer()
        try f.produce(["a1"]) { _ in "a" }
        try f.waitUntil("a1 retried") { try count(f, "SELECT max(attempts) AS n FROM delivery_exceptions") >= 1 }
        try f.produce(["a2", "a3", "b1"]) { String($0.prefix(1)) }
        try f.waitUntil("b1 goes past") { f.appliedSubjects() == ["b1"] }
        #expect(Set(try f.deliveries("pending").map(\.1)).isSuperset(of: ["a2", "a3"]), "a2 and a3 wait behind a1")
        f.consumer.flaky.withLock { $0 = [] }
        try f.waitUntil("a's in order") { f.appliedSubjects() == ["b1", "a1", "a2", "a3"] }
        let keyA = f.consumer.applied.withLock { $0.filter { $0.key == "a" }.map(\.seq) }
        #expect(keyA == [1, 2, 3])
    }

    @Test func aSubscriberIsSentOnlyTheTypesItTakes() throws {
        let f = try RelayFixture(settings: fastSettings())
        try f.startConsumer()
        try f.produceTogether([("c1", "c", 0)], type: .delegationConfirmed)
        try f.produce(["u1"])
        try f.waitUntil("u1 applied") { f.appliedSubjects() == ["u1"] }
        try f.waitUntil("position past both") { try count(f, "SELECT max(seq) AS n FROM relay_acks WHERE subscriber = 'consumer'") == 2 }
        #expect(f.appliedSubjects() == ["u1"], "delegation.confirmed is not the consumer's")
        #expect(try f.deliveries("pending").isEmpty && f.deliveries("delivered").map(\.1) == ["u1"])
    }

    @Test func anEventNotYetSentCanBeSkipped() throws {
        let f = try RelayFixture(settings: fastSettings())
        try f.produce(["x1", "x2", "x3"])
        let seq = try #require(try f.deliveries("pending").first { $0.1 == "x2" }?.0)
        _ = try f.producerTable.invoke(
            "events.skip", ["outbox_seq": .int(seq), "subscriber": "consumer", "reason": "never to be sent"], log: f.log
        ).get()
        #expect(try f.deliveries("pending").map(\.1) == ["x1", "x3"])
        try f.startConsumer()
        try f.waitUntil("x1 and x3") { f.appliedSubjects() == ["x1", "x3"] }
        #expect(try f.deliveries("skipped").map(\.1) == ["x2"])
        let again = f.producerTable.invoke("events.skip", ["outbox_seq": .int(seq), "subscriber": "consumer"], log: f.log)
        #expect((try? again.get()) == nil, "skipped once is enough")
    }

    /// A database from before positions: its delivery rows become the position and the
    /// exception list, and nothing is sent twice or lost.
    @Test func deliveryRowsOfTheOlderSchemaBecomeThePositionAndTheList() throws {
        let f = try RelayFixture(settings: fastSettings()) { path in
            let old = try Store(path: path, migrations: [], components: [("outbox", [Outbox.migrations[0]])])
            try old.write { db in
                for (i, (subject, status)) in [("o1", "delivered"), ("o2", "dead"), ("o3", "skipped"), ("o4", "pending")].enumerated() {
                    let seq = Int64(i + 1)
                    let event = CloudEvent.json(
                        id: "evt-o\(seq)", source: "producer", type: "delegation.updated", subject: subject,
                        time: "2026-01-01T00:00:00Z", partitionkey: subject, sequence: 1, dataJSON: Array("{}".utf8))
                    // Made now: older than the retention, the relay's first prune would take o1 and o3.
                    try db.run(
                        "INSERT INTO outbox(seq, id, type, partition_key, key_seq, created_ms, event) VALUES(?, ?, ?, ?, 1, ?, ?)",
                        [seq, "evt-o\(seq)", "delegation.updated", subject, wallClockMillis(), event])
                    try db.run(
                        """
                        INSERT INTO deliveries(outbox_seq, subscriber, partition_key, status, attempts, last_error, updated_ms,
                            delivered_ms) VALUES(?, 'consumer', ?, ?, ?, ?, 5, ?)
                        """,
                        [
                            seq, subject, status, status == "pending" ? 0 : 1, status == "dead" ? "refused" : nil,
                            status == "delivered" ? 5 : nil,
                        ])
                }
            }
        }
        usleep(150_000)  // the relay has run its first round (and prune) by now
        #expect(try f.deliveries("dead").map(\.1) == ["o2"])
        #expect(try f.deliveries("skipped").map(\.1) == ["o3"])
        #expect(try f.deliveries("pending").map(\.1) == ["o4"])
        let dead = try f.producerTable.invoke("events.queue", ["status": "dead"], log: f.log).get()["deliveries"]?[0]
        #expect(dead?["last_error"] == "refused" && dead?["attempts"] == 1)
        try f.startConsumer()
        try f.waitUntil("o4 sent") { f.appliedSubjects() == ["o4"] }
        usleep(100_000)
        #expect(f.appliedSubjects() == ["o4"], "o1 was delivered before, o2 is dead, o3 skipped")
        #expect(
            try f.producer.read { db in try db.queryOne("SELECT count(*) AS n FROM sqlite_master WHERE name = 'deliveries'")?["n"] } == 0)
    }
}
