import LiaisonJSON
import LiaisonWire

/// How a process says it is.
package enum HealthStatus: String, WireEnum {
    case ok, degraded, stopping
}

/// A producer's outbox as `service.health` reports it.
package struct OutboxHealth: Codable, Sendable {
    package var pending, dead: Int64
    package var subscribers: [String: OutboxSummary.Lag]
    package var relay: [String: SubscriberHealth]
}

/// `service.health`'s answer as a client reads it: the fields every process has, the sections a
/// client knows (outbox, database), and every member as sent (`raw`: the others).
package struct ServiceHealth: Codable, Sendable, Schematic {
    package var service, version: String
    /// The commit the binary was built from (absent from 0.1.0 services).
    package var commit: String?
    package var pid: Int64
    package var uptimeS: Double
    package var status: HealthStatus
    package var database: String?
    package var outbox: OutboxHealth?
    /// The schema version of the service's tables and each component (absent from 0.1.0).
    package var schema: [String: Int]?
    /// The whole answer (sections of the service's own, such as the mail queue).
    package var raw: JSONObject = [:]

    package init(service: String, version: String, pid: Int64, uptimeS: Double, status: HealthStatus) {
        (self.service, self.version, self.pid, self.uptimeS, self.status) = (service, version, pid, uptimeS, status)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case service, version, commit, pid, status, uptimeS = "uptime_s", database, outbox, schema
        var rule: FieldRule {
            switch self {
            case .version: .doc("The release (SemVer).")
            case .commit: .doc("The commit the binary was built from.")
            case .status: .doc("degraded when one of the service's own checks fails.")
            case .database: .values(["ok", "failing"])
            default: .plain
            }
        }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        service = try c.decode(String.self, forKey: .service)
        version = try c.decode(String.self, forKey: .version)
        commit = try c.decodeIfPresent(String.self, forKey: .commit)
        pid = try c.decode(Int64.self, forKey: .pid)
        uptimeS = try c.decode(Double.self, forKey: .uptimeS)
        status = try c.decode(HealthStatus.self, forKey: .status)
        database = try c.decodeIfPresent(String.self, forKey: .database)
        outbox = try c.decodeIfPresent(OutboxHealth.self, forKey: .outbox)
        schema = try c.decodeIfPresent([String: Int].self, forKey: .schema)
        raw = try JSONValue(from: decoder).objectValue ?? [:]
    }

    package func encode(to encoder: any Encoder) throws {
        var all = raw
        if case .object(let base) = JSONEncoding.encode(Base(self)) { for m in base.members { all[m.key] = m.value } }
        try JSONValue.object(all).encode(to: encoder)
    }

    /// The fields every process has.
    private struct Base: Encodable {
        var service, version: String
        var commit: String?
        var pid: Int64
        var uptimeS: Double
        var status: HealthStatus
        init(_ h: ServiceHealth) {
            (service, version, commit, pid, uptimeS, status) = (
                h.service, h.version, h.commit, h.pid, h.uptimeS, h.status
            )
        }
        enum CodingKeys: String, CodingKey { case service, version, commit, pid, status, uptimeS = "uptime_s" }
    }

    /// The fields every `service.health` answer has (what a process adds follows them).
    package static var baseFields: [Schema.Field] {
        schema.fields.filter { !["database", "outbox", "schema"].contains($0.name) }
    }
}

/// `service.ping`'s answer.
package struct Pong: Codable, Sendable, Schematic {
    package var pong = true
    package init() {}
}

/// `service.stats`'s answer as a client reads it: calls and latency, and every member as sent.
package struct ServiceStats: Codable, Sendable, Schematic {
    package var service: String
    package var uptimeS: Double
    package var connections: Int
    package var calls, errors: Int64
    package var p50Ms, p99Ms: Double
    package var methods: [String: MethodStats]
    /// The whole answer (the service's own counters).
    package var raw: JSONObject = [:]

    enum CodingKeys: String, CodingKey {
        case service, uptimeS = "uptime_s", connections, calls, errors, p50Ms = "p50_ms", p99Ms = "p99_ms", methods
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        service = try c.decode(String.self, forKey: .service)
        uptimeS = try c.decode(Double.self, forKey: .uptimeS)
        connections = try c.decode(Int.self, forKey: .connections)
        calls = try c.decode(Int64.self, forKey: .calls)
        errors = try c.decode(Int64.self, forKey: .errors)
        p50Ms = try c.decode(Double.self, forKey: .p50Ms)
        p99Ms = try c.decode(Double.self, forKey: .p99Ms)
        methods = try c.decode([String: MethodStats].self, forKey: .methods)
        raw = try JSONValue(from: decoder).objectValue ?? [:]
    }

    package func encode(to encoder: any Encoder) throws { try JSONValue.object(raw).encode(to: encoder) }
}

/// `service.describe`'s answer: enough for a client in another language.
package struct Description: Codable, Sendable, Schematic {
    package struct Method: Codable, Sendable {
        package var name, summary: String
        package var access: Access
        package var params, result: JSONValue

        package init(name: String, summary: String, access: Access, params: JSONValue, result: JSONValue) {
            (self.name, self.summary, self.access, self.params, self.result) = (name, summary, access, params, result)
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case name, summary, access, params, result
            var rule: FieldRule {
                switch self {
                case .access: .doc("Who may call it (the mesh file's access rules).")
                case .params: .doc("JSON Schema of the params.")
                case .result: .doc("JSON Schema of the result.")
                default: .plain
                }
            }
        }
    }

    package struct Event: Codable, Sendable {
        package var type, summary: String
        package var data: JSONValue
        /// The version of `data` this release writes (absent from 0.1.0: 1).
        package var version: Int?
        /// Every version it can send a subscriber that reads an older one.
        package var versions: [Int]?

        package init(type: String, summary: String, data: JSONValue, version: Int? = nil, versions: [Int]? = nil) {
            (self.type, self.summary, self.data, self.version, self.versions) = (type, summary, data, version, versions)
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case type, summary, data, version, versions
            var rule: FieldRule {
                switch self {
                case .data: .doc("JSON Schema of the event's data (its current version).")
                case .version: .doc("The version of data this release writes.")
                case .versions: .doc("The versions it sends a subscriber that reads an older one.")
                default: .plain
                }
            }
        }
    }

    package struct Events: Codable, Sendable {
        package var emits: [Event]
        package var consumes: [String]
        /// The versions of each consumed type's data this service reads (absent from 0.1.0: 1).
        package var reads: [String: [Int]]?

        package init(emits: [Event], consumes: [String], reads: [String: [Int]]? = nil) {
            (self.emits, self.consumes, self.reads) = (emits, consumes, reads)
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case emits, consumes, reads
            var rule: FieldRule {
                switch self {
                case .consumes: .doc("Event types, exact or prefix.*")
                case .reads: .doc("Per event type it consumes, the versions of its data it reads.")
                default: .plain
                }
            }
        }
    }

    /// What a caller must stay within (a producer sizes its event batches by max_frame_bytes).
    package struct Limits: Codable, Sendable {
        package var maxFrameBytes, maxConnections, maxConnectionsPerUID, maxInFlightPerConnection, idleTimeoutMs: Int

        package init(_ l: ServerLimits) {
            maxFrameBytes = FrameLimits.clamp(l.maxFrame)
            maxConnections = l.maxConnections
            maxConnectionsPerUID = l.maxConnectionsPerUID
            maxInFlightPerConnection = l.maxInFlightPerConnection
            idleTimeoutMs = l.idleTimeoutMs
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case maxFrameBytes = "max_frame_bytes", maxConnections = "max_connections", maxConnectionsPerUID =
                "max_connections_per_uid"
            case maxInFlightPerConnection = "max_in_flight_per_connection", idleTimeoutMs = "idle_timeout_ms"
            var rule: FieldRule {
                switch self {
                case .maxFrameBytes: .doc("The largest call (and answer) payload.")
                case .maxInFlightPerConnection: .doc("Calls read and not yet answered; more wait in the socket.")
                case .idleTimeoutMs: .doc("A connection with no call in flight this long is closed with a notice.")
                default: .plain
                }
            }
        }
    }

    package var service, version: String
    /// The commit the binary was built from (absent from 0.1.0 services).
    package var commit: String?
    package var protocolVersion: Int64
    package var limits: Limits
    package var methods: [Method]
    package var events: Events
    package var errors: [String]

    package init(
        service: String,
        version: String,
        protocolVersion: Int64,
        limits: Limits,
        methods: [Method],
        events: Events,
        errors: [String]
    ) {
        (self.service, self.version, self.protocolVersion, self.limits) = (service, version, protocolVersion, limits)
        (self.methods, self.events, self.errors) = (methods, events, errors)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case service, version, commit, protocolVersion = "protocol", limits, methods, events, errors
        var rule: FieldRule { self == .errors ? .doc("Every error code.") : .plain }
    }
}

/// What every process answers: the service's own `service.*` methods.
package enum ServiceAPI {
    package static let health = Method<NoParams, ServiceHealth>(
        "service.health",
        on: nil,
        .read,
        "Whether the service is up and working: status, version, pid, uptime, and the service's own checks."
    )
    package static let ping = Method<NoParams, Pong>(
        "service.ping",
        on: nil,
        .read,
        "Answers at once from the event loop; for latency checks."
    )
    package static let stats = Method<NoParams, ServiceStats>(
        "service.stats",
        on: nil,
        .read,
        "Calls and errors per method with latency p50/p99/max, open connections, and the service's own counters."
    )
    package static let describe = Method<NoParams, Description>(
        "service.describe",
        on: nil,
        .read,
        "Every method with its params and result (JSON Schema), and the events emitted (with their data) and consumed."
    )
    package static let metrics = Method<NoParams, MetricsAnswer>(
        "service.metrics",
        on: nil,
        .read,
        "Counters, gauges and histograms for Prometheus: calls and latency by method, the process, and the service's "
            + "own (outbox, inbox, mails, restarts); 'liaison metrics' prints the whole mesh's as text."
    )
}
