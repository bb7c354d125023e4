import CLiaisonShims
import Foundation
import Glibc
import LiaisonProcess
import Synchronization

/// A program the tests start and leave running, with our own spawn. Foundation's
/// `Process.run()` on this toolchain over-reads /proc/self/fd entries while other threads open
/// and close descriptors, and now and then crashes the whole test run (swift-corelibs-foundation
/// #5472; seen in CI in `MeshHarness.init`), however its launches are serialized.
final class Child: Sendable {
    /// Where one of the child's outputs goes.
    enum Output {
        case null
        /// A pipe whose read end the test keeps (`standardOutput`/`standardError`).
        case pipe
        /// Appended to this file.
        case file(String)
        /// This descriptor (the caller keeps it open).
        case fd(Int32)
    }

    let processIdentifier: Int32
    /// The read end of the stdout pipe (`.pipe`).
    let standardOutput: FileHandle?
    /// The read end of the stderr pipe (`.pipe`).
    let standardError: FileHandle?
    /// The wait status once reaped.
    private let status = Mutex<Int32?>(nil)

    /// Starts `path` with `arguments` (argv[0] is added) in `environment` (default: this
    /// process's).
    init(_ path: String, _ arguments: [String], environment: [String: String]? = nil, stdout: Output = .null, stderr: Output = .null)
        throws
    {
        var close: [Int32] = []
        var keep: [FileHandle?] = []
        func target(_ o: Output) throws -> Int32 {
            switch o {
            case .null:
                keep.append(nil)
                return -1
            case .fd(let fd):
                keep.append(nil)
                return fd
            case .file(let file):
                let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw HarnessError("open \(file): errno \(errno)") }
                close.append(fd)
                keep.append(nil)
                return fd
            case .pipe:
                var p: [Int32] = [0, 0]
                guard liaison_pipe2(&p, 0) == 0 else { throw HarnessError("pipe: errno \(errno)") }
                close.append(p[1])
                keep.append(FileHandle(fileDescriptor: p[0], closeOnDealloc: true))
                return p[1]
            }
        }
        let out = try target(stdout), err = try target(stderr)
        defer { for fd in close { Glibc.close(fd) } }
        processIdentifier = try Subprocess.spawn(
            path, arguments: [path] + arguments, environment: environment ?? Subprocess.currentEnvironment(), fds: [-1, out, err])
        standardOutput = keep[0]
        standardError = keep[1]
    }

    /// Whether it has not exited yet (reaps it when it has).
    var isRunning: Bool { reap(blocking: false) == nil }

    /// Waits for it to exit.
    func waitUntilExit() { _ = reap(blocking: true) }

    /// Its exit code, or 128 + the signal that ended it (-1 while running).
    var terminationStatus: Int32 {
        guard let s = reap(blocking: false) else { return -1 }
        return s & 0x7F == 0 ? (s >> 8) & 0xFF : 128 + (s & 0x7F)
    }

    /// SIGTERM.
    func terminate() { kill(processIdentifier, SIGTERM) }

    private func reap(blocking: Bool) -> Int32? {
        status.withLock { known in
            if let known { return known }
            var s: Int32 = 0
            while true {
                let r = waitpid(processIdentifier, &s, blocking ? 0 : WNOHANG)
                if r == processIdentifier { known = s; return s }
                if r == 0 { return nil }
                if errno == EINTR { continue }
                known = 0  // reaped by someone else: gone, status unknown
                return 0
            }
        }
    }
}
