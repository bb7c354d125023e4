import Foundation
import Testing

/// `deploy/install.sh` staged with --destdir as a packager runs it, then removed again (issue
/// 29.6): binaries, units with the prefix's paths, the man page, the three completions, the docs;
/// an uninstall removes exactly what it wrote and keeps the mesh file, a purge that too.
@Suite(.serialized, .timeLimit(.minutes(6))) struct InstallTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func aStagedInstallHasEveryFileAndAnUninstallRemovesThem() throws {
        let dest = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dest) }
        let script = Self.repo + "/deploy/install.sh"
        let r = try runCommand("/bin/sh", [script, "--bin", binDirectory(), "--destdir", dest, "--prefix", "/usr"])
        #expect(r.code == 0, "\(r.stdout)\(r.stderr)")
        func exists(_ p: String) -> Bool { FileManager.default.fileExists(atPath: dest + p) }
        for f in [
            "/usr/bin/liaison", "/usr/bin/liaison-supervisor", "/usr/bin/liaison-delegations", "/etc/liaison/mesh.json",
            "/etc/systemd/system/liaison.target", "/etc/sysusers.d/liaison.conf", "/etc/tmpfiles.d/liaison.conf",
            "/usr/share/man/man1/liaison.1", "/usr/share/bash-completion/completions/liaison",
            "/usr/share/zsh/site-functions/_liaison", "/usr/share/fish/vendor_completions.d/liaison.fish",
            "/usr/share/doc/liaison/docs/OPERATIONS.md", "/usr/share/man/man1/liaison-delegations.1",
            "/usr/share/man/man1/liaison-supervisor.1",
        ] {
            #expect(exists(f), "\(f) installed")
        }
        let unit = try String(contentsOfFile: dest + "/etc/systemd/system/liaison-delegations.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/bin/liaison-delegations") && !unit.contains("/usr/local/"), "paths of the prefix")
        #expect(try String(contentsOfFile: dest + "/usr/share/man/man1/liaison.1", encoding: .utf8).hasPrefix(".TH LIAISON 1"))
        let out = try runCommand("/bin/sh", [script, "--uninstall", "--destdir", dest, "--prefix", "/usr"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(!exists("/usr/bin/liaison") && !exists("/usr/share/man/man1/liaison.1") && !exists("/usr/share/doc/liaison"))
        #expect(exists("/etc/liaison/mesh.json"), "the configuration stays until a purge")
        #expect(try runCommand("/bin/sh", [script, "--uninstall", "--purge", "--destdir", dest, "--prefix", "/usr"]).code == 0)
        #expect(!exists("/etc/liaison"))
        let again = try runCommand("/bin/sh", [script, "--uninstall", "--destdir", dest, "--prefix", "/usr"])
        #expect(again.code == 66 && again.stderr.contains("installed-files is missing"), "\(again.stderr)")
    }
}
