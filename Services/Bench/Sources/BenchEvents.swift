import LiaisonCLI
import Foundation
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Synchronization

extension Bench {
    static var benchEvents: CLICommand {
        Command(
            name: "events",
            abstract: "Drive N delegation changes and measure events/s until every subscriber has committed them.",
            usage: "bench events [--count N] [--connections C] [--pipeline P] [--delegations K] [--json]",
            options: [
                OptionSpec(["--count", "-n"], value: "N", "Delegation changes, one event each (default 10000)."),
                OptionSpec(["--connections", "-c"], value: "C", "Concurrent writers (default 16)."),
                OptionSpec(
                    ["--pipeline"],
                    value: "P",
                    "Changes in flight per connection, each on its own delegation (default 8)."
                ),
                OptionSpec(
                    ["--delegations"],
                    value: "K",
                    "Delegations the changes are spread over (default: connections × pipeline × 2)."
                ),
                OptionSpec(["--timeout"], value: "S", "Give up waiting for delivery after S seconds (default 300)."),
            ]
        ) { args, ctx in
            let count = try args.int("--count", default: 10_000, in: 1...10_000_000)
            let conns = try args.int("--connections", default: 16, in: 1...256)
            let pipeline = try args.int("--pipeline", default: 8, in: 1...256)
            let keys = max(
                try args.int("--delegations", default: conns * pipeline * 2, in: 1...100_000),
                conns * pipeline
            )
            let timeout = try args.int("--timeout", default: 300, in: 1...86_400)
            let path = try ctx.socket(of: "delegations")
            let setup = try ctx.client("delegations", timeoutMs: 5000)

            // Setup (not timed): confirmed delegations, so every change emits delegation.updated.
            let run = IDs.make("bench")
            var ids: [(String, Int64)] = []
            for k in 0..<keys {
                let draft: JSONValue = [
                    "direction": "inbound", "title": .string("Benchmark visit \(k)"),
                    "external_key": .string("\(run)-\(k)"),
                    "partner": ["name": "Benchmark partner", "kind": "other", "country": "UG"],
                    "starts_at": "2030-01-01T09:00", "ends_at": "2030-01-01T17:00",
                ]
                do throws(ServiceError) {
                    let d = try setup.call("delegations.create", draft, timeoutMs: 30_000)
                    let c = try setup.call(
                        "delegations.confirm",
                        ["id": d["id"]!, "expected_version": 1],
                        timeoutMs: 30_000
                    )
                    ids.append((c["id"]!.stringValue!, c["version"]!.intValue!))
                } catch { throw CLIError(remote: error, service: "delegations") }
            }
            let after =
                try ctx.callRaw("delegations", "events.outbox", ["after_seq": 0, "limit": 1])["last_seq"]?.intValue ?? 0
            _ = try waitForDelivery(ctx, after: 0, expect: nil, timeoutS: timeout)  // let the setup events drain first

            // The timed part: each writer owns a slice of the delegations.
            let progress = BenchProgress(
                ctx,
                "bench events: \(count) changes over \(keys) delegations, \(conns) connections × \(pipeline) in flight"
            )
            let failures = Atomic<Int>(0)
            let done = DispatchSemaphore(value: 0)
            let t0 = monotonicNanos()
            for w in 0..<conns {
                let mine = stride(from: w, to: ids.count, by: conns).map { ids[$0] }
                let share = count / conns + (w < count % conns ? 1 : 0)
                try OwnedThread.start(name: "bench-w") {
                    defer { done.signal() }
                    guard let c = try? WireClient(path: path, timeoutMs: 5000), !mine.isEmpty else {
                        failures.wrappingAdd(share, ordering: .relaxed); return
                    }
                    // Up to `pipeline` calls in flight, never two on the same delegation.
                    var versions = mine.map(\.1)
                    var busy = Set<Int>()
                    var inFlight: [String: Int] = [:]
                    var next = 0, sent = 0, received = 0
                    while received < share {
                        while sent < share && inFlight.count < pipeline {
                            var k = next % mine.count
                            while busy.contains(k) { k = (k + 1) % mine.count }
                            next = k + 1
                            guard
                                let id = try? c.send(
                                    "delegations.update",
                                    [
                                        "id": .string(mine[k].0), "expected_version": .int(versions[k]),
                                        "notes": .string("change \(sent)"),
                                    ],
                                    timeoutMs: 30_000
                                )
                            else {
                                failures.wrappingAdd(share - received, ordering: .relaxed)
                                return
                            }
                            busy.insert(k)
                            inFlight[id] = k
                            sent += 1
                        }
                        guard let m = try? c.receiveMessage(deadline: monotonicNanos() + 30_000_000_000), let id = m.id,
                            let k = inFlight.removeValue(forKey: id)
                        else {
                            failures.wrappingAdd(share - received, ordering: .relaxed)
                            return
                        }
                        busy.remove(k)
                        received += 1
                        if m.kind == .error {
                            failures.wrappingAdd(1, ordering: .relaxed)
                        } else {
                            versions[k] = m.result["version"]?.intValue ?? versions[k] + 1
                        }
                    }
                }
            }
            var finished = 0
            while finished < conns {
                if done.wait(timeout: .now() + .milliseconds(100)) == .success { finished += 1; continue }
                progress.update("producing: \(Int(Double(monotonicNanos() - t0) / 1e9)) s")
            }
            let produced = Double(monotonicNanos() - t0) / 1e9
            let stats = try waitForDelivery(
                ctx,
                after: after,
                expect: count - failures.load(ordering: .relaxed),
                timeoutS: timeout,
                progress: progress
            )
            progress.done()
            let total = Double(monotonicNanos() - t0) / 1e9
            let n = Double(stats["events"]?.intValue ?? 0)
            let out: JSONValue = [
                "changes": .int(Int64(count)), "failed": .int(Int64(failures.load(ordering: .relaxed))),
                "connections": .int(Int64(conns)),
                "pipeline": .int(Int64(pipeline)),
                "delegations": .int(Int64(keys)), "produce_seconds": .double(produced),
                "end_to_end_seconds": .double(total),
                "produced_per_s": .double((n / produced).rounded()), "events_per_s": .double((n / total).rounded()),
                "latency_p50_ms": stats["p50_ms"] ?? .null, "latency_p99_ms": stats["p99_ms"] ?? .null,
                "latency_max_ms": stats["max_ms"] ?? .null,
                "subscribers": .int(Int64(try subscriberCount(ctx))),
            ]
            if ctx.json {
                ctx.printJSON(out)
            } else {
                ctx.print(
                    "\(Int(n)) delegation changes → events delivered to \(out["subscribers"]!.intValue!) subscribers; "
                        + "\(conns) connections × \(pipeline) in flight over \(keys) delegations"
                )
                func ms(_ key: String) -> String { latencyText(micros: (stats[key]?.doubleValue ?? 0) * 1000) }
                ctx.print(
                    "  produced in \(threeSignificant(produced)) s (\(Int(n / produced)) events/s committed at the "
                        + "producer)"
                )
                ctx.print(
                    "  end to end in \(threeSignificant(total)) s: \(Int(n / total)) events/s committed at every "
                        + "subscriber"
                )
                ctx.print(
                    "  latency commit → last subscriber's commit: p50 \(ms("p50_ms"))  p99 \(ms("p99_ms"))  max "
                        + "\(ms("max_ms"))"
                )
                if failures.load(ordering: .relaxed) > 0 {
                    ctx.print("  \(failures.load(ordering: .relaxed)) changes failed")
                }
            }
            return failures.load(ordering: .relaxed) == 0 ? ExitCode.ok : ExitCode.failure
        }
    }

    static func subscriberCount(_ ctx: CLIContext) throws -> Int {
        try ctx.mesh().config.services.filter { $0.consumes(type: "delegation.updated") && $0.name != "delegations" }
            .count
    }

    /// Polls events.latency until every event after `after` is delivered (and, when given, there are `expect` of them).
    static func waitForDelivery(
        _ ctx: CLIContext,
        after: Int64,
        expect: Int?,
        timeoutS: Int,
        progress: BenchProgress? = nil
    ) throws -> JSONValue {
        let deadline = monotonicNanos() + UInt64(timeoutS) * 1_000_000_000
        while true {
            let s = try ctx.callRaw("delegations", "events.latency", ["after_seq": .int(after)])
            let ready = s["undelivered"] == 0 && (expect.map { Int64($0) <= (s["events"]?.intValue ?? 0) } ?? true)
            if ready { return s }
            progress?.update("delivering: \(s["undelivered"]?.intValue ?? 0) events not yet at every subscriber")
            if monotonicNanos() > deadline {
                throw CLIError(
                    ExitCode.tempFail,
                    "events not delivered within \(timeoutS) s: \(s["undelivered"]?.intValue ?? 0) still pending",
                    hint: "'liaison queue' shows what is stuck"
                )
            }
            usleep(20_000)
        }
    }
}
