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
        (result.supervisor, result.needsRestart) = takeSupervisorSection(old.config.supervisor)
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
                "supervisor": result.supervisor.joined(separator: ","),
                "needs_restart": result.needsRestart.joined(separator: ","),
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

    /// What changed in the supervisor's own section against `old`: the log limits are given to
    /// every output at once (the health settings and `on_failure` are read where they are used);
    /// the socket and the log directory wait for a restart. Returns the keys of each.
    private func takeSupervisorSection(_ old: SupervisorEntry) -> (taken: [String], later: [String]) {
        let new = mesh.config.supervisor
        var taken: [String] = [], later: [String] = []
        if new.logMaxBytes != old.logMaxBytes { taken.append("log_max_bytes") }
        if new.logFiles != old.logFiles { taken.append("log_files") }
        if new.healthIntervalMs != old.healthIntervalMs { taken.append("health_interval_ms") }
        if new.healthTimeoutMs != old.healthTimeoutMs { taken.append("health_timeout_ms") }
        if new.healthMisses != old.healthMisses { taken.append("health_misses") }
        if new.onFailure != old.onFailure { taken.append("on_failure") }
        if new.socket != old.socket { later.append("socket") }
        if new.logDir != old.logDir { later.append("log_dir") }
        if new.logMaxBytes != old.logMaxBytes || new.logFiles != old.logFiles {
            for output in [ownOutput] + slots.values.map(\.output) {
                output.limit(maxBytes: new.logMaxBytes, files: new.logFiles)
            }
        }
        return (taken, later)
    }

    /// Drops a stopped service's slot and socket.
    private func forget(_ s: ServiceSlot) {
        releaseSocket(s)
        slots.removeValue(forKey: s.name)
        order.removeAll { $0 == s.name }
    }
}
