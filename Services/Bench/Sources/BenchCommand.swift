import LiaisonCLI
import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Synchronization

extension Bench {
    static var benchCommand: CLICommand {
        Command(
            name: "bench",
            abstract: "Measure calls/s and latency against a running mesh.",
            usage:
                "bench [--service S] [--method M] [--params JSON] [--connections N] [--calls M] [--pipeline K] "
                + "[--threads T]",
            options: [
                OptionSpec(["--service"], value: "S", "Which service (default delegations)."),
                OptionSpec(["--method"], value: "M", "Which method (default service.ping)."),
                OptionSpec(["--params"], value: "JSON", "Params for each call (default {})."),
                OptionSpec(["--connections", "-c"], value: "N", "Connections (default 4)."),
                OptionSpec(["--calls", "-n"], value: "M", "Calls per connection (default 10000)."),
                OptionSpec(["--pipeline"], value: "K", "Calls in flight per connection (default 1)."),
                OptionSpec(
                    ["--threads"],
                    value: "T",
                    "Client threads driving the connections over epoll (default 1, as redis-benchmark; at most one "
                        + "per connection)."
                ),
            ],
            subcommands: [
                benchEvents, benchMail, benchRestart, benchIdle, benchHostile, benchHold, benchPipeline, benchCodec,
                benchScale,
            ]
        ) { args, ctx in
            let service = args.value("--service") ?? "delegations"
            let method = args.value("--method") ?? "service.ping"
            let conns = try args.int("--connections", default: 4, in: 1...512)
            let calls = try args.int("--calls", default: 10_000, in: 1...10_000_000)
            let pipeline = try args.int("--pipeline", default: 1, in: 1...1024)
            let threads = try args.int("--threads", default: 1, in: 1...64)
            var params: JSONValue = .object([:])
            if let p = args.value("--params") {
                do { params = try JSONParser.parse(p) } catch {
                    throw CLIError(ExitCode.dataError, "--params is not JSON: \(error)")
                }
            }
            let path = try ctx.socket(of: service)
            _ = try ctx.client(service)  // fail early, with the usual message, when nothing is running
            let progress = BenchProgress(
                ctx,
                "bench: \(conns) connection(s) × \(calls) \(method) calls to \(service), \(pipeline) in flight each"
            )
            let result = try BenchDriver.run(
                path: path,
                method: method,
                params: params,
                connections: conns,
                calls: calls,
                pipeline: pipeline,
                threads: threads,
                progress: progress
            )
            let out: JSONValue = [
                "service": .string(service), "method": .string(method), "connections": .int(Int64(conns)),
                "pipeline": .int(Int64(pipeline)),
                "calls": .int(Int64(result.ok + result.failed)), "failed": .int(Int64(result.failed)),
                "seconds": .double(result.seconds),
                "calls_per_s": .double((Double(result.ok) / result.seconds).rounded()),
                "p50_us": .int(Int64(result.latency.percentile(0.5))),
                "p99_us": .int(Int64(result.latency.percentile(0.99))),
                "max_us": .int(Int64(result.latency.maxMicros)),
            ]
            if ctx.json {
                ctx.printJSON(out)
            } else {
                ctx.print(
                    "\(service) \(method): \(result.ok + result.failed) calls over \(conns) connection(s), pipeline "
                        + "\(pipeline), in \(threeSignificant(result.seconds)) s"
                )
                let l = result.latency
                func t(_ us: UInt64) -> String { latencyText(micros: Double(us)) }
                ctx.print(
                    "  \(Int((Double(result.ok) / result.seconds).rounded())) calls/s   p50 \(t(l.percentile(0.5)))   "
                        + "p99 \(t(l.percentile(0.99)))   max \(t(l.maxMicros))   failed \(result.failed)"
                )
            }
            return result.failed == 0 ? ExitCode.ok : ExitCode.failure
        }
    }

    struct BenchResult {
        var ok = 0
        var failed = 0
        var seconds = 0.0
        var latency = LatencyHistogram()
    }
}
