import LiaisonCLI
import Foundation
import Glibc
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension Bench {
    /// Opens connections and keeps them idle: the caller `bench hostile` runs as another user.
    static var benchHold: CLICommand {
        Command(
            name: "hold",
            abstract: "Open N idle connections to a service and keep them until stdin closes (for limit tests).",
            usage: "bench hold --socket PATH [--connections N] [--uid U --gid G]",
            options: [
                OptionSpec(["--socket"], value: "PATH", "The service's socket."),
                OptionSpec(["--connections", "-c"], value: "N", "How many (default 1100)."),
                OptionSpec(["--uid"], value: "U", "Run as this user (when started as root)."),
                OptionSpec(["--gid"], value: "G", "…and this group (default: the current one)."),
            ]
        ) { args, ctx in
            guard let path = args.value("--socket") else { throw UsageError("--socket PATH is required") }
            let n = try args.int("--connections", default: 1100, in: 1...100_000)
            if let u = args.value("--uid") {
                guard let uid = UInt32(u) else { throw UsageError("--uid must be a number") }
                let gid =
                    try args.value("--gid").map { g -> UInt32 in
                        guard let v = UInt32(g) else { throw UsageError("--gid must be a number") }
                        return v
                    } ?? getgid()
                guard setgroups(0, nil) == 0, setgid(gid) == 0, setuid(uid) == 0 else {
                    throw CLIError(
                        ExitCode.failure,
                        "cannot become uid \(uid) gid \(gid): \(String(cString: strerror(errno)))"
                    )
                }
            }
            _ = ResourceLimits.raiseOpenFiles()
            var held: [Int32] = []
            var refused: [String: Int] = [:]
            for _ in 0..<n {
                let fd: Int32
                do { fd = try UnixSocket.connect(path, timeoutMs: 2000) } catch {
                    refused["\(error)", default: 0] += 1
                    continue
                }
                // A connection refused at once is told why and closed: wait briefly for that.
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&pfd, 1, 20) > 0 {
                    var b = [UInt8](repeating: 0, count: 4096)
                    let got = recv(fd, &b, b.count, Int32(MSG_DONTWAIT))
                    let why =
                        got > 4 ? (try? Message.decode(Array(b[4..<got])))?.error?.code.rawValue ?? "closed" : "closed"
                    refused[why, default: 0] += 1
                    close(fd)
                    continue
                }
                held.append(fd)
            }
            ctx.print(
                JSONWriter.string([
                    "held": .int(Int64(held.count)), "refused": JSONEncoding.encode(refused),
                    "uid": .int(Int64(getuid())),
                ])
            )
            // Hold until told to let go (stdin closes).
            var b = [UInt8](repeating: 0, count: 64)
            while read(0, &b, b.count) > 0 {}
            for fd in held { close(fd) }
            return ExitCode.ok
        }
    }
}
