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

    /// Whether `dir` is (or can be made) a directory: it, or its nearest existing ancestor, must
    /// be a directory this user may write.
    static func creatable(_ dir: String, key: String) throws {
        var path = dir
        while true {
            var st = stat()
            if stat(path, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else {
                    throw MeshError("\(key): \(path) exists and is not a directory")
                }
                if path != dir && access(path, W_OK) != 0 {
                    throw MeshError(
                        "\(key): cannot create \(dir): \(path) is not writable by \(Accounts.userName(getuid()))"
                    )
                }
                return
            }
            guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
            path = String(path[..<slash])
        }
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
            try creatable(entry.dataDir, key: "services[\(name)].data_dir")
            try creatable((entry.socket as NSString).deletingLastPathComponent, key: "services[\(name)].socket")
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
            _ = try factory(ServiceContext(name: name, mesh: mesh, entry: entry, log: quiet))
            print("\(name): ok")
            return ExitCode.ok
        } catch {
            return fail("\(error)")
        }
    }
}
