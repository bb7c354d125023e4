import LiaisonModels
import LiaisonWire

/// Where a method runs: on the event loop (cheap, never blocks) or on a worker thread.
package enum Execution: Sendable {
    case inline
    case worker
}

/// What a handler knows about the call it is answering.
package struct CallContext: Sendable {
    /// The call as received.
    package let call: IncomingCall
    /// The service's logger.
    package let log: Logger
    /// The caller's uid (SO_PEERCRED), recorded in audit trails.
    package var callerUID: UInt32 { call.peer.uid }

    package init(call: IncomingCall, log: Logger) {
        self.call = call
        self.log = log
    }
}

extension MethodTable {
    /// Runs a method as the dispatcher would (params decoded, errors mapped), without a socket.
    package func invoke(_ method: String, _ params: JSONValue, uid: UInt32 = 1000, log: Logger) -> Result<JSONValue, ServiceError> {
        guard let spec = self[method] else { return .failure(ServiceError(.methodNotFound, "no method \(method)")) }
        let call = IncomingCall(id: "t", method: method, params: params, peer: PeerCredentials(uid: uid, gid: uid, pid: 0))
        do { return .success(try spec.run(params, CallContext(call: call, log: log))) } catch {
            return .failure(wireError(error, log: log, method: method))
        }
    }
}

/// One method: its documentation and its handler.
package struct MethodSpec: Sendable {
    package var name: String
    package var summary: String
    package var params: Schema
    package var result: Schema
    package var execution: Execution
    package var run: @Sendable (JSONValue, CallContext) throws -> JSONValue

    package init(name: String, summary: String, params: Schema, result: Schema, execution: Execution,
                 run: @escaping @Sendable (JSONValue, CallContext) throws -> JSONValue) {
        self.name = name
        self.summary = summary
        self.params = params
        self.result = result
        self.execution = execution
        self.run = run
    }
}

/// The methods a service answers, by name.
package struct MethodTable: Sendable {
    package private(set) var methods: [String: MethodSpec] = [:]
    package private(set) var order: [String] = []

    package init() {}

    /// Adds a method with typed params and result. Params are decoded only when the method runs;
    /// a decoding failure is `invalid_params` naming the field.
    package mutating func add<P: Decodable & Schematic & Sendable, R: Encodable & Schematic & Sendable>(
        _ name: String, _ summary: String, execution: Execution = .worker,
        _ body: @escaping @Sendable (P, CallContext) throws -> R
    ) {
        add(MethodSpec(name: name, summary: summary, params: P.schema, result: R.schema, execution: execution) { raw, ctx in
            let params: P
            do throws(JSONDecodeError) { params = try JSONDecoding.decode(P.self, from: raw) } catch { throw ServiceError.invalidParams(error) }
            return JSONEncoding.encode(try body(params, ctx))
        })
    }

    /// Adds a method as it is.
    package mutating func add(_ spec: MethodSpec) {
        if methods[spec.name] == nil { order.append(spec.name) }
        methods[spec.name] = spec
    }

    /// The method named `name`.
    package subscript(name: String) -> MethodSpec? { methods[name] }

    /// Every method in registration order.
    package var all: [MethodSpec] { order.compactMap { methods[$0] } }

    /// Names close to `name`, for "did you mean".
    package func suggestions(for name: String) -> [String] {
        let prefix = name.split(separator: ".").first.map(String.init) ?? name
        let close = order.filter { $0.hasPrefix(prefix + ".") }
        return Array(close.prefix(8))
    }
}

/// Turns whatever a handler threw into the error the caller sees.
package func wireError(_ error: any Error, log: Logger, method: String) -> ServiceError {
    switch error {
    case let e as ServiceError: return e
    case let e as JSONDecodeError: return .invalidParams(e)
    case let e as ValidationError: return .invalidParams(field: e.path, e.reason)
    case let e as ValidationErrors:
        let first = e.errors.first ?? ValidationError("", "invalid")
        var err = ServiceError.invalidParams(field: first.path, first.reason)
        if e.errors.count > 1 {
            err.message += " (and \(e.errors.count - 1) more)"
            err.details = ["field": .string(first.path), "errors": .array(e.errors.map { ["field": .string($0.path), "reason": .string($0.reason)] })]
        }
        return err
    default:
        log.error("call.failed", ["method": method, "error": "\(error)"])
        return ServiceError(.internal, "internal error in \(method); see the service log", retryable: false)
    }
}
