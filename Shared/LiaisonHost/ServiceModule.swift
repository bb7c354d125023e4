import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// What a service's factory gets to build itself.
package struct ServiceContext: Sendable {
    /// The service's name in the mesh.
    package let name: String
    /// The whole mesh (to find subscribers, other sockets).
    package let mesh: Mesh
    /// This service's entry.
    package let entry: ServiceEntry
    /// The service's logger.
    package let log: Logger
    /// When the process started (monotonic nanoseconds).
    package let startedNanos: UInt64

    package init(name: String, mesh: Mesh, entry: ServiceEntry, log: Logger, startedNanos: UInt64 = monotonicNanos()) {
        self.name = name
        self.mesh = mesh
        self.entry = entry
        self.log = log
        self.startedNanos = startedNanos
    }
}

/// An event type a service emits, with the shape of its `data`, for `service.describe`.
package struct EmittedEvent: Sendable {
    package var type, summary: String
    package var data: Schema
    /// The version of `data` written, and every version it can send an older subscriber.
    package var version: Int
    package var versions: [Int]

    package init(type: String, summary: String, data: Schema, version: Int = 1, versions: [Int] = [1]) {
        (self.type, self.summary, self.data, self.version, self.versions) = (type, summary, data, version, versions)
    }
}

/// A named part of a report (`service.health`, `service.stats`) contributed by a component:
/// its key, its schema, and how to read it now (`ok: false` makes a health status `degraded`).
package struct ReportSection: Sendable {
    package var key: String
    package var schema: Schema
    package var read: @Sendable () -> (ok: Bool, value: JSONValue)

    package init(key: String, schema: Schema, read: @escaping @Sendable () -> (ok: Bool, value: JSONValue)) {
        self.key = key
        self.schema = schema
        self.read = read
    }

    /// A section holding a typed value.
    package static func typed<T: Encodable & Schematic & SendableMetatype>(
        _ key: String,
        _ read: @escaping @Sendable () -> (ok: Bool, value: T)
    ) -> ReportSection {
        ReportSection(key: key, schema: T.schema) {
            let (ok, v) = read()
            return (ok, JSONEncoding.encode(v))
        }
    }
}

/// A service as the host runs it: its methods, its components, what it emits and consumes, and
/// what it adds to `service.health` and `service.stats`.
package struct ServiceDefinition: Sendable {
    package var methods = MethodTable()
    /// Started in order once the socket is being served; stopped in reverse.
    package var components: [any Component] = []
    package var emits: [EmittedEvent] = []
    /// Per consumed event type, the versions of its data this service reads.
    package var reads: [String: [Int]] = [:]
    package var consumes: [String] = []
    package var health: [ReportSection] = []
    package var stats: [ReportSection] = []
    /// The service's own metric families for `service.metrics` (calls and the process are added).
    package var metrics: [@Sendable () -> [MetricFamily]] = []
    /// Directories the service writes besides its data directory (the mail of the file
    /// transport…), each with the mesh-file key that names it: `--check` sees that the service's
    /// account may create or write each.
    package var directories: [(key: String, path: String)] = []
    /// Run on the event loop after each round of its events: a store whose reads are answered on
    /// the loop (`Store.readOnLoop`) ends its snapshot there (`Store.endLoopSnapshot`).
    package var atEndOfLoopRound: [@Sendable () -> Void] = []

    package init() {}
}
