import Foundation
import Glibc
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// `liaison-SERVICE --check`: every check a start makes, without serving or touching the
/// service's data — what `liaison mesh check` runs for each service.
enum ConfigCheck {
    /// The worker threads the entry asks for (settings.workers), checked.
    static func workers(_ entry: ServiceEntry) throws -> Int {
        let threads = Int(entry.settings["workers"]?.intValue ?? 64)
        guard (1...256).contains(threads) else {
            throw MeshError("services[\(entry.name)].settings.workers: must be 1 to 256, got \(threads)")
        }
        return threads
    }

    /// Whether `dir` is (or can be made) a directory the service may write: it, or its nearest
    /// existing ancestor, must be a directory `account` (the entry's `user`; else this process's)
    /// may write.
    static func creatable(_ dir: String, key: String, as account: UserAccount? = nil) throws {
        var path = dir
        while true {
            var st = stat()
            if stat(path, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else {
                    throw MeshError("\(key): \(path) exists and is not a directory")
                }
                if !writable(st, path, by: account) {
                    let who = account?.name ?? Accounts.userName(getuid())
                    throw MeshError(
                        path == dir
                            ? "\(key): \(dir) is not writable by \(who)"
                            : "\(key): cannot create \(dir): \(path) is not writable by \(who)"
                    )
                }
                return
            }
            guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
            path = String(path[..<slash])
        }
    }

    /// Whether `account` may write the directory `path` (by its mode bits; root may), or this
    /// process when no account is given.
    static func writable(_ st: stat, _ path: String, by account: UserAccount?) -> Bool {
        guard let a = account else { return access(path, W_OK) == 0 }
        if a.uid == 0 { return true }
        if st.st_uid == a.uid { return st.st_mode & S_IWUSR != 0 && st.st_mode & S_IXUSR != 0 }
        if a.groups.contains(st.st_gid) || a.gid == st.st_gid {
            return st.st_mode & S_IWGRP != 0 && st.st_mode & S_IXGRP != 0
        }
        return st.st_mode & S_IWOTH != 0 && st.st_mode & S_IXOTH != 0
    }

    static func run(
        name: String,
        meshPath: String?,
        log: Logger,
        _ factory: (ServiceContext) throws -> ServiceDefinition
    ) -> Int32 {
        func fail(_ why: String) -> Int32 {
            FileHandle.standardError.write(Data("\(why)\n".utf8))
            return ExitCode.config
        }
        guard let meshPath else { return fail("no mesh file: pass --mesh FILE or set LIAISON_MESH") }
        do {
            let mesh = try Mesh.load(meshPath)
            guard var entry = mesh.service(name) else {
                return fail("mesh file \(meshPath) has no service named \(name)")
            }
            _ = try workers(entry)
            // As the account the service runs as (when the mesh names one), not the one checking.
            let account = try entry.user.map { ref -> UserAccount in
                guard let a = Accounts.user(ref.text) else {
                    throw MeshError("services[\(name)].user: no user \(ref.text) on this system")
                }
                return a
            }
            // (The supervisor makes the data directory and gives it to the service's account.)
            try creatable(entry.dataDir, key: "services[\(name)].data_dir")
            let socketDir = (entry.socket as NSString).deletingLastPathComponent
            try creatable(socketDir, key: "services[\(name)].socket")
            // The service's own settings, as its start reads them, on a scratch data dir.
            var t = Array("/tmp/liaison-check-XXXXXX".utf8CString)
            guard
                let scratch = t.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) }
                )
            else {
                return fail("cannot make a scratch directory: \(String(cString: strerror(errno)))")
            }
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            entry.dataDir = scratch
            let quiet = Logger(service: name, minimum: .error) { _ in }
            let definition = try factory(ServiceContext(name: name, mesh: mesh, entry: entry, log: quiet))
            for (key, path) in definition.directories { try creatable(path, key: key, as: account) }
            print("\(name): ok")
            return ExitCode.ok
        } catch {
            return fail("\(error)")
        }
    }
}
