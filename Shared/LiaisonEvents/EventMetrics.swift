import LiaisonHost
import LiaisonStore
import LiaisonSync
import LiaisonJSON
import LiaisonWire

/// The events' part of `service.metrics`: each subscriber's backlog at a producer, what a
/// consumer's inbox did with what it received, the store's commits.
package enum EventMetrics {
    /// Pending and dead deliveries and the oldest pending one's age, per subscriber (every
    /// subscriber has its series, zero when nothing waits).
    package static func outbox(_ store: Store, subscriptions: Subscriptions) -> [MetricFamily] {
        var pending = MetricFamily(
            "liaison_outbox_pending",
            .gauge,
            "Events committed and not yet delivered, per subscriber."
        )
        var dead = MetricFamily("liaison_outbox_dead", .gauge, "Deliveries given up on (dead letters), per subscriber.")
        var age = MetricFamily(
            "liaison_outbox_oldest_pending_age_seconds",
            .gauge,
            "Age of the oldest undelivered event, per subscriber."
        )
        var counts: [String: (pending: Double, dead: Double, oldest: Int64?)] = [:]
        for s in subscriptions.subscribers.keys {
            let c = try? store.readForControl { db in
                try Backlog.counts(db, subscriber: s, subscriptions: subscriptions)
            }
            counts[s] = (Double(c?.pending ?? 0), Double(c?.dead ?? 0), c?.oldestPendingMs)
        }
        let now = wallClockMillis()
        for (sub, c) in counts.sorted(by: { $0.key < $1.key }) {
            pending.samples.append(MetricSample(["subscriber": sub], c.pending))
            dead.samples.append(MetricSample(["subscriber": sub], c.dead))
            age.samples.append(MetricSample(["subscriber": sub], c.oldest.map { Double(max(now - $0, 0)) / 1000 } ?? 0))
        }
        return [pending, dead, age]
    }

    /// The store's group commits.
    package static func store(_ store: Store) -> [MetricFamily] {
        let c = store.commitCounters
        return [
            .counter("liaison_store_commits", "Transactions committed (each one fsync).", Double(c.commits)),
            .counter("liaison_store_writes", "Writes committed (several share a commit).", Double(c.writes)),
        ]
    }
}

/// What a consumer's inbox did with the events delivered to it, since the process started.
package final class InboxCounters: Sendable {
    private let counts = Locked<[DeliveryStatus: UInt64]>([:])

    package init() {}

    func add(_ results: [DeliveryResult]) { counts.withLock { c in for r in results { c[r.status, default: 0] += 1 } } }

    package func families() -> [MetricFamily] {
        let c = counts.withLock { $0 }
        return [
            MetricFamily(
                "liaison_inbox_events",
                .counter,
                "Events delivered to this service, by what the inbox did (applied, duplicate, …).",
                DeliveryStatus.allCases.map { MetricSample(["result": $0.rawValue], Double(c[$0] ?? 0)) }
            )
        ]
    }
}
