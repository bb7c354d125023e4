import Foundation
import LiaisonAPI
import LiaisonCLI
import LiaisonHost
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonWire

extension Bench {
    static var benchMail: CLICommand {
        Command(
            name: "mail",
            abstract: "Confirm a visit with N recipients and measure mails/s handed to the MTA.",
            usage: "bench mail [--recipients N] [--address PATTERN] [--json]",
            options: [
                OptionSpec(["--recipients", "-n"], value: "N", "Members with an email (default 200, at most 500)."),
                OptionSpec(
                    ["--address"],
                    value: "PATTERN",
                    "Their addresses, {n} replaced by 0…N-1 (default lz-r{n}@localhost)."
                ),
                OptionSpec(["--timeout"], value: "S", "Give up after S seconds (default 300)."),
            ]
        ) { args, ctx in
            let n = try args.int("--recipients", default: 200, in: 1...500)
            let pattern = args.value("--address") ?? "lz-r{n}@localhost"
            let timeout = try args.int("--timeout", default: 300, in: 1...86_400)
            let members: [JSONValue] = (0..<n).map { i in
                [
                    "name": .string("Bench member \(i)"),
                    "email": .string(pattern.replacingOccurrences(of: "{n}", with: String(i))),
                ]
            }
            let tag = IDs.make("bench")
            let draft: JSONValue = [
                "direction": "inbound", "title": .string("Mail benchmark \(tag)"),
                "partner": ["name": "Benchmark", "kind": "other", "country": "UG"],
                "starts_at": "2031-01-01T09:00", "ends_at": "2031-01-01T17:00", "members": .array(members),
            ]
            let progress = BenchProgress(
                ctx,
                "bench mail: confirming a visit of \(n) members, each mailed its schedule"
            )
            defer { progress.done() }
            let d = try ctx.callRaw("delegations", "delegations.create", draft)
            let t0 = monotonicNanos()
            _ = try ctx.callRaw("delegations", "delegations.confirm", ["id": d["id"]!, "expected_version": 1])
            var sent = 0, dead = 0, total = 0
            let deadline = t0 + UInt64(timeout) * 1_000_000_000
            repeat {
                usleep(50_000)
                // The counts follow the delegation filter; one row of items is enough.
                let counts = try ctx.callRaw(
                    "notifications",
                    "notifications.list",
                    ["delegation_id": d["id"]!, "limit": 1]
                )["counts"]
                func count(_ s: String) -> Int { Int(counts?[s]?.intValue ?? 0) }
                total = (counts?.objectValue?.members ?? []).map { Int($0.value.intValue ?? 0) }.reduce(0, +)
                sent = count("sent")
                dead = count("dead")
                progress.update("\(sent) sent, \(dead) dead, \(total - sent - dead) on their way")
            } while (total < n || sent + dead < total) && monotonicNanos() < deadline
            let seconds = Double(monotonicNanos() - t0) / 1e9
            let out: JSONValue = [
                "recipients": .int(Int64(n)), "sent": .int(Int64(sent)), "dead": .int(Int64(dead)),
                "seconds": .double(seconds),
                "mails_per_s": .double((Double(sent) / seconds * 10).rounded() / 10),
            ]
            if ctx.json {
                ctx.printJSON(out)
            } else {
                ctx.print(
                    "\(sent) of \(n) messages handed to the MTA in \(threeSignificant(seconds)) s: "
                        + "\(threeSignificant(Double(sent) / seconds)) mails/s (\(dead) dead)"
                )
            }
            return sent == n ? ExitCode.ok : ExitCode.failure
        }
    }
}
