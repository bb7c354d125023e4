import CLiaisonShims
import Glibc

extension WireServer {
    // MARK: accepting

    /// Accepts every waiting connection: an ordinary slot while there is one (and the peer's uid
    /// is within its share), else a reserved slot for control calls, else `busy`.
    func acceptAll() {
        while accepting {
            let (fd, e) = restartingEINTR {
                liaison_accept4(listenFD, liaison_sock_cloexec() | liaison_sock_nonblock())
            }
            if fd < 0 {
                if e == ECONNABORTED { continue }
                if e != EAGAIN && e != EWOULDBLOCK {
                    log("accept.failed", [("error", SystemError("accept4", errno: e).description)])
                    if e == EMFILE || e == ENFILE {
                        // Out of descriptors: pause accepting briefly instead of spinning.
                        loop.unregister(listenFD)
                        loop.schedule(afterMs: 100) { [unowned self] in if accepting { start() } }
                    }
                }
                return
            }
            var uid: UInt32 = 0, gid: UInt32 = 0, pid: Int32 = 0
            _ = liaison_peercred(fd, &uid, &gid, &pid)
            let peer = PeerCredentials(uid: uid, gid: gid, pid: pid)
            if let denied = dispatcher.admit(peer) {
                reject(fd, denied)
                continue
            }
            let mine = perUID[uid] ?? 0
            let ordinarySlot = ordinary < limits.maxConnections && mine < limits.maxConnectionsPerUID
            // One uid gets at most a quarter of the reserved slots: the rest stay for others.
            let reservedSlot =
                reserved < limits.reservedConnections
                && (reservedPerUID[uid] ?? 0) < max(1, limits.reservedConnections / 4)
            guard ordinarySlot || reservedSlot else {
                let why =
                    ordinary >= limits.maxConnections
                    ? "too many connections (limit \(limits.maxConnections))"
                    : "uid \(uid) has its share of connections (\(limits.maxConnectionsPerUID) of "
                        + "\(limits.maxConnections))"
                reject(fd, ServiceError(.busy, why, details: ["retry_after_ms": 100]))
                noteRefusal(uid: uid, why: why, full: ordinary >= limits.maxConnections)
                continue
            }
            let c = Connection(
                fd: fd,
                serial: nextSerial,
                peer: peer,
                maxFrame: limits.maxFrame,
                reserved: !ordinarySlot
            )
            nextSerial += 1
            connections[fd] = c
            if ordinarySlot {
                ordinary += 1
                perUID[uid] = mine + 1
            } else {
                reserved += 1
                reservedPerUID[uid, default: 0] += 1
            }
            loop.register(fd, [.readable, .hangup]) { [unowned self] ev in handle(c, ev) }
            armIdle(c, afterMs: c.reserved ? limits.reservedIdleMs : limits.idleTimeoutMs)
        }
    }

    /// Logs a busy refusal: the first of a caller and reason at once, the next ones in 10 s
    /// counted and said in one line (`repeated`) when the interval is over.
    private func noteRefusal(uid: UInt32, why: String, full: Bool) {
        let fields = [("reason", why), ("peer.uid", String(uid))]
        let key = "\(uid) \(full ? "full" : "share")"
        if let held = refusals.admit(key, fields: fields, nowNanos: monotonicNanos()) {
            log("connection.refused", fields + (held > 0 ? [("repeated", String(held))] : []))
            return
        }
        guard !refusalsTimerArmed else { return }
        refusalsTimerArmed = true
        loop.schedule(afterMs: 10_000) { [unowned self] in
            refusalsTimerArmed = false
            for d in refusals.due(nowNanos: monotonicNanos()) {
                log("connection.refused", d.fields + [("repeated", String(d.held)), ("within_ms", "10000")])
            }
        }
    }

    private func reject(_ fd: Int32, _ error: ServiceError) {
        let bytes = Message.failure(id: nil, error).framed()
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        FD.close(fd)
    }

    // MARK: idle connections

    /// Closes `c` once it has had no call in flight, no half-sent frame and no traffic for its
    /// idle limit: one timer per connection, moved on (not re-created) while it is busy.
    func armIdle(_ c: Connection, afterMs ms: Int) {
        c.idleTimer = loop.schedule(afterMs: ms) { [unowned self] in
            guard connections[c.fd] === c, c.phase == .open else { return }
            let limit = UInt64(c.reserved ? limits.reservedIdleMs : limits.idleTimeoutMs) * 1_000_000
            let quiet = monotonicNanos() - c.lastActivity.load(ordering: .relaxed)
            if c.inFlight.load(ordering: .acquiring) > 0 || c.partialSince != nil || quiet < limit {
                armIdle(c, afterMs: Int((quiet < limit ? limit - quiet : limit) / 1_000_000) + 1)
                return
            }
            log(
                "connection.idle",
                [
                    ("connection", String(c.serial)), ("peer.uid", String(c.peer.uid)),
                    ("after_ms", String(limit / 1_000_000)),
                ]
            )
            sendAndClose(c, Self.idle(ms: Int(limit / 1_000_000)))
        }
    }

    /// The notice an idle connection gets before it is closed.
    static func idle(ms: Int) -> ServiceError {
        ServiceError(
            .unavailable,
            "no call for \(ms) ms: connection closed; connect again for the next call",
            retryable: true,
            details: ["reason": "idle", "not_applied": true]
        )
    }
}
