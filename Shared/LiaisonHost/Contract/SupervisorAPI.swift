import LiaisonJSON
import LiaisonProcess
import LiaisonWire

/// Where a supervised service is.
package enum ServiceState: String, WireEnum {
    case stopped, starting, running, stopping, backoff, failed
}

/// `{service}`: one service of the mesh.
package struct ServiceName: Codable, Sendable, Schematic {
    package var service: String

    package init(_ service: String) { self.service = service }

    enum CodingKeys: String, CodingKey, FieldKey {
        case service
        var rule: FieldRule { .text(32, "The name of a service in the mesh.") }
    }
}

/// `supervisor.signal`: a signal for a running service's processes.
package struct SignalParams: Codable, Sendable, Schematic {
    /// The signals an operator may send, by name (as `kill -l` writes them, without SIG).
    package static let names = ["HUP", "INT", "QUIT", "KILL", "USR1", "USR2", "TERM", "CONT", "STOP", "ALRM", "WINCH"]

    package var service: String
    package var signal: String

    package init(service: String, signal: String) { (self.service, self.signal) = (service, signal) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case service, signal
        var rule: FieldRule {
            switch self {
            case .service: .text(32, "The name of a service in the mesh.")
            case .signal: .values(SignalParams.names, "Sent to the service's process group, as systemctl kill does.")
            }
        }
    }
}

/// One service's row in `supervisor.status`.
package struct ServiceStatus: Codable, Sendable, Schematic {
    package struct Exit: Codable, Sendable {
        package var at: String
        package var ranMs: Int64
        package var wasReady: Bool
        package var description: String
        package var code: Int32?
        package var signal: String?

        package init(at: String, ranMs: Int64, wasReady: Bool, description: String) {
            (self.at, self.ranMs, self.wasReady, self.description) = (at, ranMs, wasReady, description)
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case at, ranMs = "ran_ms", wasReady = "was_ready", description, code, signal
            var rule: FieldRule { self == .at ? .format("date-time") : .plain }
        }
    }

    package struct Restart: Codable, Sendable {
        package var exitToSpawnUs, exitToReadyUs: Int64
        package init(exitToSpawnUs: Int64, exitToReadyUs: Int64) {
            (self.exitToSpawnUs, self.exitToReadyUs) = (exitToSpawnUs, exitToReadyUs)
        }
        enum CodingKeys: String, CodingKey {
            case exitToSpawnUs = "exit_to_spawn_us", exitToReadyUs = "exit_to_ready_us"
        }
    }

    package var name: String
    package var state: ServiceState
    package var socket: String
    package var restarts: Int
    package var restartPolicy: RestartPolicy
    package var pid: Int32?
    package var uptimeS, readyForS: Double?
    package var healthMisses: Int?
    package var lastExit: Exit?
    package var reason: String?
    package var nextRetryInMs: Int64?
    package var nextRetryAt: String?
    package var lastStderr: [String]?
    package var lastRestart: Restart?
    /// The release and commit the running process reports (absent until its first health
    /// check, and from a 0.1.0 supervisor).
    package var version, commit: String?

    package init(name: String, state: ServiceState, socket: String, restarts: Int, restartPolicy: RestartPolicy) {
        (self.name, self.state, self.socket, self.restarts, self.restartPolicy) = (
            name, state, socket, restarts, restartPolicy
        )
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case name, state, socket, restarts, pid, reason
        case restartPolicy = "restart_policy", uptimeS = "uptime_s", readyForS = "ready_for_s", healthMisses =
            "health_misses"
        case lastExit = "last_exit", nextRetryInMs = "next_retry_in_ms", nextRetryAt = "next_retry_at", lastStderr =
            "last_stderr"
        case lastRestart = "last_restart", version, commit

        var rule: FieldRule {
            switch self {
            case .version: .doc("The release the running process reports.")
            case .commit: .doc("The commit it was built from.")
            case .reason: .doc("Why it is down or waiting.")
            case .nextRetryAt: .format("date-time")
            case .lastStderr: .doc("When not running: its last lines on stderr.")
            default: .plain
            }
        }
    }
}

/// `supervisor.status`'s answer.
package struct SupervisorStatus: Codable, Sendable, Schematic {
    package struct Info: Codable, Sendable {
        package var pid: Int32
        package var uptimeS: Double
        package var mesh, version: String
        package var commit: String?
        package var stopping: Bool
        package var meshReadyAfterMs: Double?

        package init(
            pid: Int32,
            uptimeS: Double,
            mesh: String,
            version: String,
            stopping: Bool,
            meshReadyAfterMs: Double?
        ) {
            (self.pid, self.uptimeS, self.mesh, self.version, self.stopping, self.meshReadyAfterMs) =
                (pid, uptimeS, mesh, version, stopping, meshReadyAfterMs)
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case pid, uptimeS = "uptime_s", mesh, version, commit, stopping, meshReadyAfterMs = "mesh_ready_after_ms"
            var rule: FieldRule { self == .meshReadyAfterMs ? .doc("Start → every service ready.") : .plain }
        }
    }

    package var supervisor: Info
    package var services: [ServiceStatus]

    package init(supervisor: Info, services: [ServiceStatus]) {
        (self.supervisor, self.services) = (supervisor, services)
    }
}

/// `supervisor.logs`.
package struct LogsParams: Codable, Sendable, Schematic {
    package var service: String
    package var lines: Int?
    package var stream: String?
    package var afterSeq: Int64?
    package var waitMs: Int?

    package init(service: String, lines: Int? = nil, stream: String? = nil, afterSeq: Int64? = nil, waitMs: Int? = nil)
    {
        (self.service, self.lines, self.stream, self.afterSeq, self.waitMs) = (service, lines, stream, afterSeq, waitMs)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case service, lines, stream, afterSeq = "after_seq", waitMs = "wait_ms"
        var rule: FieldRule {
            switch self {
            case .service: .text(32, "A service of the mesh, or 'supervisor'.")
            case .lines: .int(1...1000, "How many (default: the last 100; with after_seq, up to 1000).")
            case .stream: .values(["out", "err", "supervisor", "alert"], "alert: what on_failure commands printed.")
            case .afterSeq: .int(0...(Int64(Int32.max) * 1_000_000), "Only lines after this one (seq).")
            case .waitMs: .int(0...60_000, "With after_seq: wait this long for a line if none is there yet.")
            }
        }
    }
}

/// One line of a service's output.
package struct LogEntry: Codable, Sendable {
    package var seq: UInt64
    package var ts: String
    package var tsMs: Int64
    package var stream, text: String

    package init(seq: UInt64, tsMs: Int64, stream: String, text: String) {
        (self.seq, self.ts, self.tsMs, self.stream, self.text) = (
            seq, Timestamp.rfc3339(millis: tsMs), tsMs, stream, text
        )
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case seq, ts, tsMs = "ts_ms", stream, text
        var rule: FieldRule {
            switch self {
            case .ts: .format("date-time")
            case .stream: .values(["out", "err", "supervisor", "alert"])
            default: .plain
            }
        }
    }
}

/// `supervisor.logs`'s answer.
package struct LogsResult: Codable, Sendable, Schematic {
    package var service: String
    package var lines: [LogEntry]
    package var missed: UInt64
    package var lastSeq: UInt64
    package var logFile: String

    package init(service: String, lines: [LogEntry], missed: UInt64, lastSeq: UInt64, logFile: String) {
        (self.service, self.lines, self.missed, self.lastSeq, self.logFile) = (service, lines, missed, lastSeq, logFile)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case service, lines, missed, lastSeq = "last_seq", logFile = "log_file"
        var rule: FieldRule {
            switch self {
            case .missed: .doc("Lines after after_seq no longer in memory (the ring wrapped): the file has them.")
            case .lastSeq: .doc("The newest line's number: give it as after_seq to follow.")
            default: .plain
            }
        }
    }
}

/// What a reload changed.
package struct ReloadResult: Codable, Sendable, Schematic {
    package var added: [String] = []
    package var removed: [String] = []
    package var restarted: [String] = []
    package var reconfigured: [String] = []
    /// Settings of the supervisor section taken at once (log_max_bytes, log_files, health_*,
    /// on_failure).
    package var supervisor: [String] = []
    /// Settings of the supervisor section that take effect only when it restarts (socket, log_dir).
    package var needsRestart: [String] = []

    package init() {}

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        added = try c.decode([String].self, forKey: .added)
        removed = try c.decode([String].self, forKey: .removed)
        restarted = try c.decode([String].self, forKey: .restarted)
        reconfigured = try c.decode([String].self, forKey: .reconfigured)
        // Absent from a 0.1.0 supervisor's answer.
        supervisor = try c.decodeIfPresent([String].self, forKey: .supervisor) ?? []
        needsRestart = try c.decodeIfPresent([String].self, forKey: .needsRestart) ?? []
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case added, removed, restarted, reconfigured, supervisor
        case needsRestart = "needs_restart"
        var rule: FieldRule {
            switch self {
            case .restarted: .doc("Services whose entry changed (started at once, backoff forgotten).")
            case .reconfigured: .doc("Services restarted because what they read of the others (or access) changed.")
            case .supervisor: .doc("Keys of the supervisor section whose change was taken at once.")
            case .needsRestart: .doc("Keys of the supervisor section that change only when the supervisor restarts.")
            default: .plain
            }
        }
    }
}

/// The supervisor's control methods.
package enum SupervisorAPI {
    package static let service = "supervisor"

    package static let status = Method<NoParams, SupervisorStatus>(
        "supervisor.status",
        on: service,
        .read,
        "Every service: state, pid, uptime, restarts, last exit, next retry, recent stderr when down."
    )
    package static let start = Method<ServiceName, ServiceStatus>(
        "supervisor.start",
        on: service,
        .operate,
        "Starts a service (clearing a failure or crash loop); answers when it is ready or the attempt failed."
    )
    package static let stop = Method<ServiceName, ServiceStatus>(
        "supervisor.stop",
        on: service,
        .operate,
        "Stops a service (SIGTERM to its process group, SIGKILL at its stop timeout); it stays down."
    )
    package static let restart = Method<ServiceName, ServiceStatus>(
        "supervisor.restart",
        on: service,
        .operate,
        "Restarts a service while its socket stays open; answers when the new process is ready."
    )
    package static let logs = Method<LogsParams, LogsResult>(
        "supervisor.logs",
        on: service,
        .read,
        "Output lines of a service (or 'supervisor'), from memory: the last N, or those after after_seq (waiting up "
            + "to wait_ms for new ones); missed counts lines after after_seq the ring no longer holds."
    )
    package static let signal = Method<SignalParams, ServiceStatus>(
        "supervisor.signal",
        on: service,
        .operate,
        "Sends a signal to a running service's process group (its children too); the supervisor treats an exit it "
            + "causes as any other (a restart by the service's rules)."
    )
    package static let reload = Method<NoParams, ReloadResult>(
        "supervisor.reload",
        on: service,
        .operate,
        "Re-reads the mesh file: starts new services, stops removed ones, restarts changed ones."
    )
}
