import Foundation
import LiaisonProcess
import LiaisonWire

/// Where an event waits on its way (issue 30): with `LIAISON_TRACE_EVENTS=1` in a service's
/// environment, each stage logs `event.trace` with the stage, what it holds (outbox sequences,
/// subscriber, count) and `mono_us`, CLOCK_MONOTONIC in microseconds, which every process of the
/// host reads alike, so that one event's lines from the producer and its subscribers line up.
/// Off (the default) a stage costs one load of a flag: its fields are not even worked out.
///
/// Stages, in order: `committed` (the producer's transaction that appended events is on disk),
/// `read` (a subscriber's relay round took them from the outbox), `sent` (its `events.deliver`
/// call is written), `received` (the subscriber's handler starts: the frame read and a delivery
/// worker free), `applied` (the subscriber's transaction committed), `answered` (the relay has the
/// answer), `acked` (the relay's record of it committed).
package enum EventTrace {
    package static let enabled = ProcessInfo.processInfo.environment["LIAISON_TRACE_EVENTS"] == "1"

    package static func mark(
        _ log: Logger,
        _ stage: String,
        _ fields: @autoclosure () -> KeyValuePairs<String, String> = [:]
    ) {
        guard enabled else { return }
        var all: [(String, String)] = [("stage", stage), ("mono_us", String(monotonicNanos() / 1000))]
        all += fields().map { ($0.key, $0.value) }
        log.log(.info, "event.trace", pairs: all)
    }
}
