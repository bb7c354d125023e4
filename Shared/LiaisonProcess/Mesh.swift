import Foundation
import LiaisonJSON
import LiaisonWire

/// What the supervisor does when a service exits.
package enum RestartPolicy: String, WireEnum {
    case always
    case onFailure = "on-failure"
    case never

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let raw = try c.decode(String.self)
        guard let v = RestartPolicy(rawValue: raw) else {
            let allowed = RestartPolicy.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "\"\(raw)\" is not one of \(allowed)")
        }
        self = v
    }
}

/// One service of the mesh as the mesh file names it (DESIGN §1).
package struct ServiceEntry: Codable, Sendable, Equatable {
    /// Unique name, also the event `source` and the CLI's name for it.
    package var name: String
    /// The binary: a path, or a name looked up beside the supervisor/CLI binary and then in PATH.
    package var executable: String
    /// The listening socket.
    package var socket: String
    /// Where the service keeps its database and files.
    package var dataDir: String
    /// Event types it consumes: exact (`delegation.confirmed`) or a prefix (`delegation.*`).
    package var consumes: [String]
    /// Services that must be ready before this one starts.
    package var dependsOn: [String]
    /// What to do when it exits.
    package var restart: RestartPolicy
    /// Arguments after the standard `--mesh FILE --name NAME`.
    package var args: [String]
    /// Extra environment variables.
    package var env: [String: String]
    /// How long after SIGTERM before SIGKILL.
    package var stopTimeoutMs: Int
    /// How long to wait for readiness.
    package var startTimeoutMs: Int
    /// Restarts allowed before giving up (nil: never give up).
    package var maxRestarts: Int?
    /// Largest frame accepted.
    package var maxFrameBytes: Int
    /// Connections accepted at once.
    package var maxConnections: Int
    /// One peer uid's share of them (default three quarters).
    package var maxConnectionsPerUid: Int?
    /// A connection with no call in flight for this long is closed with a notice.
    package var idleTimeoutMs: Int
    /// Users (names or uids) who may read and write besides the service's own and root — the
    /// mesh file's `access` rules are the fuller way to say it.
    package var allowedUids: [AccountRef]
    /// Groups (names or gids) whose members, primary or supplementary, may read and write.
    package var allowedGids: [AccountRef]
    /// The account it runs as (name or uid): the supervisor, when root, starts it as that user
    /// with that user's groups; under systemd the unit's `User=` must be the same. Absent: the
    /// supervisor's own.
    package var user: AccountRef?
    /// Service-specific settings (notification rules, agreement lead times…).
    package var settings: JSONValue
    /// Run by the supervisor when this service enters a crash loop or fails (else the supervisor's).
    package var onFailure: FailureCommand?

    enum CodingKeys: String, CodingKey {
        case name, executable, socket, consumes, restart, args, env, settings, onFailure = "on_failure"
        case dataDir = "data_dir", dependsOn = "depends_on", stopTimeoutMs = "stop_timeout_ms"
        case startTimeoutMs = "start_timeout_ms", maxRestarts = "max_restarts", maxFrameBytes = "max_frame_bytes"
        case maxConnections = "max_connections", allowedUids = "allowed_uids", allowedGids = "allowed_gids"
        case maxConnectionsPerUid = "max_connections_per_uid", idleTimeoutMs = "idle_timeout_ms", user
    }

    package init(
        name: String, executable: String, socket: String, dataDir: String, consumes: [String] = [], dependsOn: [String] = [],
        restart: RestartPolicy = .always, settings: JSONValue = .object([:])
    ) {
        self.name = name
        self.executable = executable
        self.socket = socket
        self.dataDir = dataDir
        self.consumes = consumes
        self.dependsOn = dependsOn
        self.restart = restart
        args = []
        env = [:]
        stopTimeoutMs = 5000
        startTimeoutMs = 10_000
        maxRestarts = nil
        maxFrameBytes = FrameLimits.defaultMax
        maxConnections = 1024
        idleTimeoutMs = 600_000
        allowedUids = []
        allowedGids = []
        self.settings = settings
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        executable = try c.decodeIfPresent(String.self, forKey: .executable) ?? "liaison-\(name)"
        socket = try c.decodeIfPresent(String.self, forKey: .socket) ?? "run/\(name).sock"
        dataDir = try c.decodeIfPresent(String.self, forKey: .dataDir) ?? "data/\(name)"
        consumes = try c.decodeIfPresent([String].self, forKey: .consumes) ?? []
        dependsOn = try c.decodeIfPresent([String].self, forKey: .dependsOn) ?? []
        restart = try c.decodeIfPresent(RestartPolicy.self, forKey: .restart) ?? .always
        args = try c.decodeIfPresent([String].self, forKey: .args) ?? []
        env = try c.decodeIfPresent([String: String].self, forKey: .env) ?? [:]
        stopTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .stopTimeoutMs) ?? 5000
        startTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .startTimeoutMs) ?? 10_000
        maxRestarts = try c.decodeIfPresent(Int.self, forKey: .maxRestarts)
        maxFrameBytes = try c.decodeIfPresent(Int.self, forKey: .maxFrameBytes) ?? FrameLimits.defaultMax
        maxConnections = try c.decodeIfPresent(Int.self, forKey: .maxConnections) ?? 1024
        maxConnectionsPerUid = try c.decodeIfPresent(Int.self, forKey: .maxConnectionsPerUid)
        idleTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .idleTimeoutMs) ?? 600_000
        allowedUids = try c.decodeIfPresent([AccountRef].self, forKey: .allowedUids) ?? []
        allowedGids = try c.decodeIfPresent([AccountRef].self, forKey: .allowedGids) ?? []
        user = try c.decodeIfPresent(AccountRef.self, forKey: .user)
        settings = try c.decodeIfPresent(JSONValue.self, forKey: .settings) ?? .object([:])
        onFailure = try c.decodeIfPresent(FailureCommand.self, forKey: .onFailure)
    }

    /// The limits its server enforces, as this entry sets them.
    package var serverLimits: ServerLimits {
        var l = ServerLimits()
        l.maxFrame = maxFrameBytes
        l.maxConnections = maxConnections
        l.maxConnectionsPerUID = maxConnectionsPerUid ?? max(1, maxConnections * 3 / 4)
        l.idleTimeoutMs = idleTimeoutMs
        return l
    }

    /// Whether this service consumes events of `type`.
    package func consumes(type: String) -> Bool {
        consumes.contains { pattern in
            if pattern == "*" { return true }
            if pattern.hasSuffix(".*") { return type.hasPrefix(pattern.dropLast(1)) }
            return pattern == type
        }
    }
}

/// The supervisor's own settings.
package struct SupervisorEntry: Codable, Sendable, Equatable {
    /// The control socket.
    package var socket: String
    /// Where each child's output is kept.
    package var logDir: String
    /// Rotate a service's log file at this size.
    package var logMaxBytes: Int
    /// Rotated files kept per service.
    package var logFiles: Int
    /// Liveness checks of a ready service: every this many ms…
    package var healthIntervalMs: Int
    /// …each given this long…
    package var healthTimeoutMs: Int
    /// …and this many missed in a row restart it.
    package var healthMisses: Int
    /// Run when any service without an `on_failure` of its own enters a crash loop or fails.
    package var onFailure: FailureCommand?

    enum CodingKeys: String, CodingKey {
        case socket, logDir = "log_dir", logMaxBytes = "log_max_bytes", logFiles = "log_files", onFailure = "on_failure"
        case healthIntervalMs = "health_interval_ms", healthTimeoutMs = "health_timeout_ms", healthMisses = "health_misses"
    }

    package init(socket: String = "run/supervisor.sock", logDir: String = "log", logMaxBytes: Int = 10 << 20, logFiles: Int = 5) {
        self.socket = socket
        self.logDir = logDir
        self.logMaxBytes = logMaxBytes
        self.logFiles = logFiles
        healthIntervalMs = 5000
        healthTimeoutMs = 1000
        healthMisses = 3
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        socket = try c.decodeIfPresent(String.self, forKey: .socket) ?? "run/supervisor.sock"
        logDir = try c.decodeIfPresent(String.self, forKey: .logDir) ?? "log"
        logMaxBytes = try c.decodeIfPresent(Int.self, forKey: .logMaxBytes) ?? 10 << 20
        logFiles = try c.decodeIfPresent(Int.self, forKey: .logFiles) ?? 5
        healthIntervalMs = try c.decodeIfPresent(Int.self, forKey: .healthIntervalMs) ?? 5000
        healthTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .healthTimeoutMs) ?? 1000
        healthMisses = try c.decodeIfPresent(Int.self, forKey: .healthMisses) ?? 3
        onFailure = try c.decodeIfPresent(FailureCommand.self, forKey: .onFailure)
    }
}

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

    enum CodingKeys: String, CodingKey { case home, supervisor, services, access, socketGroup = "socket_group" }

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
                    name: "delegations", executable: "liaison-delegations", socket: "run/delegations.sock", dataDir: "data/delegations",
                    consumes: ["partner.claimed"]),
                ServiceEntry(
                    name: "notifications", executable: "liaison-notifications", socket: "run/notifications.sock",
                    dataDir: "data/notifications", consumes: ["delegation.*", "agreement.*"]),
                ServiceEntry(
                    name: "agreements", executable: "liaison-agreements", socket: "run/agreements.sock",
                    dataDir: "data/agreements", consumes: ["delegation.*", "partner.*"], dependsOn: []),
            ])
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
        try Mesh(file: nil, config: MeshFile.standard(home: Paths.absolute(home)).resolved(relativeTo: Paths.absolute(home)))
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
        var names = Set<String>()
        var sockets = Set<String>([config.supervisor.socket])
        for s in config.services {
            guard s.name.range(of: "^[a-z][a-z0-9_-]{0,31}$", options: .regularExpression) != nil else {
                throw MeshError("services: name \"\(s.name)\" must be 1-32 of a-z, 0-9, _ and -, starting with a letter")
            }
            guard names.insert(s.name).inserted else { throw MeshError("services: name \"\(s.name)\" appears twice") }
            guard s.name != "supervisor" else { throw MeshError("services: \"supervisor\" is reserved for the supervisor") }
            guard sockets.insert(s.socket).inserted else { throw MeshError("services[\(s.name)].socket: \(s.socket) is used twice") }
            if s.socket.utf8.count > UnixSocket.maxPathBytes {
                throw MeshError(
                    "services[\(s.name)].socket: \(s.socket) is \(s.socket.utf8.count) bytes; Unix sockets allow at most "
                        + "\(UnixSocket.maxPathBytes) (choose a shorter home)"
                )
            }
            guard s.stopTimeoutMs > 0, s.startTimeoutMs > 0 else { throw MeshError("services[\(s.name)]: timeouts must be positive") }
            guard s.maxConnections > 0 else { throw MeshError("services[\(s.name)].max_connections: must be positive") }
            if let u = s.maxConnectionsPerUid, !(1...s.maxConnections).contains(u) {
                throw MeshError("services[\(s.name)].max_connections_per_uid: must be 1 to max_connections (\(s.maxConnections)), got \(u)")
            }
            guard (1000...86_400_000).contains(s.idleTimeoutMs) else {
                throw MeshError("services[\(s.name)].idle_timeout_ms: must be 1000 to 86400000 (a day), got \(s.idleTimeoutMs)")
            }
            guard s.maxFrameBytes >= 1, s.maxFrameBytes <= FrameLimits.hardCap else {
                throw MeshError("services[\(s.name)].max_frame_bytes: must be 1 to \(FrameLimits.hardCap)")
            }
        }
        let sup = config.supervisor
        guard sup.healthIntervalMs >= 50, sup.healthTimeoutMs >= 10, sup.healthMisses >= 1, sup.logMaxBytes >= 4096, sup.logFiles >= 1
        else {
            throw MeshError(
                "supervisor: health_interval_ms ≥ 50, health_timeout_ms ≥ 10, health_misses ≥ 1, "
                    + "log_max_bytes ≥ 4096, log_files ≥ 1")
        }
        if config.supervisor.socket.utf8.count > UnixSocket.maxPathBytes {
            throw MeshError(
                "supervisor.socket: \(config.supervisor.socket) is too long for a Unix socket (at most \(UnixSocket.maxPathBytes) bytes; "
                    + "choose a shorter home)"
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
            guard visiting.insert(s.name).inserted else { throw MeshError("services[\(s.name)].depends_on: dependency cycle") }
            for d in s.dependsOn { if let e = service(d) { try visit(e) } }
            visiting.remove(s.name)
            done.insert(s.name)
            order.append(s)
        }
        for s in config.services { try visit(s) }
        return order
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
        return m
    }
}
