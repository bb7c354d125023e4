import CLiaisonShims
import Glibc
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// What a child gets: program, arguments, environment, and which of our descriptors become its
/// fds 0, 1, 2, 3…
struct SpawnRequest {
    var executable: String
    var arguments: [String]
    var environment: [String: String]
    /// Our descriptor for each child fd in order (-1: /dev/null).
    var fds: [Int32]
    /// Put `LISTEN_PID=<child pid>` in the child's environment (socket activation).
    var setListenPID: Bool
    var workingDirectory: String?
    /// Run it as this user (with its groups); nil: as the supervisor.
    var account: UserAccount?
}

/// Starts children with fork+exec in C (`liaison_spawn`): Foundation's Process cannot hand over
/// extra descriptors or set a process group, and posix_spawn cannot put the child's own pid in
/// its environment, which LISTEN_PID requires.
enum Spawner {
    /// Starts the child; returns its pid (which is also its process group id).
    static func spawn(_ r: SpawnRequest) throws(SystemError) -> Int32 {
        try Subprocess.spawn(
            r.executable,
            arguments: r.arguments,
            environment: r.environment,
            fds: r.fds,
            setListenPID: r.setListenPID,
            workingDirectory: r.workingDirectory,
            account: r.account
        )
    }

    /// Makes `entry`'s data directory; for another user's service, the directories above it
    /// let that user through and the directory itself is that user's alone.
    static func prepareDataDir(_ entry: ServiceEntry, for account: UserAccount?) throws {
        guard let a = account else {
            try Listener.makeDirectories(entry.dataDir, mode: 0o700)
            return
        }
        if let slash = entry.dataDir.lastIndex(of: "/") {
            try Listener.makeDirectories(String(entry.dataDir[..<slash]), mode: 0o755)
        }
        try Listener.makeDirectories(entry.dataDir, mode: 0o700)
        _ = chown(entry.dataDir, a.uid, a.gid)
    }

    /// The account `entry` runs as: nil when it names none or names the supervisor's own; an
    /// error (for the status note) when it names an unknown user or one the supervisor, not
    /// being root, cannot become.
    static func account(for entry: ServiceEntry) -> Result<UserAccount?, MeshError> {
        guard let user = entry.user else { return .success(nil) }
        guard let a = Accounts.user(user.text) else {
            return .failure(MeshError("services[\(entry.name)].user: no user \(user) on this machine"))
        }
        if a.uid == getuid() { return .success(nil) }
        guard getuid() == 0 else {
            return .failure(
                MeshError(
                    "services[\(entry.name)].user is \(a.name), but the supervisor runs as "
                        + "\(Accounts.userName(getuid())) and cannot "
                        + "switch users: run it as root, or leave user out"
                )
            )
        }
        return .success(a)
    }

    /// Gives a socket (or the directory holding it) to the mesh's socket group: sockets 0660,
    /// their directory 0750, so that the group's members — every service's user and every
    /// caller — reach them and nobody else does.
    static func share(_ path: String, with group: AccountRef?, log: Logger) {
        guard let group else { return }
        guard let gid = group.gid else { return log.error("socket_group.unknown", ["group": group.text]) }
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        if chown(path, uid_t.max, gid) != 0 || chown(dir, uid_t.max, gid) != 0 {
            log.error(
                "socket_group.chown_failed",
                ["path": path, "group": group.text, "error": String(cString: strerror(errno))]
            )
        }
        _ = chmod(dir, 0o750)
    }
}
