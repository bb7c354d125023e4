import Foundation
import LiaisonHost
import LiaisonJSON
import LiaisonProcess
import LiaisonWire

/// What a recovery did, service by service.
struct RecoveryOutcome: Encodable {
    struct Service: Encodable {
        var name: String
        /// Records taken back from the other services, by kind.
        var recovered: [String: Int] = [:]
        /// Keys whose event sequence continues after what the subscribers had seen.
        var sequences = 0
        /// Events sent again to it, by producer.
        var replayed: [String: Int] = [:]
        /// What could not be taken back, named.
        var named: [String] = []
        var gaps: [String] = []
    }
    var services: [Service]
}

extension CLI {
    static var recoverCommand: CLICommand {
        Command(
            name: "recover",
            abstract: "Bring services restored from a backup level with the others (liaison restore runs it).",
            usage: "recover SERVICE...|all [--json]",
            arguments: [("SERVICE...", "Services that were restored, or all.")],
            discussion: """
                For a producer: takes back each record its subscribers hold newer than its database (every event \
                carried its record whole), continues its sequences and references after what they have seen, and \
                takes writes again. For a consumer: asks each producer to send again what it has not applied.
                """
        ) { args, ctx in
            let outcome = try recover(try serviceNames(args, ctx), ctx)
            if ctx.json { ctx.printJSON(outcome) } else { printRecovery(outcome, ctx) }
            return ExitCode.ok
        }
    }

    /// Recovers `names` (restored): producers first take back what their subscribers hold, then
    /// consumers are sent again what they lack, then each takes writes again.
    static func recover(_ names: [String], _ ctx: CLIContext) throws -> RecoveryOutcome {
        let mesh = try ctx.mesh()
        var emits: [String: [String]] = [:]
        for s in mesh.config.services {
            emits[s.name] = (try? ctx.call(ServiceAPI.describe, NoParams(), on: s.name))?.events.emits.map(\.type) ?? []
        }
        var out: [String: RecoveryOutcome.Service] = [:]
        for name in names { out[name] = RecoveryOutcome.Service(name: name) }
        // As a producer: what each subscriber holds of it comes back.
        for name in names {
            let types = emits[name] ?? []
            for sub in mesh.config.services where sub.name != name && types.contains(where: sub.consumes(type:)) {
                var cursor: String?
                repeat {
                    let page = try ctx.call(
                        RecoveryAPI.last,
                        LastEventsParams(source: name, limit: 200, cursor: cursor),
                        on: sub.name
                    )
                    if !page.items.isEmpty {
                        let r = try ctx.call(
                            RecoveryAPI.recover,
                            RecoverParams(from: sub.name, events: page.items),
                            on: name
                        )
                        out[name]?.recovered = r.recovered
                        out[name]?.sequences = r.sequences
                    }
                    cursor = page.nextCursor
                } while cursor != nil
            }
        }
        // As a consumer: each producer sends again what it has not applied.
        var waits: [(producer: String, subscriber: String)] = []
        for name in names {
            guard let me = mesh.service(name) else { continue }
            for producer in mesh.config.services where producer.name != name {
                guard (emits[producer.name] ?? []).contains(where: me.consumes(type:)) else { continue }
                var cursor: String?
                repeat {
                    let page = try ctx.call(
                        RecoveryAPI.positions,
                        PositionsParams(source: producer.name, limit: 1000, cursor: cursor),
                        on: name
                    )
                    _ = try ctx.call(
                        RecoveryAPI.replay,
                        ReplayParams(subscriber: name, positions: page.items),
                        on: producer.name
                    )
                    cursor = page.nextCursor
                } while cursor != nil
                let r = try ctx.call(RecoveryAPI.replay, ReplayParams(subscriber: name, done: true), on: producer.name)
                out[name]?.replayed[producer.name] = r.events
                out[name]?.gaps += r.gaps.map { "\(producer.name): \($0)" }
                waits.append((producer.name, name))
            }
        }
        // What was sent again has arrived before writes resume.
        let deadline = monotonicNanos() + 120_000_000_000
        for w in waits {
            while monotonicNanos() < deadline {
                let h = try ctx.call(ServiceAPI.health, NoParams(), on: w.producer)
                if (h.outbox?.subscribers[w.subscriber]?.pending ?? 0) == 0 { break }
                usleep(100_000)
            }
        }
        for name in names {
            let r = try ctx.call(RecoveryAPI.recover, RecoverParams(done: true), on: name)
            out[name]?.recovered = r.recovered
            out[name]?.sequences = r.sequences
            out[name]?.named += r.named
        }
        return RecoveryOutcome(services: names.compactMap { out[$0] })
    }

    static func printRecovery(_ o: RecoveryOutcome, _ ctx: CLIContext) {
        for s in o.services {
            let took =
                s.recovered.isEmpty
                ? "nothing newer"
                : s.recovered.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)(s)" }.joined(separator: ", ")
            ctx.print(
                "\(s.name): took back \(took) from the other services; \(s.sequences) key(s) continue after what "
                    + "they have seen"
            )
            for (p, n) in s.replayed.sorted(by: { $0.key < $1.key }) { ctx.print("  \(p) sent \(n) event(s) again") }
            for n in s.named { ctx.print("  \(n)") }
            // Record by record (all of them with --json).
            let shown = 20
            for g in s.gaps.prefix(shown) { ctx.print("  not sent again, no longer held: \(g)") }
            if s.gaps.count > shown { ctx.print("  … and \(s.gaps.count - shown) more (--json lists them)") }
        }
    }
}
