import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Synchronization

/// Where a method runs: on the event loop (cheap, never blocks), on the loop with its answer
/// given later (the supervisor's start: when the service is ready), or on a worker thread.
package enum Execution: Sendable {
    case inline
    case deferred
    case worker
}

/// How a deferred method answers, once, from the loop thread.
package typealias Answer = @Sendable (Result<JSONValue, ServiceError>) -> Void

/// What a handler knows about the call it is answering.
package struct CallContext: Sendable {
    /// The call as received.
    package let call: IncomingCall
    /// The service's logger.
    package let log: Logger
    /// The caller's uid (SO_PEERCRED), recorded in audit trails.
    package var callerUID: UInt32 { call.peer.uid }

    package init(call: IncomingCall, log: Logger) { (self.call, self.log) = (call, log) }
}

/// One method: its documentation, its schemas, and its handler.
package struct MethodSpec: Sendable {
    package var name, summary: String
    package var params, result: Schema
    package var execution: Execution
    /// Who may call it (the access policy's class).
    package var access: Access
    /// Why an answer would not read as the method's result type (for `invoke`, which tests call).
    package var readsAs: (@Sendable (JSONValue) -> String?)?
    /// The handler, called only with params that fit `params`; it answers through the
    /// `Answer` it is given, at once or (for `.deferred` methods) later.
    package var handler: @Sendable (JSONValue, CallContext, @escaping Answer) throws -> Void
    /// Refuses the call before its handler runs when it says why (a service recovering from a
    /// restore takes no writes).
    package var gate: (@Sendable () -> ServiceError?)?

    package init(
        name: String,
        summary: String,
        params: Schema,
        result: Schema,
        execution: Execution,
        access: Access = .write,
        handler: @escaping @Sendable (JSONValue, CallContext) throws -> JSONValue
    ) {
        self.init(name: name, summary: summary, params: params, result: result, execution: execution, access: access) {
            p,
            ctx,
            answer in
            answer(.success(try handler(p, ctx)))
        }
    }

    package init(
        name: String,
        summary: String,
        params: Schema,
        result: Schema,
        execution: Execution,
        access: Access = .write,
        handler: @escaping @Sendable (JSONValue, CallContext, @escaping Answer) throws -> Void
    ) {
        self.name = name
        self.summary = summary
        self.params = params
        self.result = result
        self.execution = execution
        self.access = access
        self.handler = handler
    }

    /// Runs the method: params checked against the schema at the door (`invalid_params` with
    /// the field path), then the handler; whatever it throws becomes the caller's error.
    package func run(_ params: JSONValue, _ ctx: CallContext, _ answer: @escaping Answer) {
        let problems = self.params.violations(params)
        if !problems.isEmpty { return answer(.failure(problems.serviceError)) }
        if let refused = gate?() { return answer(.failure(refused)) }
        do { try handler(params, ctx, answer) } catch {
            answer(.failure(wireError(error, log: ctx.log, method: name)))
        }
    }
}

/// The methods a process answers, by name.
package struct MethodTable: Sendable {
    package private(set) var methods: [String: MethodSpec] = [:]
    package private(set) var order: [String] = []
    /// Checks every method of a class passes before its handler (see `gate`).
    private var gates: [Access: @Sendable () -> ServiceError?] = [:]

    /// Every method of class `access`, registered or to come, is refused with what `check`
    /// says when it says something.
    package mutating func gate(_ access: Access, _ check: @escaping @Sendable () -> ServiceError?) {
        gates[access] = check
        for (name, spec) in methods where spec.access == access { methods[name]?.gate = check }
    }

    package init() {}

    /// Registers the handler of `method`: params are checked against its schema at the door,
    /// then decoded; a decoding failure is `invalid_params` naming the field.
    package mutating func add<P: Decodable, R: Encodable>(
        _ method: Method<P, R>,
        execution: Execution = .worker,
        _ body: @escaping @Sendable (P, CallContext) throws -> R
    ) {
        add(method, execution: execution, text: { JSONEncoding.bytes($0) }, answering: body)
    }

    /// Registers the handler of `method` that answers with a stand-in for its result (a stored
    /// document sent as it is).
    package mutating func add<P: Decodable, R, A: WireAnswer>(
        _ method: Method<P, R>,
        execution: Execution = .worker,
        _ body: @escaping @Sendable (P, CallContext) throws -> A
    ) where A.Shape == R {
        add(method, execution: execution, text: { $0.wireText }, answering: body)
    }

    /// Registers `method` whose answer has members the process adds (health checks and counters
    /// of its components): `result` is the schema of this process's answer.
    package mutating func add<P: Decodable, R>(
        _ method: Method<P, R>,
        result: Schema,
        execution: Execution,
        _ body: @escaping @Sendable (P, CallContext) throws -> JSONValue
    ) {
        var spec = MethodSpec(
            name: method.name,
            summary: method.summary,
            params: method.paramsSchema,
            result: result,
            execution: execution,
            access: method.access
        ) { raw, ctx in try body(try Self.decode(P.self, raw), ctx) }
        spec.readsAs = Self.reader(R.self)
        add(spec)
    }

    /// Registers the handler of `method` that answers later (on the loop).
    package mutating func addDeferred<P: Decodable, R: Encodable>(
        _ method: Method<P, R>,
        _ body:
            @escaping @Sendable (P, CallContext, @escaping @Sendable (Result<R, ServiceError>) -> Void) throws -> Void
    ) {
        var spec = MethodSpec(
            name: method.name,
            summary: method.summary,
            params: method.paramsSchema,
            result: method.resultSchema,
            execution: .deferred,
            access: method.access
        ) { raw, ctx, answer in
            try body(try Self.decode(P.self, raw), ctx) { r in answer(r.map { .encoded(JSONEncoding.bytes($0)) }) }
        }
        spec.readsAs = Self.reader(R.self)
        add(spec)
    }

    private mutating func add<P: Decodable, R, A: Encodable & SendableMetatype>(
        _ method: Method<P, R>,
        execution: Execution,
        text: @escaping @Sendable (A) -> [UInt8],
        answering body: @escaping @Sendable (P, CallContext) throws -> A
    ) {
        var spec = MethodSpec(
            name: method.name,
            summary: method.summary,
            params: method.paramsSchema,
            result: method.resultSchema,
            execution: execution,
            access: method.access
        ) { raw, ctx in
            .encoded(text(try body(try Self.decode(P.self, raw), ctx)))
        }
        spec.readsAs = Self.reader(R.self)
        add(spec)
    }

    private static func decode<P: Decodable>(_ type: P.Type, _ raw: JSONValue) throws -> P {
        do throws(JSONDecodeError) { return try JSONDecoding.decode(P.self, from: raw) } catch {
            throw ServiceError.invalidParams(error)
        }
    }

    /// Why an answer would not decode as `R` (what clients read it as), or nil.
    private static func reader<R: Decodable & SendableMetatype>(_ type: R.Type) -> @Sendable (JSONValue) -> String? {
        { v in
            do throws(JSONDecodeError) {
                _ = try JSONDecoding.decode(R.self, from: v)
                return nil
            } catch { return "\(error)" }
        }
    }

    /// Adds a method as it is (for methods whose params are passed on undecoded).
    package mutating func add(_ spec: MethodSpec) {
        if methods[spec.name] == nil { order.append(spec.name) }
        var spec = spec
        if let g = gates[spec.access] { spec.gate = g }
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

    /// Runs a method as the dispatcher would (schema enforced, params decoded, errors mapped),
    /// without a socket. A result that does not fit the method's declared result schema is a
    /// bug and fails loudly here, so tests keep the schemas honest.
    package func invoke(
        _ method: String,
        _ params: JSONValue,
        uid: UInt32 = 1000,
        log: Logger
    ) -> Result<JSONValue, ServiceError> {
        guard let spec = self[method] else { return .failure(ServiceError(.methodNotFound, "no method \(method)")) }
        let call = IncomingCall(
            id: "t",
            method: method,
            params: params,
            peer: PeerCredentials(uid: uid, gid: uid, pid: 0)
        )
        let box = AnswerBox()
        spec.run(params, CallContext(call: call, log: log)) { box.set($0) }
        guard let r = box.get() else {
            return .failure(ServiceError(.internal, "\(method) did not answer at once (a deferred method)"))
        }
        if case .success(let v) = r, let bad = spec.result.violation(v) {
            return .failure(ServiceError(.internal, "\(method) answered outside its result schema: \(bad)"))
        }
        if case .success(let v) = r, let bad = spec.readsAs?(v) {
            return .failure(ServiceError(.internal, "\(method) answered what its result type does not read: \(bad)"))
        }
        return r
    }
}

/// An error that knows the `ServiceError` a caller should get for it (domain validation errors,
/// store errors), so the host maps them without knowing their modules.
package protocol ServiceErrorConvertible: Error {
    var serviceError: ServiceError { get }
}

/// Turns whatever a handler threw into the error the caller sees; unexpected errors are logged
/// and reported as `internal` without their details.
package func wireError(_ error: any Error, log: Logger, method: String) -> ServiceError {
    switch error {
    case let e as ServiceError: return e
    case let e as JSONDecodeError: return .invalidParams(e)
    case let e as SchemaViolation: return e.serviceError
    case let e as any ServiceErrorConvertible:
        let converted = e.serviceError
        if converted.code == .internal || converted.details?["reason"] == "disk_full" {
            log.error("call.failed", ["method": method, "error": "\(error)"])
        }
        if converted.code == .internal {
            return ServiceError(.internal, "internal error in \(method); see the service log", retryable: false)
        }
        return converted
    default:
        log.error("call.failed", ["method": method, "error": "\(error)"])
        return ServiceError(.internal, "internal error in \(method); see the service log", retryable: false)
    }
}

/// The answer of a method run in place (`invoke`). `@unchecked Sendable`: behind a lock.
private final class AnswerBox: @unchecked Sendable {
    private let value = Locked<Result<JSONValue, ServiceError>?>(nil)
    func set(_ r: Result<JSONValue, ServiceError>) { value.withLock { $0 = r } }
    func get() -> Result<JSONValue, ServiceError>? { value.withLock { $0 } }
}
