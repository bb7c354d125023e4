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
    /// Event types it emits, as written in the file (the same forms); absent: what the service of
    /// that name emits in the built-in mesh (`emits`).
    package var emitsDeclared: [String]?
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
        case name, executable, socket, consumes, emitsDeclared = "emits", restart, args, env, settings, onFailure =
            "on_failure"
        case dataDir = "data_dir", dependsOn = "depends_on", stopTimeoutMs = "stop_timeout_ms"
        case startTimeoutMs = "start_timeout_ms", maxRestarts = "max_restarts", maxFrameBytes = "max_frame_bytes"
        case maxConnections = "max_connections", allowedUids = "allowed_uids", allowedGids = "allowed_gids"
        case maxConnectionsPerUid = "max_connections_per_uid", idleTimeoutMs = "idle_timeout_ms", user
    }

    package init(
        name: String,
        executable: String,
        socket: String,
        dataDir: String,
        consumes: [String] = [],
        dependsOn: [String] = [],
        restart: RestartPolicy = .always,
        settings: JSONValue = .object([:])
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
        emitsDeclared = try c.decodeIfPresent([String].self, forKey: .emitsDeclared)
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

    /// What the services of the built-in mesh emit: the default of an entry without `emits`.
    package static let standardEmits: [String: [String]] = [
        "delegations": ["delegation.*", "partner.created", "partner.updated", "partner.merged"],
        "agreements": ["agreement.*", "partner.claimed"],
        "notifications": [],
    ]

    /// The event types it emits: a consumer takes these from it and no others.
    package var emits: [String] { emitsDeclared ?? Self.standardEmits[name] ?? [] }

    /// Whether this service consumes events of `type`.
    package func consumes(type: String) -> Bool { consumes.contains { Self.matches($0, type) } }

    /// Whether this service emits events of `type`.
    package func emits(type: String) -> Bool { emits.contains { Self.matches($0, type) } }

    /// Whether `type` is `pattern`, or of its family (`delegation.*`), or `pattern` is `*`.
    static func matches(_ pattern: String, _ type: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix(".*") { return type.hasPrefix(pattern.dropLast(1)) }
        return pattern == type
    }
}

/// The supervisor's own settings.
package struct SupervisorEntry: Codable, Sendable, Equatable {
    /// Its pid, written beside its socket while it runs (`liaison down` reads it).
    package var pidFile: String {
        guard let slash = socket.lastIndex(of: "/") else { return "supervisor.pid" }
        return String(socket[...slash]) + "supervisor.pid"
    }

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
        case healthIntervalMs = "health_interval_ms", healthTimeoutMs = "health_timeout_ms", healthMisses =
            "health_misses"
    }

    package init(
        socket: String = "run/supervisor.sock",
        logDir: String = "log",
        logMaxBytes: Int = 10 << 20,
        logFiles: Int = 5
    ) {
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
