import Foundation
import LiaisonEvents
import LiaisonHost
import LiaisonJSON
import LiaisonModels
import LiaisonTestSupport
import Testing

@testable import LiaisonStore
@testable import LiaisonWire

/// A producer sends each subscriber a version of an event's data it reads (PROTOCOL.md,
/// "Compatibility"): turned into the older version when the release keeps a way to, else held
/// until the subscriber is upgraded — never dead-lettered for being newer.
@Suite(.serialized, .timeLimit(.minutes(6))) struct EventVersionTests {
    /// Version 2 of the test's data renamed `s` to `subject`.
    static let renamed = EventVersions.Downgrade(.delegationUpdated, from: 2) { data in
        guard case .object(var o) = data else { return data }
        o["s"] = o["subject"]
        o["subject"] = nil
        return .object(o)
    }

    static func writingVersion2(_ downgrades: [EventVersions.Downgrade]) -> EventVersions {
        EventVersions(downgrades: downgrades) { $0 == .delegationUpdated ? 2 : 1 }
    }

    @Test func aSubscriberOfTheOlderVersionGetsItTurnedIntoThat() throws {
        let f = try RelayFixture(settings: fastSettings(), versions: Self.writingVersion2([Self.renamed]))
        try f.startConsumer(reads: ["delegation.updated": [1]])
        try f.produceTogether([("a", "k", 0), ("b", "k", 0)], dataVersion: 2)
        try f.waitUntil("both applied") { f.appliedSubjects() == ["a", "b"] }
        let seen = f.consumer.data.withLock { $0 }
        #expect(seen.map(\.version) == [1, 1])
        #expect(seen.map(\.data) == [["s": "a"], ["s": "b"]], "as version 1 said it")
        #expect(try f.deliveries("dead").isEmpty)
    }

    @Test func aSubscriberThatReadsTheNewVersionGetsItAsWritten() throws {
        let f = try RelayFixture(settings: fastSettings(), versions: Self.writingVersion2([Self.renamed]))
        try f.startConsumer(reads: ["delegation.updated": [1, 2]])
        try f.produceTogether([("a", "k", 0)], dataVersion: 2)
        try f.waitUntil("applied") { f.appliedSubjects() == ["a"] }
        #expect(f.consumer.data.withLock { $0.map(\.version) } == [2])
        #expect(f.consumer.data.withLock { $0.map(\.data) } == [["subject": "a"]])
    }

    @Test func withNoWayToTurnItTheEventWaitsForTheUpgradeAndThenArrivesInOrder() throws {
        let f = try RelayFixture(settings: fastSettings(), versions: Self.writingVersion2([]))
        try f.startConsumer(reads: ["delegation.updated": [1]])
        try f.produceTogether([("a", "k", 0), ("b", "k", 0)], dataVersion: 2)
        try f.produce(["other"]) { _ in "k2" }  // another key goes on meanwhile
        // The held events are recorded behind the relay's round: wait for them too.
        try f.waitUntil("the other key delivered and the two held") {
            let exceptions: Int64 =
                (try? f.producer.read { db in try db.queryOne("SELECT count(*) AS n FROM delivery_exceptions")?["n"] })
                ?? 0
            return f.appliedSubjects() == ["other"] && exceptions == 2
        }
        let held = try f.producer.read { db in
            try db.query("SELECT outbox_seq, status, attempts, last_error FROM delivery_exceptions ORDER BY outbox_seq")
                .map { r in (try r["status"] as String, try r["attempts"] as Int64, try r["last_error"] as String?) }
        }
        #expect(held.count == 2 && held.allSatisfy { $0.0 == "pending" && $0.1 == 0 }, "\(held)")
        #expect(held.first?.2?.hasPrefix("upgrade needed: consumer reads delegation.updated version 1") == true, "\(held)")
        #expect(try f.deliveries("dead").isEmpty, "never dead for being newer")
        // The consumer is upgraded (it now reads version 2); the relay reconnects with the next
        // event and sends what waited, in order.
        f.stopConsumer()
        try f.startConsumer(reads: ["delegation.updated": [1, 2]])
        try f.produce(["later"]) { _ in "k3" }
        try f.waitUntil("the held events applied in order") { f.appliedSubjects() == ["other", "later", "a", "b"] }
        #expect(f.consumer.data.withLock { $0.suffix(2).map(\.version) } == [2, 2])
    }

    @Test func aConsumerRefusesATypeItDoesNotKnowAsWaitingForItsUpgrade() throws {
        let f = try RelayFixture(settings: fastSettings())
        let refused = try Inbox.deliver(
            [JSONEncoding.encode(
                CloudEvent(
                    id: "evt-1", source: "producer", type: "delegation.updated", subject: "a", time: "2026-12-04T00:00:00Z",
                    partitionkey: "k", sequence: 1, data: [:]))],
            store: f.consumer.eventStore, log: f.log, consumer: f.consumer, reads: ["delegation.confirmed": [1]])
        #expect(refused.first?.status == .failed)
        #expect(refused.first?.error?.retryable == true)
        #expect(refused.first?.error?.details?["reason"] == "upgrade_needed", "\(String(describing: refused.first?.error))")
        #expect(f.appliedSubjects().isEmpty)
    }

    @Test func whenTheConsumerSaysSoTheRelayHoldsTheEventWithoutCountingAttempts() throws {
        // The consumer says nothing of what it reads (so the relay sends version 1) but knows
        // only delegation.confirmed: it answers upgrade_needed.
        let f = try RelayFixture(settings: fastSettings())
        try f.startConsumerKnowing(["delegation.confirmed": [1]])
        try f.produce(["a"])
        try f.waitUntil("held for the upgrade") {
            try f.producer.read { db in
                try db.queryOne("SELECT last_error FROM delivery_exceptions WHERE status = 'pending'")?["last_error"]
                    as String?
            }?.hasPrefix("upgrade needed: ") == true
        }
        usleep(300_000)
        let attempts: Int64 = try f.producer.read { db in try db.queryOne("SELECT attempts FROM delivery_exceptions")!["attempts"] }
        #expect(attempts == 0, "waiting for an upgrade is not an attempt (max_attempts is 3 here)")
        #expect(try f.deliveries("dead").isEmpty)
    }

    /// This release's own version 2s (issue 27.5): what the previous release is given.
    @Test func thisReleasesVisitAndAgreementDataTurnIntoWhatThePreviousReleaseReads() throws {
        let visit: JSONValue = ["id": "del-1", "title": "Recent", "date": "2020/2025-05"]
        let (v, vv) = try #require(try EventVersions.release.data(visit, of: .delegationRecorded, version: 2, for: [1]))
        #expect(vv == 1 && v["date"] == "~2025" && v["title"] == "Recent")
        let plain: JSONValue = ["id": "del-2", "date": "2024-10"]
        #expect(try EventVersions.release.data(plain, of: .delegationUpdated, version: 2, for: [1])?.0 == plain)
        let agreement: JSONValue = ["id": "agr-1", "coordinator": ["name": "BIT International Office"]]
        let (a, _) = try #require(try EventVersions.release.data(agreement, of: .agreementRecorded, version: 2, for: [1]))
        #expect(a["coordinator"] == ["name": "BIT International Office", "email": "unknown@invalid"])
        #expect(EventVersions.release.versions(of: .partnerUpdated) == [1])
        #expect(EventVersions.release.versions(of: .agreementSigned) == [2, 1])
    }
}
