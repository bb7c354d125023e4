import Foundation
import Glibc
import Testing

/// Liaison under real systemd (issue 12): Tests/Systemd/scenario boots Debian's systemd as PID 1
/// in private namespaces over an overlay of this machine's root, installs with
/// deploy/install.sh and checks what ops and office staff rely on (see the script).
///
/// It needs root and the mount/pid namespaces; where those are missing the test says so in its
/// skip reason rather than pass.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SystemdTests {
    static var repo: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Whether a systemd sandbox can boot here, and why not.
    static let sandboxAvailable: (Bool, String) = {
        guard geteuid() == 0 else { return (false, "needs root (namespaces, mounts, useradd)") }
        for tool in ["/usr/bin/unshare", "/usr/bin/nsenter", "/lib/systemd/systemd", "/usr/sbin/useradd"]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            return (false, "\(tool) is missing")
        }
        let probe = (try? runCommand("/usr/bin/unshare", ["--pid", "--fork", "--mount", "--uts", "/bin/true"]))?.code
        return probe == 0 ? (true, "") : (false, "unshare of pid and mount namespaces is not allowed here")
    }()

    @Test(.enabled(if: sandboxAvailable.0, "\(sandboxAvailable.1)"))
    func installedUnitsServeDeliverAndRefuseAsOpsExpect() throws {
        let r = try runCommand(Self.repo + "/Tests/Systemd/scenario", [binDirectory()])
        print(r.stdout.split(separator: "\n").filter { !$0.hasPrefix("shell-init") }.joined(separator: "\n"))
        #expect(r.code == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("all held"))
    }
}

/// Runs a program to completion, collecting its output (see `runProgram`).
func runCommand(_ path: String, _ args: [String], env: [String: String] = [:]) throws -> CLIResult {
    try runProgram(path, args, env: env, timeoutMs: 20 * 60_000)
}
