import Foundation
import LiaisonJSON
import LiaisonWire

/// The mesh file: every service, where its socket and data live, what it consumes.
/// Relative paths are resolved against `home`, itself relative to the mesh file's directory.
package struct MeshFile: Codable, Sendable, Equatable {
    package var home: String
    package var supervisor: SupervisorEntry
    package var services: [ServiceEntry]
    /// Who may call what; absent: the account running the mesh (and root) may do everything, as in
    /// a dev home.
    package var access: AccessRules?
    /// The group the sockets and their directory belong to (0660, 0750): every service's user and
    /// every caller must be in it. Absent: the supervisor's own.
    package var socketGroup: AccountRef?
    /// Backups the supervisor takes on its own (`liaison backup` every `every_s`), if any.
    package var backup: BackupSchedule?

    enum CodingKeys: String, CodingKey { case home, supervisor, services, access, socketGroup = "socket_group", backup }

    package init(home: String, supervisor: SupervisorEntry = SupervisorEntry(), services: [ServiceEntry]) {
        self.home = home
        self.supervisor = supervisor
        self.services = services
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        home = try c.decodeIfPresent(String.self, forKey: .home) ?? "."
        supervisor = try c.decodeIfPresent(SupervisorEntry.self, forKey: .supervisor) ?? SupervisorEntry()
        services = try c.decode([ServiceEntry].self, forKey: .services)
        access = try c.decodeIfPresent(AccessRules.self, forKey: .access)
        socketGroup = try c.decodeIfPresent(AccountRef.self, forKey: .socketGroup)
        backup = try c.decodeIfPresent(BackupSchedule.self, forKey: .backup)
    }

    /// The entry named `name`.
    package func service(_ name: String) -> ServiceEntry? { services.first { $0.name == name } }

    /// The services consuming events of `type`, in mesh order.
    package func subscribers(of type: String) -> [ServiceEntry] { services.filter { $0.consumes(type: type) } }

    /// The built-in mesh rooted at `home`: delegations, agreements, notifications.
    package static func standard(home: String) -> MeshFile {
        MeshFile(
            home: home,
            services: [
                ServiceEntry(
                    name: "delegations",
                    executable: "liaison-delegations",
                    socket: "run/delegations.sock",
                    dataDir: "data/delegations",
                    consumes: ["partner.claimed"]
                ),
                ServiceEntry(
                    name: "notifications",
                    executable: "liaison-notifications",
                    socket: "run/notifications.sock",
                    dataDir: "data/notifications",
                    consumes: ["delegation.*", "agreement.*"]
                ),
                ServiceEntry(
                    name: "agreements",
                    executable: "liaison-agreements",
                    socket: "run/agreements.sock",
                    dataDir: "data/agreements",
                    consumes: ["delegation.*", "partner.*"],
                    dependsOn: []
                ),
            ]
        )
    }
}

/// A mesh file that cannot be used, with what to fix.
package struct MeshError: Error, Sendable, CustomStringConvertible {
    package var description: String
    package init(_ d: String) { description = d }
}

/// A mesh file loaded from disk with every path made absolute.
package struct Mesh: Sendable {
    /// Where it was read from (nil for the built-in default).
    package var file: String?
    /// The parsed file, paths absolute.
    package var config: MeshFile

    /// Reads and validates `path`.
    package static func load(_ path: String) throws -> Mesh {
        let absolute = Paths.absolute(path)
        guard let data = FileManager.default.contents(atPath: absolute) else {
            throw MeshError("cannot read mesh file \(absolute)")
        }
        return try parse([UInt8](data), file: absolute)
    }

    /// Parses and validates the text of a mesh file that lives at `file` (an absolute path).
    package static func parse(_ text: [UInt8], file: String) throws -> Mesh {
        let parsed: MeshFile
        do { parsed = try JSONDecoding.decode(MeshFile.self, from: text) } catch {
            throw MeshError("mesh file \(file): \(error)")
        }
        let base = (file as NSString).deletingLastPathComponent
        return try Mesh(file: file, config: parsed.resolved(relativeTo: base))
    }

    /// The built-in mesh rooted at `home`.
    package static func standard(home: String) throws -> Mesh {
        try Mesh(
            file: nil,
            config: MeshFile.standard(home: Paths.absolute(home)).resolved(relativeTo: Paths.absolute(home))
        )
    }

    init(file: String?, config: MeshFile) throws {
        self.file = file
        self.config = config
        try validate()
    }

    /// The absolute home directory.
    package var home: String { config.home }

    /// The entry named `name`.
    package func service(_ name: String) -> ServiceEntry? { config.service(name) }

    func validate() throws {
        if let b = config.backup {
            guard (60...31_536_000).contains(b.everyS) else {
                throw MeshError("backup.every_s: must be 60 to 31536000")
            }
            guard (1...10_000).contains(b.keep) else { throw MeshError("backup.keep: must be 1 to 10000") }
        }
        var names = Set<String>()
        var sockets = Set<String>([config.supervisor.socket])
        for s in config.services {
            guard Self.isServiceName(s.name) else {
                throw MeshError(
                    "services: name \"\(s.name)\" must be 1-32 of a-z, 0-9, _ and -, starting with a letter"
                )
            }
            guard names.insert(s.name).inserted else { throw MeshError("services: name \"\(s.name)\" appears twice") }
            guard s.name != "supervisor" else {
                throw MeshError("services: \"supervisor\" is reserved for the supervisor")
            }
            guard sockets.insert(s.socket).inserted else {
                throw MeshError("services[\(s.name)].socket: \(s.socket) is used twice")
            }
            if s.socket.utf8.count > UnixSocket.maxPathBytes {
                throw MeshError(
                    "services[\(s.name)].socket: \(s.socket) is \(s.socket.utf8.count) bytes; Unix sockets allow at "
                        + "most \(UnixSocket.maxPathBytes) (choose a shorter home)"
                )
            }
            guard s.stopTimeoutMs > 0, s.startTimeoutMs > 0 else {
                throw MeshError("services[\(s.name)]: timeouts must be positive")
            }
            guard s.maxConnections > 0 else { throw MeshError("services[\(s.name)].max_connections: must be positive") }
            if let u = s.maxConnectionsPerUid, !(1...s.maxConnections).contains(u) {
                throw MeshError(
                    "services[\(s.name)].max_connections_per_uid: must be 1 to max_connections (\(s.maxConnections)), "
                        + "got \(u)"
                )
            }
            guard (1000...86_400_000).contains(s.idleTimeoutMs) else {
                throw MeshError(
                    "services[\(s.name)].idle_timeout_ms: must be 1000 to 86400000 (a day), got \(s.idleTimeoutMs)"
                )
            }
            guard s.maxFrameBytes >= 1, s.maxFrameBytes <= FrameLimits.hardCap else {
                throw MeshError("services[\(s.name)].max_frame_bytes: must be 1 to \(FrameLimits.hardCap)")
            }
        }
        let sup = config.supervisor
        guard sup.healthIntervalMs >= 50, sup.healthTimeoutMs >= 10, sup.healthMisses >= 1, sup.logMaxBytes >= 4096,
            sup.logFiles >= 1
        else {
            throw MeshError(
                "supervisor: health_interval_ms ≥ 50, health_timeout_ms ≥ 10, health_misses ≥ 1, "
                    + "log_max_bytes ≥ 4096, log_files ≥ 1"
            )
        }
        if config.supervisor.socket.utf8.count > UnixSocket.maxPathBytes {
            throw MeshError(
                "supervisor.socket: \(config.supervisor.socket) is too long for a Unix socket (at most "
                    + "\(UnixSocket.maxPathBytes) bytes; choose a shorter home)"
            )
        }
        for s in config.services {
            for d in s.dependsOn where !names.contains(d) {
                throw MeshError("services[\(s.name)].depends_on: no service named \"\(d)\"")
            }
        }
        _ = try startOrder()
    }

    /// Services ordered so each comes after what it depends on (mesh order otherwise).
    package func startOrder() throws -> [ServiceEntry] {
        var done = Set<String>()
        var order: [ServiceEntry] = []
        var visiting = Set<String>()
        func visit(_ s: ServiceEntry) throws {
            if done.contains(s.name) { return }
            guard visiting.insert(s.name).inserted else {
                throw MeshError("services[\(s.name)].depends_on: dependency cycle")
            }
            for d in s.dependsOn { if let e = service(d) { try visit(e) } }
            visiting.remove(s.name)
            done.insert(s.name)
            order.append(s)
        }
        for s in config.services { try visit(s) }
        return order
    }

    /// 1-32 of a-z, 0-9, `_` and `-`, starting with a letter. Checked by hand: a regular
    /// expression compiles ICU's character sets first, 2 ms of every CLI call's start.
    static func isServiceName(_ name: String) -> Bool {
        let b = Array(name.utf8)
        guard (1...32).contains(b.count), (0x61...0x7A).contains(b[0]) else { return false }
        return b.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2D }
    }
}

extension MeshFile {
    func resolved(relativeTo base: String) -> MeshFile {
        var m = self
        m.home = Paths.join(base, home)
        m.supervisor.socket = Paths.join(m.home, supervisor.socket)
        m.supervisor.logDir = Paths.join(m.home, supervisor.logDir)
        m.services = services.map { s in
            var s = s
            s.socket = Paths.join(m.home, s.socket)
            s.dataDir = Paths.join(m.home, s.dataDir)
            return s
        }
        m.backup?.dir = Paths.join(m.home, backup?.dir ?? "backups")
        return m
    }
}

/// The mesh file's `backup`: where backups go, how often the supervisor takes one, how many
/// are kept. (Under systemd, the liaison-backup timer does it instead.)
package struct BackupSchedule: Codable, Sendable, Equatable {
    package var dir: String
    package var everyS: Int
    package var keep: Int

    package init(dir: String = "backups", everyS: Int = 86_400, keep: Int = 14) {
        (self.dir, self.everyS, self.keep) = (dir, everyS, keep)
    }

    enum CodingKeys: String, CodingKey { case dir, everyS = "every_s", keep }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dir = try c.decodeIfPresent(String.self, forKey: .dir) ?? "backups"
        everyS = try c.decodeIfPresent(Int.self, forKey: .everyS) ?? 86_400
        keep = try c.decodeIfPresent(Int.self, forKey: .keep) ?? 14
    }
}
