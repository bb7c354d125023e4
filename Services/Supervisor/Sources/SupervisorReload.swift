import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension Supervisor {
    /// Re-reads the mesh file: new services start, removed ones stop, changed ones restart, the
    /// rest are left alone. Returns what changed.
    func reload() -> Result<ReloadResult, ServiceError> {
        let fresh: Mesh
        do { fresh = try Mesh.load(meshPath) } catch {
            log.error("reload.failed", ["error": "\(error)"])
            return .failure(ServiceError(.invalidParams, "mesh file not reloaded: \(error)", retryable: false))
        }
        var result = ReloadResult()
        let newNames = Set(fresh.config.services.map(\.name))
        for name in order where !newNames.contains(name) {
            result.removed.append(name)
            stopService(slots[name]!) { [unowned self] s in forget(s) }
        }
        let old = mesh
        mesh = fresh
        // What every service reads of the others (sockets, who consumes what, frame limits,
        // users) and of the whole file (access rules, socket group): a change there reaches the
        // other services by restarting them too.
        let shared =
            fresh.config.access != old.config.access || fresh.config.socketGroup != old.config.socketGroup
            || fresh.config.services.compactMap(Self.sharedView) != old.config.services.compactMap(Self.sharedView)
        for entry in (try? fresh.startOrder()) ?? fresh.config.services {
            if let slot = slots[entry.name], !result.removed.contains(entry.name) {
                // A new on_failure is the supervisor's business alone: taken without a restart.
                var same = slot.entry
                same.onFailure = entry.onFailure
                if same == entry { slot.entry = entry }
                guard slot.entry != entry || (shared && slot.wanted) else { continue }
                if slot.entry == entry {
                    result.reconfigured.append(entry.name)
                } else {
                    result.restarted.append(entry.name)
                }
                if slot.entry.socket != entry.socket {
                    // A new socket path: bind it anew; callers of the old path are cut over.
                    stopService(slot) { [unowned self] s in
                        forget(s)
                        do { try addSlot(entry); startService(slots[entry.name]!) { _ in } } catch {
                            log.error("reload.bind_failed", ["child": entry.name, "error": "\(error)"])
                        }
                    }
                    continue
                }
                slot.entry = entry
                // A fixed crash loop (or a failed start) starts again at once, its backoff forgotten.
                if slot.wanted { restartService(slot) { _ in } }
            } else if slots[entry.name] == nil {
                do {
                    try addSlot(entry)
                    result.added.append(entry.name)
                    startService(slots[entry.name]!) { _ in }
                } catch {
                    log.error("reload.bind_failed", ["child": entry.name, "error": "\(error)"])
                }
            }
        }
        log.info(
            "supervisor.reloaded",
            [
                "added": result.added.joined(separator: ","), "removed": result.removed.joined(separator: ","),
                "changed": result.restarted.joined(separator: ","),
                "reconfigured": result.reconfigured.joined(separator: ","),
            ]
        )
        return .success(result)
    }

    /// What the other services read of an entry: a consumer's socket, patterns and frame limit
    /// (its producers relay to it), and the user it runs as (whose events its consumers take);
    /// nil for a service that consumes nothing and has no user of its own — adding one, or
    /// removing it, changes nothing for the others.
    static func sharedView(_ e: ServiceEntry) -> String? {
        guard !e.consumes.isEmpty || e.user != nil else { return nil }
        let consumer = e.consumes.isEmpty ? "" : "\(e.socket)|\(e.consumes)|\(e.maxFrameBytes)"
        return "\(e.name)|\(consumer)|\(e.user?.text ?? "")"
    }

    /// Drops a stopped service's slot and socket.
    private func forget(_ s: ServiceSlot) {
        releaseSocket(s)
        slots.removeValue(forKey: s.name)
        order.removeAll { $0 == s.name }
    }
}
