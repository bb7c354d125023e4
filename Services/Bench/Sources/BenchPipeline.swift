import LiaisonCLI
import Foundation
import Glibc
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension Bench {
    /// One connection, N copies of a call pipelined: the flood `bench hostile` runs as another
    /// process (fairness is between calling processes).
    static var benchPipeline: CLICommand {
        Command(
            name: "pipeline",
            abstract:
                "Send N copies of one call pipelined on one connection (params on stdin) and wait for every answer.",
            usage: "bench pipeline --socket PATH --method M [--calls N]",
            options: [
                OptionSpec(["--socket"], value: "PATH", "The service's socket."),
                OptionSpec(["--method"], value: "M", "The method."),
                OptionSpec(["--calls", "-n"], value: "N", "How many (default 32)."),
            ]
        ) { args, ctx in
            guard let path = args.value("--socket") else { throw UsageError("--socket PATH is required") }
            guard let method = args.value("--method") else { throw UsageError("--method M is required") }
            let n = try args.int("--calls", default: 32, in: 1...10_000)
            let input = FileHandle.standardInput.readDataToEndOfFile()
            let params: JSONValue
            do { params = try JSONParser.parse(Array(input)) } catch {
                throw CLIError(ExitCode.dataError, "stdin: the params are not JSON: \(error)")
            }
            let fd = try UnixSocket.connect(path, timeoutMs: 5000)
            defer { close(fd) }
            let t0 = monotonicNanos()
            try OwnedThread.start(name: "pipeline-send") {
                for i in 0..<n {
                    let frame = Message.call(id: "p\(i)", method: method, params: params, timeoutMs: 600_000).framed()
                    guard (try? UnixSocket.sendAll(fd, frame)) != nil else { return }
                }
            }
            var decoder = FrameDecoder(maxFrame: FrameLimits.hardCap)
            var answered = 0, failed = 0
            var buf = [UInt8](repeating: 0, count: 64 * 1024)
            while answered + failed < n {
                let got = restartingEINTR { read(fd, &buf, buf.count) }.0
                if got <= 0 { break }
                buf.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
                while let payload = try decoder.next() {
                    if (try? Message.decode(payload))?.error == nil { answered += 1 } else { failed += 1 }
                }
            }
            ctx.printJSON(
                JSONValue.object([
                    "calls": .int(Int64(n)), "answered": .int(Int64(answered)), "failed": .int(Int64(failed)),
                    "seconds": .double(Double(monotonicNanos() - t0) / 1e9),
                ])
            )
            return failed == 0 && answered == n ? ExitCode.ok : ExitCode.failure
        }
    }
}
