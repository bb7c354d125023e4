import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// A service's definition run without sockets: its methods (with the `service.*` ones) called
/// through the method table, its components started and stopped on demand.
package final class ServiceUnderTest: Sendable {
    package let definition: ServiceDefinition
    package let table: MethodTable
    package let log: Logger
    private let components: Components

    package init(_ name: String, _ definition: ServiceDefinition, log: Logger) {
        self.definition = definition
        self.log = log
        let intro = ServiceIntrospection(name: name, startedNanos: monotonicNanos(), definition: definition, stats: CallStats(),
                                         connections: { 0 }, stopping: { false })
        var t = definition.methods
        intro.register(&t)
        table = t
        components = Components(definition.components, log: log)
    }

    /// Starts the components (relays, senders, sweeps) as the host would.
    package func start() throws { try components.start() }

    /// Stops them, waiting up to `timeoutMs`.
    package func stop(timeoutMs: Int = 5000) { components.stop(deadline: monotonicNanos() + UInt64(timeoutMs) * 1_000_000) }

    /// Calls `method` as the dispatcher would (schemas enforced, result checked against its schema),
    /// each call a round of the loop of its own (what the loop shares between calls ends after it).
    package func call(_ method: String, _ params: JSONValue = [:], uid: UInt32 = 1000) -> Result<JSONValue, ServiceError> {
        defer { for end in definition.atEndOfLoopRound { end() } }
        return table.invoke(method, params, uid: uid, log: log)
    }

    /// Calls `method` with typed params and reads its answer as the method's result type, as a
    /// client would (schemas enforced at the door, the answer checked against its schema).
    package func call<P, R>(_ method: Method<P, R>, _ params: P, uid: UInt32 = 1000) -> Result<R, ServiceError> {
        call(method.name, JSONEncoding.encode(params), uid: uid).flatMap { answer in
            Result { () throws(ServiceError) -> R in try WireClient.decode(R.self, answer, method: method.name) }
        }
    }

    /// The typed answer, or the error thrown.
    package func ok<P, R>(_ method: Method<P, R>, _ params: P, uid: UInt32 = 1000) throws -> R { try call(method, params, uid: uid).get() }

    /// The error of a typed call, or nil when it succeeded.
    package func error<P, R>(_ method: Method<P, R>, _ params: P, uid: UInt32 = 1000) -> ServiceError? {
        if case .failure(let e) = call(method, params, uid: uid) { return e }
        return nil
    }

    /// The answer, or the error thrown.
    package func ok(_ method: String, _ params: JSONValue = [:], uid: UInt32 = 1000) throws -> JSONValue { try call(method, params, uid: uid).get() }

    /// The error, or nil when the call succeeded.
    package func error(_ method: String, _ params: JSONValue = [:], uid: UInt32 = 1000) -> ServiceError? {
        if case .failure(let e) = call(method, params, uid: uid) { return e }
        return nil
    }

    /// Pages through a list method `limit` at a time (following next_cursor); each page's items.
    package func pages(_ method: String, limit: Int, _ params: JSONObject = [:]) throws -> [[JSONValue]] {
        var p = params
        p["limit"] = .int(Int64(limit))
        var pages: [[JSONValue]] = []
        while true {
            let page = try ok(method, .object(p))
            pages.append(page["items"]?.arrayValue ?? [])
            guard let next = page["next_cursor"] else { return pages }
            p["cursor"] = next
        }
    }
}
