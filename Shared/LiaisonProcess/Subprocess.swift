import CLiaisonShims
import Glibc
import LiaisonJSON
import LiaisonWire

/// How a child process ended.
package enum ChildExit: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// From a waitpid status word.
    package init(waitStatus s: Int32) {
        if s & 0x7F == 0 { self = .exited((s >> 8) & 0xFF) } else { self = .signaled(s & 0x7F) }
    }

    package var description: String {
        switch self {
        case .exited(let c): "exit \(c)"
        case .signaled(let s): "signal \(Self.signalName(s))"
        }
    }

    package static func signalName(_ s: Int32) -> String {
        let names: [Int32: String] = [
            1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE", 9: "KILL",
            10: "USR1", 11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM",
        ]
        return names[s].map { "SIG\($0)" } ?? String(s)
    }
}

/// Starting programs without a shell: fork + exec in C (`liaison_spawn`), each child leading its
/// own process group so a timeout can kill it with everything it started.
package enum Subprocess {
    /// Starts `path` with `arguments` (argv[0] included) and `environment`; `fds[i]` becomes the
    /// child's fd i (-1: /dev/null). Returns the pid (with `ownGroup`, also its process group id).
    /// With `account`, the child runs as that user with its groups (the caller must be root).
    package static func spawn(
        _ path: String,
        arguments: [String],
        environment: [String: String],
        fds: [Int32],
        setListenPID: Bool = false,
        workingDirectory: String? = nil,
        account: UserAccount? = nil,
        ownGroup: Bool = true
    ) throws(SystemError) -> Int32 {
        var env = environment
        env.removeValue(forKey: "LISTEN_PID")
        var envLines = env.keys.sorted().map { "\($0)=\(env[$0]!)" }
        var listenIndex: Int32 = -1
        if setListenPID {
            listenIndex = Int32(envLines.count)
            envLines.append("LISTEN_PID=0")
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = envLines.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var err: Int32 = 0
        let pid = argv.withUnsafeBufferPointer { a in
            envp.withUnsafeBufferPointer { e in
                fds.withUnsafeBufferPointer { f in
                    (account?.groups ?? []).withUnsafeBufferPointer { g in
                        liaison_spawn(
                            path,
                            a.baseAddress,
                            e.baseAddress,
                            f.baseAddress,
                            Int32(f.count),
                            listenIndex,
                            workingDirectory,
                            account.map { Int($0.uid) } ?? -1,
                            account.map { Int($0.gid) } ?? -1,
                            g.baseAddress,
                            Int32(g.count),
                            ownGroup ? 1 : 0,
                            &err
                        )
                    }
                }
            }
        }
        if pid < 0 { throw SystemError("spawn(\(path))", errno: err) }
        return pid
    }

    /// This process's environment.
    package static func currentEnvironment() -> [String: String] {
        var env: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return env
    }

    /// What a finished run produced.
    package struct Result: Sendable {
        package var exit: ChildExit
        package var stdout, stderr: [UInt8]
        /// Killed at the deadline.
        package var timedOut: Bool
        package var elapsedMs: Int
    }

    /// Runs a program to completion: `input` on its stdin, stdout and stderr collected (each up
    /// to `outputLimit` bytes), killed with its process group at `timeoutMs`. With `ownGroup`
    /// false it stays in this process's group instead: a supervisor that stops this process's
    /// group stops it too (a sendmail must not outlive the service that started it), and the
    /// timeout kills it alone.
    ///
    /// The input is written to an anonymous file first and that file becomes the child's stdin:
    /// if this process dies while the child runs, the child still reads the whole input rather
    /// than a truncated one (a mail cut short must never be handed over as if complete).
    package static func run(
        _ path: String,
        _ arguments: [String],
        input: [UInt8],
        timeoutMs: Int,
        outputLimit: Int = 64 * 1024,
        environment: [String: String]? = nil,
        ownGroup: Bool = true
    ) throws(SystemError) -> Result {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        let inFD = liaison_memfd("stdin")
        guard inFD >= 0 else { throw SystemError("memfd_create") }
        do throws(SystemError) {
            try FD.writeAll(inFD, input)
            guard lseek(inFD, 0, SEEK_SET) == 0 else { throw SystemError("lseek") }
        } catch {
            FD.close(inFD)
            throw error
        }
        guard liaison_pipe2(&outPipe, 0) == 0, liaison_pipe2(&errPipe, 0) == 0 else {
            let e = SystemError("pipe2")
            for fd in [inFD] + outPipe + errPipe where fd >= 0 { FD.close(fd) }
            throw e
        }
        let started = monotonicNanos()
        let pid: Int32
        do {
            pid = try spawn(
                path,
                arguments: [path] + arguments,
                environment: environment ?? currentEnvironment(),
                fds: [inFD, outPipe[1], errPipe[1]],
                ownGroup: ownGroup
            )
        } catch {
            for fd in [inFD] + outPipe + errPipe { FD.close(fd) }
            throw error
        }
        FD.close(inFD); FD.close(outPipe[1]); FD.close(errPipe[1])
        var outFD = outPipe[0], errFD = errPipe[0]
        for fd in [outFD, errFD] { try? FD.setNonBlocking(fd) }
        var out = [UInt8](), err = [UInt8]()
        let deadline = started + UInt64(max(timeoutMs, 1)) * 1_000_000
        var timedOut = false
        var buf = [UInt8](repeating: 0, count: 16 * 1024)
        while outFD >= 0 || errFD >= 0 {
            let now = monotonicNanos()
            if now >= deadline { timedOut = true; break }
            var fds: [pollfd] = []
            if outFD >= 0 { fds.append(pollfd(fd: outFD, events: Int16(POLLIN), revents: 0)) }
            if errFD >= 0 { fds.append(pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)) }
            let (r, _) = restartingEINTR {
                poll(&fds, nfds_t(fds.count), Int32(min((deadline - now) / 1_000_000 + 1, 60_000)))
            }
            if r < 0 { break }
            for p in fds where p.revents != 0 {
                let (n, e) = restartingEINTR { buf.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) } }
                if n > 0 {
                    if p.fd == outFD {
                        if out.count < outputLimit { out += buf[0..<min(n, outputLimit - out.count)] }
                    } else if err.count < outputLimit {
                        err += buf[0..<min(n, outputLimit - err.count)]
                    }
                } else if n == 0 || e != EAGAIN {
                    FD.close(p.fd)
                    if p.fd == outFD { outFD = -1 } else { errFD = -1 }
                }
            }
        }
        var status: Int32 = 0
        if !timedOut {
            // Output closed; the program should be exiting. Wait for it up to the deadline.
            while true {
                let (r, _) = restartingEINTR { waitpid(pid, &status, WNOHANG) }
                if r == pid || r < 0 { break }
                if monotonicNanos() >= deadline { timedOut = true; break }
                usleep(1000)
            }
        }
        if timedOut {
            kill(ownGroup ? -pid : pid, SIGKILL)
            _ = restartingEINTR { waitpid(pid, &status, 0) }
        }
        for fd in [outFD, errFD] where fd >= 0 { FD.close(fd) }
        return Result(
            exit: ChildExit(waitStatus: status),
            stdout: out,
            stderr: err,
            timedOut: timedOut,
            elapsedMs: Int((monotonicNanos() - started) / 1_000_000)
        )
    }
}
