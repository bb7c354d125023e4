import Dispatch
import LiaisonHost
import LiaisonProcess
import LiaisonSync

/// The supervisor's part of `service.metrics`: each service's state, restarts and last exit.
extension Supervisor {
    /// Families of every slot; loop thread only.
    func slotFamilies() -> [MetricFamily] {
        var up = MetricFamily("liaison_service_up", .gauge, "1 when the service is running (ready), else 0.")
        var state = MetricFamily("liaison_service_state", .gauge, "1 for the state the service is in.")
        var restarts = MetricFamily("liaison_service_restarts", .counter, "Restarts since the supervisor started.")
        var exit = MetricFamily(
            "liaison_service_last_exit_code",
            .gauge,
            "How the service last ended: its exit status, or 128 + the signal that killed it."
        )
        for name in order {
            guard let slot = slots[name] else { continue }
            let l = ["service": name]
            if case .running = slot.state {
                up.samples.append(MetricSample(l, 1))
            } else {
                up.samples.append(MetricSample(l, 0))
            }
            for s in ["stopped", "starting", "running", "stopping", "backoff", "failed"] {
                state.samples.append(MetricSample(["service": name, "state": s], slot.state.name == s ? 1 : 0))
            }
            restarts.samples.append(MetricSample(l, Double(slot.restarts)))
            if let e = slot.lastExit {
                switch e.status {
                case .exited(let code): exit.samples.append(MetricSample(l, Double(code)))
                case .signaled(let sig): exit.samples.append(MetricSample(l, Double(128 + sig)))
                }
            }
        }
        return [up, state, restarts, exit]
    }

    /// The same, from another thread: asked of the loop, waited for (at most two seconds).
    nonisolated func slotFamiliesFromElsewhere() -> [MetricFamily] {
        let result = Locked<[MetricFamily]>([])
        let done = DispatchSemaphore(value: 0)
        loop.execute { [self] in
            result.withLock { $0 = slotFamilies() }
            done.signal()
        }
        _ = done.wait(timeout: .now() + 2)
        return result.withLock { $0 }
    }
}
