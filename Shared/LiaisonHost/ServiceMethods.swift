import Glibc
import LiaisonBuild
import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Synchronization

/// The version every Liaison binary reports (the release; `BuildInfo.commit` says the build).
package let liaisonVersion = BuildInfo.version

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
        var name, summary: String
        var access: Access
        var params, result: Schema
    }
    private let limits: ServerLimits
    private let connections: @Sendable () -> Int
    private let stopping: @Sendable () -> Bool

    package init(
        name: String,
        startedNanos: UInt64,
        definition: ServiceDefinition,
        stats: CallStats,
        limits: ServerLimits = ServerLimits(),
        connections: @escaping @Sendable () -> Int,
        stopping: @escaping @Sendable () -> Bool
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
            ServiceAPI.health,
            result: .object(ServiceHealth.baseFields + definition.health.map { .req($0.key, $0.schema) }),
            execution: .worker
        ) {
            [self] _, _ in .object(health())
        }
        t.add(ServiceAPI.ping, execution: .inline) { _, _ in Pong() }
        t.add(
            ServiceAPI.stats,
            result: .object(
                [.req("service", .string()), .req("uptime_s", .number), .req("connections", .integer())]
                    + CallStatsSnapshot.fields + definition.stats.map { .opt($0.key, $0.schema) }
            ),
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
        }
        t.add(ServiceAPI.describe, execution: .inline) { [self] _, _ in describe() }
        t.add(ServiceAPI.metrics, execution: .worker) { [self] _, _ in MetricsAnswer(families: metricFamilies()) }
        let all = t.all.map {
            Listed(name: $0.name, summary: $0.summary, access: $0.access, params: $0.params, result: $0.result)
        }
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
        var base = ServiceHealth(
            service: name,
            version: liaisonVersion,
            pid: Int64(getpid()),
            uptimeS: uptimeSeconds,
            status: stopping() ? .stopping : ok ? .ok : .degraded
        )
        base.commit = BuildInfo.commit
        guard case .object(var o) = JSONEncoding.encode(base) else { return [:] }
        for (k, v) in sections { o[k] = v }
        return o
    }

    /// Every family this process reports.
    package func metricFamilies() -> [MetricFamily] {
        stats.families() + ProcessMetrics.families(startedNanos: startedNanos)
            + [.gauge("liaison_connections", "Open connections.", Double(connections()))]
            + definition.metrics.flatMap { $0() }
    }

    func describe() -> Description {
        let methods = listed.withLock { $0 }.map { m in
            Description.Method(
                name: m.name,
                summary: m.summary,
                access: m.access,
                params: m.params.json,
                result: m.result.json
            )
        }
        let emits = definition.emits.map {
            Description.Event(
                type: $0.type,
                summary: $0.summary,
                data: $0.data.json,
                version: $0.version,
                versions: $0.versions
            )
        }
        var d = Description(
            service: name,
            version: liaisonVersion,
            protocolVersion: protocolVersion,
            limits: Description.Limits(limits),
            methods: methods,
            events: Description.Events(
                emits: emits,
                consumes: definition.consumes,
                reads: definition.consumes.isEmpty ? nil : definition.reads
            ),
            errors: ErrorCode.all.map(\.rawValue)
        )
        d.commit = BuildInfo.commit
        return d
    }
}
