import LiaisonAPI
import LiaisonHost
import LiaisonProcess

/// Runs the sweep once at start and then daily, a minute after midnight UTC.
final class DailySweep: Component {
    let name = "daily-sweep"
    let logic: AgreementsLogic
    let log: Logger
    private let loop: BackgroundLoop

    init(logic: AgreementsLogic, log: Logger) {
        self.logic = logic
        self.log = log
        loop = BackgroundLoop(name: "agreements-sweep") { _ in
            // Restored from a backup: nothing changes until what the others hold is taken back.
            if logic.store.recovering { return .atMost(ms: 10_000) }
            do {
                let r = try logic.sweep(today: logic.today)
                if r.changes > 0 { log.info("agreements.swept", ["today": r.today, "changes": String(r.changes)]) }
            } catch {
                log.error("agreements.sweep_failed", ["error": "\(error)"])
            }
            let now = logic.now()
            let nextMidnight = (now / 86_400_000 + 1) * 86_400_000 + 60_000
            return .atMost(ms: nextMidnight - now)
        }
    }

    func start() throws { try loop.start() }

    func stop(deadline: UInt64) { loop.stop(timeoutMs: Components.millisLeft(until: deadline)) }
}
