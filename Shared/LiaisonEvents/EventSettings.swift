import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// How the outbox relay and the inbox behave; from the `events` object of a service's
/// `settings` in the mesh file.
package struct EventSettings: Sendable, Equatable {
    /// Events per `events.deliver` call.
    package var batch = 500
    /// Event-level failures before a delivery is dead (an unreachable subscriber never counts).
    package var maxAttempts = 20
    /// First retry delay; doubles per attempt, ±20 % jitter.
    package var retryBaseMs = 200
    /// Longest retry delay.
    package var retryCapMs = 60_000
    /// Fallback poll when nothing wakes the relay. Every commit that adds events and every
    /// redrive or skip wakes it, and retries wake it when due, so this is only a safety net and
    /// long enough not to wake an idle service.
    package var pollMs = 60_000
    /// How long one delivery call may take.
    package var callTimeoutMs = 10_000
    /// Delivered outbox rows are pruned after this long: a subscriber restored from a backup
    /// this old is sent again what it lacks (events.replay).
    package var pruneDeliveredAfterMs: Int64 = 8 * 24 * 3600 * 1000
    /// How often the relay prunes.
    package var pruneEveryMs: Int64 = 60_000
    /// Inbox ids (duplicate detection) are kept this long; watermarks forever.
    package var keepInboxIdsMs: Int64 = 7 * 24 * 3600 * 1000

    package init() {}

    /// Reads `settings.events`, keeping defaults for what is absent.
    package static func from(_ settings: JSONValue) throws -> EventSettings {
        var s = EventSettings()
        guard let e = settings["events"] else { return s }
        guard case .object = e else { throw MeshError("settings.events: expected an object") }
        func int(_ key: String, _ range: ClosedRange<Int64>) throws -> Int64? {
            guard let v = e[key] else { return nil }
            guard let i = v.intValue, range.contains(i) else {
                throw MeshError(
                    "settings.events.\(key): expected an integer from \(range.lowerBound) to \(range.upperBound)"
                )
            }
            return i
        }
        if let v = try int("batch", 1...5000) { s.batch = Int(v) }
        if let v = try int("max_attempts", 1...1000) { s.maxAttempts = Int(v) }
        if let v = try int("retry_base_ms", 1...600_000) { s.retryBaseMs = Int(v) }
        if let v = try int("retry_cap_ms", 1...86_400_000) { s.retryCapMs = Int(v) }
        if let v = try int("poll_ms", 10...600_000) { s.pollMs = Int(v) }
        if let v = try int("call_timeout_ms", 100...600_000) { s.callTimeoutMs = Int(v) }
        if let v = try int("prune_delivered_after_s", 0...31_536_000) { s.pruneDeliveredAfterMs = v * 1000 }
        if let v = try int("keep_inbox_ids_s", 60...31_536_000) { s.keepInboxIdsMs = v * 1000 }
        if let v = try int("prune_every_s", 1...86_400) { s.pruneEveryMs = v * 1000 }
        return s
    }

    /// The delay before retry number `attempt` (1-based), jittered by `jitter` in -1...1.
    package func retryDelayMs(attempt: Int, jitter: Double) -> Int {
        let base = min(Double(retryBaseMs) * pow2(attempt - 1), Double(retryCapMs))
        return max(1, Int((base * (1 + 0.2 * max(-1, min(1, jitter)))).rounded()))
    }

    private func pow2(_ n: Int) -> Double {
        n >= 60 ? Double.greatestFiniteMagnitude : Double(UInt64(1) << UInt64(max(n, 0)))
    }
}
