import Glibc

/// A blocking client for one connection: connect with a timeout, call with a timeout, many calls
/// over the same connection. Several calls may be sent before their answers are read
/// (`send` then `receive`); answers that arrive for other ids are kept until asked for.
///
/// Not for use from two threads at once; give each thread its own client.
package final class WireClient {
    /// The socket path this client is connected to.
    package let path: String
    private var fd: Int32
    private var decoder: FrameDecoder
    private var stash: [String: Result<JSONValue, ServiceError>] = [:]
    private var nextID: UInt64 = 1
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Connects to `path`, waiting up to `timeoutMs` (including time in a full listen backlog).
    package init(path: String, timeoutMs: Int = 5000, maxFrame: Int = FrameLimits.hardCap) throws(ServiceError) {
        self.path = path
        do {
            fd = try UnixSocket.connect(path, timeoutMs: timeoutMs)
        } catch let e as SystemError {
            let reason =
                e.errno == ENOENT
                ? "no socket at \(path) (is the service running?)"
                : e.errno == ECONNREFUSED
                    ? "nothing is listening on \(path) (is the service running?)"
                    : e.errno == EAGAIN || e.errno == EWOULDBLOCK || e.errno == EINPROGRESS
                        ? "connect to \(path) timed out after \(timeoutMs) ms" : e.description
            throw ServiceError(.unavailable, reason, retryable: true)
        } catch {
            throw ServiceError(.unavailable, "\(error)", retryable: false)
        }
        decoder = FrameDecoder(maxFrame: maxFrame)
    }

    deinit { if fd >= 0 { FD.close(fd) } }

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

    /// Calls `method` and waits up to `timeoutMs` for its answer.
    package func call(_ method: String, _ params: JSONValue = .object([:]), timeoutMs: Int = 10_000) throws(ServiceError) -> JSONValue {
        let id = try send(method, params, timeoutMs: timeoutMs)
        return try receive(id: id, timeoutMs: timeoutMs)
    }

    /// Calls a method that is safe to repeat (a read, a ping, an idempotent write): when the
    /// connection closes before the answer comes — the service is restarting — reconnect (a
    /// new connection waits in the listen backlog for the new process) and ask again, until
    /// `timeoutMs` has passed.
    package func callRetryingSafe(
        _ method: String, _ params: JSONValue = .object([:]), timeoutMs: Int = 10_000
    ) throws(ServiceError) -> JSONValue {
        let deadline = monotonicNanos() + UInt64(timeoutMs) * 1_000_000
        while true {
            let left = Int((deadline > monotonicNanos() ? deadline - monotonicNanos() : 0) / 1_000_000)
            do {
                if fd < 0 { try reconnect(timeoutMs: max(left, 1)) }
                return try call(method, params, timeoutMs: max(left, 1))
            } catch  where error.code == .unavailable && monotonicNanos() < deadline {
                close()
                continue
            }
        }
    }

    /// Opens a new connection to the same path (after the old one closed).
    package func reconnect(timeoutMs: Int) throws(ServiceError) {
        close()
        do { fd = try UnixSocket.connect(path, timeoutMs: timeoutMs) } catch {
            throw ServiceError(.unavailable, "reconnecting to \(path): \(error)", retryable: true)
        }
        decoder = FrameDecoder(maxFrame: decoder.maxFrame)
        stash = [:]
    }

    /// Calls `method` with typed params and decodes a typed result.
    package func call<P: Encodable, R: Decodable>(
        _ method: String, _ params: P, as: R.Type, timeoutMs: Int = 10_000
    ) throws(ServiceError) -> R {
        let v = try call(method, JSONEncoding.encode(params), timeoutMs: timeoutMs)
        do { return try JSONDecoding.decode(R.self, from: v) } catch {
            throw ServiceError(.internal, "the answer to \(method) did not have the expected shape: \(error)")
        }
    }

    /// Calls `method` with params that are already JSON text (an object), e.g. stored events
    /// forwarded without being parsed again.
    package func call(_ method: String, rawParams: [UInt8], timeoutMs: Int = 10_000) throws(ServiceError) -> JSONValue {
        let id = makeID()
        let bytes = EnvelopeWriter.call(id: id, method: method, timeoutMs: timeoutMs, capacity: rawParams.count + 96) { $0.raw(rawParams) }
        try sendRaw(FrameEncoder.frame(bytes))
        return try receive(id: id, timeoutMs: timeoutMs)
    }

    /// Sends a call without waiting; returns its id.
    @discardableResult
    package func send(
        _ method: String, _ params: JSONValue = .object([:]), timeoutMs: Int? = nil, oneway: Bool = false, id: String? = nil
    ) throws(ServiceError) -> String {
        let id = id ?? makeID()
        try sendRaw(Message.call(id: id, method: method, params: params, timeoutMs: timeoutMs, oneway: oneway).framed())
        return id
    }

    /// Sends bytes as they are (already framed); for tests and forwarding.
    package func sendRaw(_ bytes: [UInt8]) throws(ServiceError) {
        guard fd >= 0 else { throw ServiceError(.unavailable, "connection to \(path) is closed") }
        do { try UnixSocket.sendAll(fd, bytes) } catch {
            // The service may have said why it closed (permission_denied, busy) before we wrote.
            if let why = try? receiveMessage(deadline: monotonicNanos() + 100_000_000), why.id == nil, let e = why.error {
                close()
                throw e
            }
            close()
            throw ServiceError(.unavailable, "sending to \(path) failed: \(error)", retryable: true)
        }
    }

    /// Waits for the answer to `id`.
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
                m.kind == .error ? .failure(m.error ?? ServiceError(.internal, "error without details")) : .success(m.result)
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
                    throw ServiceError(.parseError, "answer from \(path) is not a valid message: \(error.error.message)")
                }
            }
            try fill(deadline: deadline)
        }
    }

    private func fill(deadline: UInt64) throws(ServiceError) {
        guard fd >= 0 else { throw ServiceError(.unavailable, "connection to \(path) is closed") }
        while true {
            let now = monotonicNanos()
            guard now < deadline else { throw ServiceError(.timeout, "no answer from \(path) in time", retryable: true) }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let waitMs = Int32(min((deadline - now + 999_999) / 1_000_000, UInt64(Int32.max)))
            let (r, pollErrno) = restartingEINTR { poll(&pfd, 1, waitMs) }
            if r < 0 { throw ServiceError(.unavailable, "poll: \(SystemError("poll", errno: pollErrno))") }
            if r == 0 { continue }
            let fd = self.fd
            let (n, recvErrno) = restartingEINTR { buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } }
            if n < 0 {
                if recvErrno == EAGAIN { continue }
                let e = SystemError("recv", errno: recvErrno)
                close()
                throw ServiceError(.unavailable, "reading from \(path) failed: \(e)", retryable: true)
            }
            if n == 0 {
                close()
                throw ServiceError(.unavailable, "\(path) closed the connection", retryable: true)
            }
            buffer.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            return
        }
    }
}
