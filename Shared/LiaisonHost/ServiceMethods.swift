import Glibc
import LiaisonProcess
import LiaisonSync
import LiaisonWire
import Synchronization

/// The version every Liaison binary reports.
package let liaisonVersion = "0.1.0"

/// What the `service.*` methods report about a process: its name and age, its methods, what it
/// emits and consumes, its calls, and the sections its components add. Every service and the
/// supervisor answer them the same way.
package final class ServiceIntrospection: Sendable {
    let name: String
    let startedNanos: UInt64
    let definition: ServiceDefinition
    /// Calls and latency per method (the dispatcher records into it).
    package let stats: CallStats
    /// The finished table's methods as `service.describe` lists them. Not the table itself: its
    /// handlers hold this object, and a table held here would keep both (and the service behind
    /// them, with its open database) alive for good.
    private let listed = Locked<[Listed]>([])
    private struct Listed: Sendable {
        var name, summary, access: String
        var params, result: Schema
    }
    private let limits: ServerLimits
    private let connections: @Sendable () -> Int
    private let stopping: @Sendable () -> Bool

    package init(
        name: String, startedNanos: UInt64, definition: ServiceDefinition, stats: CallStats, limits: ServerLimits = ServerLimits(),
        connections: @escaping @Sendable () -> Int, stopping: @escaping @Sendable () -> Bool
    ) {
        self.limits = limits
        self.name = name
        self.startedNanos = startedNanos
        self.definition = definition
        self.stats = stats
        self.connections = connections
        self.stopping = stopping
    }

    /// Seconds since the process started.
    package var uptimeSeconds: Double { Double((monotonicNanos() - startedNanos) / 1_000_000) / 1000 }

    /// Adds `service.health`, `service.ping`, `service.stats` and `service.describe` to `t`.
    /// Call it last: `service.describe` lists what `t` holds when the table is finished.
    package func register(_ t: inout MethodTable) {
        t.add(
            MethodSpec(
                name: "service.health",
                summary: "Whether the service is up and working: status, version, pid, uptime, and the service's own checks.",
                params: NoParams.schema, result: .object(HealthBase.fields + definition.health.map { .req($0.key, $0.schema) }),
                execution: .worker
            ) { [self] _, _ in .object(health()) })
        t.add("service.ping", "Answers at once from the event loop; for latency checks.", execution: .inline) { (_: NoParams, _) in Pong() }
        t.add(
            MethodSpec(
                name: "service.stats",
                summary: "Calls and errors per method with latency p50/p99/max, open connections, and the service's own counters.",
                params: NoParams.schema,
                result: .object(
                    [.req("service", .string()), .req("uptime_s", .number), .req("connections", .integer())]
                        + CallStatsSnapshot.fields + definition.stats.map { .opt($0.key, $0.schema) }),
                execution: .inline
            ) { [self] _, _ in
                guard case .object(var o) = JSONEncoding.encode(stats.snapshot()) else { return .null }
                o["service"] = .string(name)
                o["uptime_s"] = .double(uptimeSeconds)
                o["connections"] = .int(Int64(connections()))
                for s in definition.stats {
                    let (_, v) = s.read()
                    if v != .null { o[s.key] = v }
                }
                return .object(o)
            })
        t.add(
            "service.describe",
            "Every method with its params and result (JSON Schema), and the events emitted (with their data) and consumed.",
            execution: .inline
        ) { [self] (_: NoParams, _) in describe() }
        t.add(
            "service.metrics",
            "Counters, gauges and histograms for Prometheus: calls and latency by method, the process, and the service's own "
                + "(outbox, inbox, mails, restarts); 'liaison metrics' prints the whole mesh's as text.",
            execution: .worker
        ) { [self] (_: NoParams, _) in MetricsAnswer(families: metricFamilies()) }
        t.classify(.read, "service.health", "service.ping", "service.stats", "service.describe", "service.metrics")
        let all = t.all.map { Listed(name: $0.name, summary: $0.summary, access: $0.access.rawValue, params: $0.params, result: $0.result) }
        listed.withLock { $0 = all }
    }

    /// The `service.health` answer: the base fields and every section; `degraded` when a
    /// section says it is not ok.
    package func health() -> JSONObject {
        var ok = true
        var sections: [(String, JSONValue)] = []
        for s in definition.health {
            let (good, v) = s.read()
            ok = ok && good
            sections.append((s.key, v))
        }
        let base = HealthBase(
            service: name, version: liaisonVersion, pid: Int64(getpid()), uptimeS: uptimeSeconds,
            status: stopping() ? "stopping" : ok ? "ok" : "degraded")
        guard case .object(var o) = JSONEncoding.encode(base) else { return [:] }
        for (k, v) in sections { o[k] = v }
        return o
    }

    /// Every family this process reports.
    package func metricFamilies() -> [MetricFamily] {
        stats.families() + ProcessMetrics.families(startedNanos: startedNanos)
            + [.gauge("liaison_connections", "Open connections.", Double(connections()))] + definition.metrics.flatMap { $0() }
    }

    func describe() -> Description {
        let methods = listed.withLock { $0 }.map { m in
            Description.Method(name: m.name, summary: m.summary, access: m.access, params: m.params.json, result: m.result.json)
        }
        let emits = definition.emits.map { Description.Event(type: $0.type, summary: $0.summary, data: $0.data.json) }
        return Description(
            service: name, version: liaisonVersion, protocolVersion: protocolVersion, limits: Description.Limits(limits), methods: methods,
            events: Description.Events(emits: emits, consumes: definition.consumes), errors: ErrorCode.all.map(\.rawValue))
    }
}

/// The fields every `service.health` answer has.
struct HealthBase: Encodable {
    var service, version: String
    var pid: Int64
    var uptimeS: Double
    var status: String

    enum CodingKeys: String, CodingKey { case service, version, pid, status, uptimeS = "uptime_s" }

    static var fields: [Schema.Field] {
        [
            .req("service", .string()), .req("version", .string()), .req("pid", .integer()), .req("uptime_s", .number),
            .req("status", .string(values: ["ok", "degraded", "stopping"]), "degraded when one of the service's own checks fails."),
        ]
    }
}

/// `service.ping`'s answer.
struct Pong: Codable, Sendable, Schematic {
    var pong = true
    static var schema: Schema { .object([.req("pong", .boolean)]) }
}

/// `service.describe`'s answer: enough for a client in another language.
struct Description: Encodable, Sendable, Schematic {
    struct Method: Encodable, Sendable {
        var name, summary, access: String
        var params, result: JSONValue
    }
    struct Event: Encodable, Sendable {
        var type, summary: String
        var data: JSONValue
    }
    struct Events: Encodable, Sendable {
        var emits: [Event]
        var consumes: [String]
    }
    /// What a caller must stay within (a producer sizes its event batches by max_frame_bytes).
    struct Limits: Encodable, Sendable {
        var maxFrameBytes, maxConnections, maxConnectionsPerUID, maxInFlightPerConnection, idleTimeoutMs: Int
        enum CodingKeys: String, CodingKey {
            case maxFrameBytes = "max_frame_bytes", maxConnections = "max_connections", maxConnectionsPerUID = "max_connections_per_uid"
            case maxInFlightPerConnection = "max_in_flight_per_connection", idleTimeoutMs = "idle_timeout_ms"
        }

        init(_ l: ServerLimits) {
            maxFrameBytes = FrameLimits.clamp(l.maxFrame)
            maxConnections = l.maxConnections
            maxConnectionsPerUID = l.maxConnectionsPerUID
            maxInFlightPerConnection = l.maxInFlightPerConnection
            idleTimeoutMs = l.idleTimeoutMs
        }

        static var schema: Schema {
            .object([
                .req("max_frame_bytes", .integer(), "The largest call (and answer) payload."), .req("max_connections", .integer()),
                .req("max_connections_per_uid", .integer()),
                .req("max_in_flight_per_connection", .integer(), "Calls read and not yet answered; more wait in the socket."),
                .req("idle_timeout_ms", .integer(), "A connection with no call in flight this long is closed with a notice."),
            ])
        }
    }

    var service, version: String
    var protocolVersion: Int64
    var limits: Limits
    var methods: [Method]
    var events: Events
    var errors: [String]

    enum CodingKeys: String, CodingKey { case service, version, protocolVersion = "protocol", limits, methods, events, errors }

    static var schema: Schema {
        .object([
            .req("service", .string()), .req("version", .string()), .req("protocol", .integer()), .req("limits", Limits.schema),
            .req(
                "methods",
                .array(
                    .object([
                        .req("name", .string()), .req("summary", .string()),
                        .req("access", .string(values: Access.allCases.map(\.rawValue)), "Who may call it (the mesh file's access rules)."),
                        .req("params", .any, "JSON Schema of the params."), .req("result", .any, "JSON Schema of the result."),
                    ]))),
            .req(
                "events",
                .object([
                    .req(
                        "emits",
                        .array(
                            .object([
                                .req("type", .string()), .req("summary", .string()), .req("data", .any, "JSON Schema of the event's data."),
                            ]))),
                    .req("consumes", .array(.string(), maxItems: nil), "Event types, exact or prefix.*"),
                ])),
            .req("errors", .array(.string()), "Every error code."),
        ])
    }
}
