import Foundation
import LiaisonJSON
import LiaisonWire
import Testing

/// `LIAISON_TRACE_EVENTS=1` (issue 30): one event's stages, logged by the producer and its
/// subscribers on the host's monotonic clock, line up in the order the event goes through them.
@Suite(.serialized, .timeLimit(.minutes(3))) struct EventTraceTests {
    struct Mark {
        var stage: String
        var us: Int64
        var fields: [String: String]
    }

    /// The `event.trace` lines of a service's log, in the order written.
    static func marks(_ home: String, _ service: String) -> [Mark] {
        let text = (try? String(contentsOfFile: home + "/log/\(service).log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.contains("event=event.trace") }.compactMap { line in
            var fields: [String: String] = [:]
            for part in line.split(separator: " ") {
                guard let eq = part.firstIndex(of: "=") else { continue }
                fields[String(part[..<eq])] = String(part[part.index(after: eq)...])
            }
            guard let stage = fields["stage"], let us = fields["mono_us"].flatMap({ Int64($0) }) else { return nil }
            return Mark(stage: stage, us: us, fields: fields)
        }
    }

    @Test func oneEventsStagesLineUpAcrossTheProcesses() throws {
        let mesh = try MeshHarness(env: ["LIAISON_TRACE_EVENTS": "1"])
        try mesh.visit("Traced visit", confirm: true)
        let acked = eventually(timeoutMs: 20_000) { () -> [Mark]? in
            let a = Self.marks(mesh.home, "delegations").filter { $0.stage == "acked" }
            return Set(a.compactMap { $0.fields["subscriber"] }).count == 2 ? a : nil
        }
        let log = (try? String(contentsOfFile: mesh.home + "/log/delegations.log", encoding: .utf8)) ?? ""
        #expect(acked != nil, "both subscribers acknowledged with the trace on: \(log.suffix(3000))")
        let producer = Self.marks(mesh.home, "delegations")
        for subscriber in ["agreements", "notifications"] {
            let mine = producer.filter { $0.fields["subscriber"] == subscriber }
            let sent = try #require(mine.first { $0.stage == "sent" })
            let read = try #require(mine.first { $0.stage == "read" && $0.fields["seq"] == sent.fields["seq"] })
            let answered = try #require(mine.first { $0.stage == "answered" && $0.fields["seq"] == sent.fields["seq"] })
            let ack = try #require(mine.first { $0.stage == "acked" && $0.fields["seq"] == sent.fields["seq"] })
            let committed = try #require(producer.last { $0.stage == "committed" && $0.us <= read.us })
            let theirs = Self.marks(mesh.home, subscriber)
            let received = try #require(theirs.first { $0.stage == "received" && $0.us >= sent.us })
            let applied = try #require(theirs.first { $0.stage == "applied" && $0.us >= received.us })
            let order = [committed, read, sent, received, applied, answered, ack].map(\.us)
            #expect(order == order.sorted(), "\(subscriber): \(zip(order.dropFirst(), order).map { $0 - $1 }) µs")
            #expect(applied.us <= answered.us, "the answer comes after the subscriber's commit")
        }
    }

    /// A delivery that is not committed is traced `failed`, not `applied` (it was marked applied
    /// whatever became of it).
    @Test func aDeliveryThatFailsIsTracedAsFailed() throws {
        let mesh = try MeshHarness(env: ["LIAISON_TRACE_EVENTS": "1"])
        let c = try WireClient(path: mesh.socket("agreements"))
        let answer = try c.call("events.deliver", ["events": [["type": "delegation.updated"]]])
        #expect(answer["results"]?[0]?["status"] == "failed", "\(answer)")
        let marks = eventually(timeoutMs: 5_000) { () -> [Mark]? in
            let m = Self.marks(mesh.home, "agreements")
            return m.contains { $0.stage == "failed" } ? m : nil
        }
        #expect(marks?.first { $0.stage == "failed" }?.fields["count"] == "1", "\(String(describing: marks))")
        #expect(marks?.contains { $0.stage == "applied" } == false, "nothing was applied")
    }
}
