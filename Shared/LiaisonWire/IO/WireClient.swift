import LiaisonJSON
import Glibc

/// A blocking client for one connection: connect with a timeout, call with a timeout, many calls
/// over the same connection. Several calls may be sent before their answers are read
/// (`send` then `receive`); answers that arrive for other ids are kept until asked for.
///
/// `call` follows the protocol's rule for stops and restarts (PROTOCOL.md §3): an answer that
/// says the call was not applied (`not_applied`, or `busy`), a notice that the service is going
/// away, or a connection that could not take the call, means it is safe to send the call again
/// on a new connection — which waits in the listen backlog for the next process — and `call`
/// does so until its timeout. A connection lost while waiting for an answer leaves the outcome
/// unknown: only calls declared idempotent are sent again then.
///
/// Not for use from two threads at once; give each thread its own client.
package final class WireClient {
    /// The socket path this client is connected to.
    package let path: String
    private var fd: Int32 = -1
    private var decoder: FrameDecoder
    private var stash: [String: Result<JSONValue, ServiceError>] = [:]
    private var nextID: UInt64 = 1
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Connects to `path`, waiting up to `timeoutMs` (including time in a full listen backlog).
    package init(path: String, timeoutMs: Int = 5000, maxFrame: Int = FrameLimits.hardCap) throws(ServiceError) {
        self.path = path
        decoder = FrameDecoder(maxFrame: maxFrame)
        try connect(timeoutMs: timeoutMs)
    }

    deinit { if fd >= 0 { FD.close(fd) } }

    private func connect(timeoutMs: Int) throws(ServiceError) {
        close()
        do {
            fd = try UnixSocket.connect(path, timeoutMs: timeoutMs)
        } catch let e as SystemError {
            if e.errno == EACCES || e.errno == EPERM {
                throw ServiceError(
                    .permissionDenied,
                    "permission denied: uid \(getuid()) may not open \(path) (the socket, or a directory above it, "
                        + "is not open to it)",
                    retryable: false,
                    details: ["not_applied": true]
                )
            }
            let reason =
                e.errno == ENOENT
                ? "no socket at \(path) (is the service running?)"
                : e.errno == ECONNREFUSED
                    ? "nothing is listening on \(path) (is the service running?)"
                    : e.errno == EAGAIN || e.errno == EWOULDBLOCK || e.errno == EINPROGRESS
                        ? "connect to \(path) timed out after \(timeoutMs) ms" : e.description
            throw ServiceError(.unavailable, reason, retryable: true, details: ["not_applied": true])
        } catch {
            throw ServiceError(.unavailable, "\(error)", retryable: false, details: ["not_applied": true])
        }
        decoder = FrameDecoder(maxFrame: decoder.maxFrame)
        stash = [:]
    }

    /// Closes the connection.
    package func close() {
        if fd >= 0 { FD.close(fd) }
        fd = -1
    }

    /// Whether the connection is still open.
    package var isOpen: Bool { fd >= 0 }

    /// A fresh call id for this connection.
    package func makeID() -> String {
        defer { nextID += 1 }
        return "c-\(nextID)"
    }

    /// Calls `method` and waits up to `timeoutMs` for its answer, sending it again on a new
    /// connection whenever the service says (or the connection shows) that it was not applied;
    /// `idempotent` calls are also sent again when the connection is lost before their answer.
    package func call(
        _ method: String,
        _ params: JSONValue = .object([:]),
        timeoutMs: Int = 10_000,
        idempotent: Bool = false
    )
        throws(ServiceError) -> JSONValue
    {
        try retrying(timeoutMs: timeoutMs, idempotent: idempotent) { left throws(ServiceError) in
            let id = try send(method, params, timeoutMs: left)
            return try receive(id: id, timeoutMs: left)
        }
    }

    /// Calls `method` with params that are already JSON text (an object), e.g. stored events
    /// forwarded without being parsed again; retried as `call` does.
    package func call(
        _ method: String,
        rawParams: [UInt8],
        timeoutMs: Int = 10_000,
        idempotent: Bool = false
    ) throws(ServiceError)
        -> JSONValue
    {
        try retrying(timeoutMs: timeoutMs, idempotent: idempotent) { left throws(ServiceError) in
            let id = makeID()
            let bytes = EnvelopeWriter.call(id: id, method: method, timeoutMs: left, capacity: rawParams.count + 96) {
                $0.raw(rawParams)
            }
            try sendRaw(FrameEncoder.frame(bytes))
            return try receive(id: id, timeoutMs: left)
        }
    }

    /// A list method's items: its first page, or with `all` every page (following next_cursor,
    /// as every list method pages). Returns the last answer too and the cursor left, if any.
    package func list(
        _ method: String,
        _ params: JSONObject = [:],
        all: Bool = true,
        timeoutMs: Int = 10_000
    ) throws(ServiceError)
        -> (items: [JSONValue], last: JSONValue, next: String?)
    {
        var params = params
        var items: [JSONValue] = []
        var answer: JSONValue = [:]
        var next: String?
        repeat {
            if let next { params["cursor"] = .string(next) }
            answer = try call(method, .object(params), timeoutMs: timeoutMs, idempotent: true)
            items += answer["items"]?.arrayValue ?? []
            next = answer["next_cursor"]?.stringValue
        } while next != nil && all
        return (items, answer, next)
    }

    /// Calls `method` with typed params and returns its typed result. Reads are sent again when
    /// the connection is lost before their answer (they change nothing).
    package func call<P, R>(_ method: Method<P, R>, _ params: P, timeoutMs: Int = 10_000) throws(ServiceError) -> R {
        let answer = try call(
            method.name,
            JSONEncoding.encode(params),
            timeoutMs: timeoutMs,
            idempotent: method.access == .read
        )
        return try Self.decode(R.self, answer, method: method.name)
    }

    /// A list method's items, typed: its first page, or with `all` every page (following
    /// next_cursor). Returns the cursor left, if any.
    package func list<P: Paged, Item>(
        _ method: Method<P, Page<Item>>,
        _ params: P,
        all: Bool = true,
        timeoutMs: Int = 10_000
    ) throws(ServiceError) -> (items: [Item], next: String?) {
        var params = params
        var items: [Item] = []
        var page: Page<Item>
        repeat {
            page = try call(method, params, timeoutMs: timeoutMs)
            items += page.items
            params.cursor = page.nextCursor
        } while page.nextCursor != nil && all
        return (items, page.nextCursor)
    }

    /// `answer` as the method's result type; an answer of another shape (a service of another
    /// release) is an error that says so.
    package static func decode<R: Decodable>(
        _ type: R.Type,
        _ answer: JSONValue,
        method: String
    ) throws(ServiceError) -> R {
        do { return try JSONDecoding.decode(R.self, from: answer) } catch {
            throw ServiceError(
                .internal,
                "the answer to \(method) is not of the shape this client reads (\(error)); is the service of another "
                    + "release?",
                retryable: false,
                details: ["field": .string(error.path), "reason": "answer_shape"]
            )
        }
    }

    /// Runs `attempt` (given the milliseconds left) until it succeeds, fails for good, or the
    /// time is up; between attempts the connection is made anew.
    private func retrying(
        timeoutMs: Int,
        idempotent: Bool,
        _ attempt: (Int) throws(ServiceError) -> JSONValue
    ) throws(ServiceError) -> JSONValue {
        let deadline = monotonicNanos() + UInt64(max(timeoutMs, 1)) * 1_000_000
        var pause = 1
        while true {
            let left = Int((deadline > monotonicNanos() ? deadline - monotonicNanos() : 0) / 1_000_000)
            do {
                if fd < 0 { try connect(timeoutMs: max(left, 1)) } else { try dropIfGoingAway() }
                return try attempt(max(left, 1))
            } catch {
                let again =
                    error.details?["not_applied"] == true || error.code == .busy
                    || (idempotent && error.code == .unavailable)
                guard again, monotonicNanos() < deadline else { throw error }
                close()
                // A busy service says when to come back; otherwise a short pause, growing.
                let wait = error.details?["retry_after_ms"]?.intValue.map(Int.init) ?? pause
                pause = min(pause * 2, 100)
                usleep(UInt32(max(0, min(wait, left)) * 1000))
            }
        }
    }

    /// Before a call on a connection that was idle: when the service has said it is going away
    /// (or closed the connection), start on a new one instead of sending into the old.
    private func dropIfGoingAway() throws(ServiceError) {
        guard stash.isEmpty, decoder.bufferedCount == 0 else { return }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 0) > 0 else { return }
        // Something arrived unasked: a notice (stopping, idle) or the end of the connection.
        _ = try? receiveMessage(deadline: monotonicNanos() + 1_000_000)
        throw ServiceError(
            .unavailable,
            "\(path) closed the connection before the call",
            retryable: true,
            details: ["not_applied": true]
        )
    }

    /// Opens a new connection to the same path (after the old one closed).
    package func reconnect(timeoutMs: Int) throws(ServiceError) { try connect(timeoutMs: timeoutMs) }

    /// Sends a call without waiting; returns its id.
    @discardableResult
    package func send(
        _ method: String,
        _ params: JSONValue = .object([:]),
        timeoutMs: Int? = nil,
        oneway: Bool = false,
        id: String? = nil
    )
        throws(ServiceError) -> String
    {
        let id = id ?? makeID()
        try sendRaw(Message.call(id: id, method: method, params: params, timeoutMs: timeoutMs, oneway: oneway).framed())
        return id
    }

    /// Sends bytes as they are (already framed); for tests and forwarding. A failure means the
    /// service did not get the call (`not_applied`).
    package func sendRaw(_ bytes: [UInt8]) throws(ServiceError) {
        guard fd >= 0 else {
            throw ServiceError(.unavailable, "connection to \(path) is closed", details: ["not_applied": true])
        }
        do { try UnixSocket.sendAll(fd, bytes) } catch {
            // The service may have said why it closed (permission_denied, busy) before we wrote.
            if let why = try? receiveMessage(deadline: monotonicNanos() + 100_000_000), why.id == nil, var e = why.error
            {
                close()
                if e.code == .busy, case .object(var d)? = e.details {
                    d["not_applied"] = true
                    e.details = .object(d)
                }
                throw e
            }
            close()
            throw ServiceError(
                .unavailable,
                "sending to \(path) failed: \(error)",
                retryable: true,
                details: ["not_applied": true]
            )
        }
    }

    /// Waits for the answer to `id`. A notice without an id (the service stopping, or idle) means
    /// every call still waiting on this connection was not applied.
    package func receive(id: String, timeoutMs: Int = 10_000) throws(ServiceError) -> JSONValue {
        let deadline = monotonicNanos() + UInt64(max(timeoutMs, 0)) * 1_000_000
        while true {
            if let r = stash.removeValue(forKey: id) { return try r.get() }
            let m = try receiveMessage(deadline: deadline)
            guard let mid = m.id else {
                if let e = m.error { throw e }  // an error about the connection itself
                continue
            }
            let r: Result<JSONValue, ServiceError> =
                m.kind == .error
                ? .failure(m.error ?? ServiceError(.internal, "error without details")) : .success(m.result)
            if mid == id { return try r.get() }
            stash[mid] = r
        }
    }

    /// Reads the next message of any kind, waiting until `deadline` (monotonic nanoseconds).
    package func receiveMessage(deadline: UInt64) throws(ServiceError) -> Message {
        while true {
            let payload: [UInt8]?
            do { payload = try decoder.next() } catch {
                close()
                throw ServiceError(.frameTooLarge, "answer from \(path): \(error)")
            }
            if let payload {
                do { return try Message.decode(payload) } catch {
                    throw ServiceError(
                        .parseError,
                        "answer from \(path) is not a valid message: \(error.error.message)"
                    )
                }
            }
            try fill(deadline: deadline)
        }
    }

    private func fill(deadline: UInt64) throws(ServiceError) {
        guard fd >= 0 else { throw ServiceError(.unavailable, "connection to \(path) is closed") }
        while true {
            let now = monotonicNanos()
            guard now < deadline else {
                throw ServiceError(.timeout, "no answer from \(path) in time", retryable: true)
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let waitMs = Int32(min((deadline - now + 999_999) / 1_000_000, UInt64(Int32.max)))
            let (r, pollErrno) = restartingEINTR { poll(&pfd, 1, waitMs) }
            if r < 0 { throw ServiceError(.unavailable, "poll: \(SystemError("poll", errno: pollErrno))") }
            if r == 0 { continue }
            let fd = self.fd
            let (n, recvErrno) = restartingEINTR {
                buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            }
            if n < 0 {
                if recvErrno == EAGAIN { continue }
                let e = SystemError("recv", errno: recvErrno)
                close()
                throw ServiceError(
                    .unavailable,
                    "reading from \(path) failed: \(e); the call's outcome is unknown",
                    retryable: true,
                    details: ["outcome": "unknown"]
                )
            }
            if n == 0 {
                close()
                throw ServiceError(
                    .unavailable,
                    "\(path) closed the connection; the call's outcome is unknown",
                    retryable: true,
                    details: ["outcome": "unknown"]
                )
            }
            buffer.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            return
        }
    }
}
