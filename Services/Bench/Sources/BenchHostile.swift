import LiaisonCLI
import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension Bench {
    static var benchHostile: CLICommand {
        Command(
            name: "hostile",
            abstract:
                "What hostile callers cost others: control and ordinary calls while another user holds idle "
                + "connections, health under a pipelined flood, memory under a client that never reads, the "
                + "1,000-item itinerary check, memory after connections closed mid-frame, events of a type their "
                + "source does not emit, the mail a burst of edits of one visit sends.",
            usage:
                "bench hostile [--idle N] [--flood N] [--list-limit N] [--samples K] [--holder-uid U] [--closed N] "
                + "[--checks N] [--edits S] [--json]",
            options: [
                OptionSpec(["--idle"], value: "N", "Idle connections held by another user (default 1100)."),
                OptionSpec(
                    ["--flood"],
                    value: "N",
                    "Pipelined delegations.list calls, and calls sent by the client that never reads (default 600)."
                ),
                OptionSpec(
                    ["--list-limit"],
                    value: "N",
                    "Their page size; that many delegations are made first if fewer exist (default 500)."
                ),
                OptionSpec(["--samples"], value: "K", "Calls timed per measurement (default 50)."),
                OptionSpec(
                    ["--checks"],
                    value: "N",
                    "1,000-item checks another process pipelines while lists are timed (default 32)."
                ),
                OptionSpec(
                    ["--closed"],
                    value: "N",
                    "Connections that send a 1 MiB frame (or half of one) and close (default 1000)."
                ),
                OptionSpec(
                    ["--edits"],
                    value: "S",
                    "Seconds of edits of one confirmed visit of 20 people; the mail they queue is counted (default 10)."
                ),
                OptionSpec(
                    ["--holder-uid"],
                    value: "U",
                    "Who holds the idle connections (default 65534 when run as root, else you)."
                ),
            ]
        ) { args, ctx in
            var h = try Hostile(
                ctx,
                idle: args.int("--idle", default: 1100, in: 0...100_000),
                flood: args.int("--flood", default: 600, in: 1...100_000),
                listLimit: args.int("--list-limit", default: 500, in: 1...500),
                samples: args.int("--samples", default: 50, in: 1...10_000),
                closed: args.int("--closed", default: 1000, in: 0...100_000),
                checks: args.int("--checks", default: 32, in: 0...1000),
                edits: args.int("--edits", default: 10, in: 0...3600),
                holderUID: args.value("--holder-uid").flatMap { UInt32($0) } ?? (getuid() == 0 ? 65534 : getuid())
            )
            let report = try h.run()
            if ctx.json { ctx.printJSON(JSONValue.object(report)) } else { h.printReport(report) }
            return (report["failed_calls"]?.intValue ?? 0) == 0 && (report["restarts"]?.intValue ?? 0) == 0
                ? ExitCode.ok : ExitCode.failure
        }
    }

    /// The measurements of `bench hostile`, against the delegations service.
    struct Hostile {
        let ctx: CLIContext
        let idle, flood, listLimit, samples, closed, checks, edits: Int
        let holderUID: UInt32
        let service = "delegations"
        var failed = 0
        let progress: BenchProgress

        init(
            _ ctx: CLIContext,
            idle: Int,
            flood: Int,
            listLimit: Int,
            samples: Int,
            closed: Int,
            checks: Int,
            edits: Int,
            holderUID: UInt32
        ) throws {
            (self.ctx, self.idle, self.flood, self.listLimit, self.samples, self.closed, self.checks) =
                (ctx, idle, flood, listLimit, samples, closed, checks)
            (self.edits, self.holderUID) = (edits, holderUID)
            progress = BenchProgress(
                ctx,
                "bench hostile against \(service): \(idle) idle connections, a flood of \(flood) pipelined lists of "
                    + "\(listLimit), \(samples) samples per measurement"
            )
        }

        func socket(_ s: String) throws -> String { try ctx.socket(of: s) }

        /// The service's pid and restarts as the supervisor reports them.
        func row() throws -> (pid: Int32, restarts: Int64) {
            let r = try ctx.callRaw("supervisor", "supervisor.status", [:])["services"]?.arrayValue?.first {
                $0["name"]?.stringValue == service
            }
            return (Int32(r?["pid"]?.intValue ?? 0), r?["restarts"]?.intValue ?? 0)
        }

        /// VmRSS and VmHWM of `pid`, in KiB.
        static func memory(_ pid: Int32) -> (rss: Int, hwm: Int) {
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            func field(_ name: String) -> Int {
                let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
                return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
            }
            return (field("VmRSS"), field("VmHWM"))
        }

        /// Times `samples` calls, each on a new connection (as a fresh client would make it).
        mutating func time(_ path: String, _ method: String, _ params: JSONValue = [:]) -> JSONValue {
            var h = LatencyHistogram()
            var bad = 0
            for _ in 0..<samples {
                let t0 = monotonicNanos()
                do { _ = try WireClient(path: path, timeoutMs: 5000).call(method, params, timeoutMs: 5000) } catch {
                    bad += 1
                }
                h.record(micros: (monotonicNanos() - t0) / 1000)
            }
            failed += bad
            return [
                "p50_us": .int(Int64(h.percentile(0.5))), "max_us": .int(Int64(h.maxMicros)),
                "failed": .int(Int64(bad)),
            ]
        }

        /// Health, `supervisor.status` and an ordinary call, each timed.
        mutating func threeCalls() throws -> JSONValue {
            let path = try socket(service)
            return [
                "service_health": time(path, "service.health"),
                "supervisor_status": time(try socket("supervisor"), "supervisor.status"),
                "ordinary_call": time(path, "delegations.list", ["limit": 1]),
            ]
        }

        mutating func run() throws -> JSONObject {
            let before = try row()
            defer { progress.done() }
            progress.update("seeding \(listLimit) delegations", phase: true)
            try seed()
            var out: JSONObject = ["service": .string(service)]
            progress.update("baseline", phase: true)
            out["baseline"] = try threeCalls()
            // The check first, while nothing else runs: the floods leave work behind them.
            progress.update("the 1,000-item itinerary check", phase: true)
            out["itinerary_check"] = try check()
            progress.update("\(idle) idle connections held", phase: true)
            if idle > 0 { out["idle_connections"] = try idleFlood() }
            progress.update("pipelined flood", phase: true)
            out["pipelined_flood"] = try pipelined()
            progress.update("a client that never reads", phase: true)
            out["never_reading_client"] = try neverReading()
            if checks > 0 {
                progress.update("\(checks) pipelined checks from another process", phase: true)
                out["check_flood"] = try checkFlood(checks: checks)
            }
            progress.update("forged events", phase: true)
            out["forged_events"] = try forged()
            if closed > 0 {
                progress.update("\(closed) connections closed mid-frame", phase: true)
                out["closed_frames"] = try closedFrames()
            }
            if edits > 0 {
                progress.update("\(edits) s of edits of one confirmed visit", phase: true)
                out["edit_burst"] = try editBurst(seconds: edits)
            }
            let after = try row()
            out["restarts"] = .int(after.restarts - before.restarts)
            out["failed_calls"] = .int(Int64(failed))
            return out
        }

        /// Makes delegations until a page of `listLimit` is full.
        func seed() throws {
            let have =
                try ctx.callRaw(service, "delegations.list", ["limit": .int(Int64(listLimit))])["items"]?.arrayValue?
                .count ?? 0
            for i in have..<listLimit {
                _ = try ctx.callRaw(
                    service,
                    "delegations.create",
                    Self.draft("Bench hostile \(i)", items: 1, venue: "Bench room \(i)", day: "2031-04-02")
                )
            }
        }

        /// A visit on `day` whose `items` all take the same hour, room and host.
        static func draft(_ title: String, items: Int, venue: String, day: String = "2031-03-12") -> JSONValue {
            let itinerary: [JSONValue] = (0..<items).map { i in
                [
                    "title": .string("Session \(i)"), "starts_at": .string(day + "T09:00"),
                    "ends_at": .string(day + "T10:00"),
                    "venue": .string(venue), "hosts": ["bench.host@bit.example.cn"],
                ]
            }
            return [
                "direction": "inbound", "title": .string(title),
                "partner": ["name": "Bench partner", "kind": "university", "country": "KR"],
                "starts_at": .string(day + "T09:00"), "ends_at": .string(day + "T17:00"),
                "members": [
                    ["name": "Head", "role": "head", "email": "head@example.org"],
                    ["name": "Member", "email": "member@example.org"],
                ],
                "hosts": [["name": "Bench host", "email": "bench.host@bit.example.cn"]], "itinerary": .array(itinerary),
            ]
        }
    }
}
