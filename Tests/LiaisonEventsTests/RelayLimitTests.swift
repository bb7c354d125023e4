import Testing
import LiaisonEvents
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// An event over the consumer's frame limit is dead at once, and nothing else waits for it
/// (issue 11, case 7). The relay polls only once a minute here: whatever flows, flows because
/// the relay went on at once, not because a poll came round.
@Suite(.serialized, .timeLimit(.minutes(6))) struct RelayLimitTests {
    static func slowPolling() -> EventSettings {
        var s = fastSettings()
        s.pollMs = 60_000
        return s
    }

    /// Produces a 40 kB event on key b, then small ones on keys a and c, to a consumer that
    /// takes 16 kB frames while the producer's mesh file says 1 MiB.
    static func oversized(describes: Bool) throws -> (RelayFixture, UInt64) {
        let f = try RelayFixture(settings: slowPolling())
        try f.startConsumer(maxFrame: 16 * 1024, describes: describes)
        let started = monotonicNanos()
        // The big one first, all in one commit (one wake-up): once it is dead, the rest must go
        // at once, not at the next poll.
        try f.produceTogether([("b1", "b", 40_000), ("a1", "a", 0), ("c1", "c", 0), ("a2", "a", 0)])
        return (f, started)
    }

    static func expectDeadAndOthersDelivered(_ f: RelayFixture, since started: UInt64) throws {
        try f.waitUntil("b1 dead, the rest applied", timeoutMs: 5000) {
            try f.deliveries("dead").map(\.1) == ["b1"] && Set(f.appliedSubjects()) == ["a1", "c1", "a2"]
        }
        let ms = (monotonicNanos() - started) / 1_000_000
        let row = try f.producerTable.invoke("events.queue", ["status": "dead"], log: f.log).get()["deliveries"]?[0]
        let why = row?["last_error"]?.stringValue ?? ""
        #expect(why.contains("larger than consumer's max frame (16384 bytes)"), "\(why)")
        print("oversized event dead and the others applied \(ms) ms after they were committed")
    }

    @Test func aConsumerWhoseLimitIsLowerThanTheMeshFileSaysRefusesTheFrameAndTheRelayLearnsFromIt() throws {
        let (f, started) = try Self.oversized(describes: false)
        try Self.expectDeadAndOthersDelivered(f, since: started)
    }

    @Test func theRelayLearnsTheConsumersLimitFromServiceDescribe() throws {
        let (f, started) = try Self.oversized(describes: true)
        try Self.expectDeadAndOthersDelivered(f, since: started)
        #expect(f.logged.text.contains("relay.subscriber_limit"), "learned on connecting")
    }

    @Test func redrivingADeadEventWakesTheRelayAtOnce() throws {
        let f = try RelayFixture(settings: Self.slowPolling())
        f.consumer.poison.withLock { $0 = ["p1"] }
        try f.startConsumer()
        try f.produce(["p1", "p2"])
        try f.waitUntil("p1 dead", timeoutMs: 5000) { try f.deliveries("dead").count == 1 }
        f.consumer.poison.withLock { $0 = [] }
        _ = try f.producerTable.invoke("events.redrive", ["all_dead": true], log: f.log).get()
        try f.waitUntil("p1 and p2 delivered without waiting for a poll", timeoutMs: 5000) { f.appliedSubjects() == ["p1", "p2"] }
    }
}
