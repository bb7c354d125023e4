import CLiaisonShims
import Glibc
import LiaisonProcess
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
}

/// Starts children with fork+exec in C (`liaison_spawn`): Foundation's Process cannot hand over
/// extra descriptors or set a process group, and posix_spawn cannot put the child's own pid in
/// its environment, which LISTEN_PID requires.
enum Spawner {
    /// Starts the child; returns its pid (which is also its process group id).
    static func spawn(_ r: SpawnRequest) throws(SystemError) -> Int32 {
        try Subprocess.spawn(
            r.executable, arguments: r.arguments, environment: r.environment, fds: r.fds, setListenPID: r.setListenPID,
            workingDirectory: r.workingDirectory)
    }
}
