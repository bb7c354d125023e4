import Foundation
import LiaisonHost
import LiaisonJSON
import LiaisonProcess
import LiaisonWire

/// `liaison health` as a monitoring plugin (the monitoring-plugins guidelines): one summary line
/// first (`LIAISON <STATE> - …|perfdata`), then a line per service; the state from the
/// supervisor where one runs (a crash loop or a stopped service is CRITICAL there even before
/// its socket says anything), thresholds on the oldest undelivered event and dead letters.
struct HealthPlugin {
    /// `-w`/`-c`: `age=SECONDS,dead=N` (either or both).
    struct Thresholds {
        var age: Double?
        var dead: Int64?

        init(_ spec: String?, option: String) throws {
            guard let spec else { return }
            for part in spec.split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw UsageError("\(option): expected age=SECONDS,dead=N, got '\(part)'") }
                switch kv[0] {
                case "age":
                    guard let v = Double(kv[1]), v >= 0 else { throw UsageError("\(option): age must be seconds ≥ 0") }
                    age = v
                case "dead":
                    guard let v = Int64(kv[1]), v >= 0 else { throw UsageError("\(option): dead must be a count ≥ 0") }
                    dead = v
                default: throw UsageError("\(option): unknown threshold '\(kv[0])' (age or dead)")
                }
            }
        }
    }

    /// One service as judged.
    struct Verdict {
        var name: String
        var state: CLI.Nagios
        var line: String
        var perf: [String] = []
        var answer: CLI.HealthAnswer
    }

    /// What the plugin reads of a service's health: the outbox (producers) and the messages by
    /// status (notifications).
    struct HealthSections: Decodable {
        struct Outbox: Decodable {
            var pending, dead: Int64?
            var subscribers: [String: Lag]?
        }
        struct Lag: Decodable {
            var oldestPendingAgeMs: Int64?
            enum CodingKeys: String, CodingKey { case oldestPendingAgeMs = "oldest_pending_age_ms" }
        }
        var outbox: Outbox?
        var messages: [String: Int64]?
    }

    let warning, critical: Thresholds
    let timeoutMs: Int

    /// Judges `name`: the supervisor's view first (`rows`), then its own answer, then thresholds.
    func judge(_ name: String, row: ServiceStatus?, _ ctx: CLIContext) -> Verdict {
        if let row, row.state != .running {
            let why = row.reason.map { " — \($0)" } ?? ""
            let state: CLI.Nagios = row.state == .starting ? .warning : .critical
            return Verdict(
                name: name,
                state: state,
                line: "\(row.state.rawValue) (supervisor, \(row.restarts) restarts)\(why)",
                answer: .error("\(row.state.rawValue)\(why)")
            )
        }
        let (base, line, answer) = CLI.health(of: name, ctx, timeoutMs: timeoutMs)
        var v = Verdict(name: name, state: base, line: line, answer: answer)
        guard case .health(let h) = answer else { return v }
        v.perf.append("'\(name)_uptime'=\(Int(h.uptimeS))s")
        let sections = try? JSONDecoding.decode(HealthSections.self, from: JSONValue.object(h.raw))
        if let outbox = sections?.outbox {
            let pending = outbox.pending ?? 0, dead = outbox.dead ?? 0
            let ageMs = (outbox.subscribers ?? [:]).values.compactMap(\.oldestPendingAgeMs).max() ?? 0
            let age = Double(ageMs) / 1000
            v.perf.append("'\(name)_pending'=\(pending)")
            v.perf.append(
                "'\(name)_dead'=\(dead);\(warning.dead.map(String.init) ?? "");\(critical.dead.map(String.init) ?? "")"
            )
            v.perf.append(
                "'\(name)_oldest_pending'=\(Int(age))s;\(warning.age.map { String(Int($0)) } ?? "");"
                    + "\(critical.age.map { String(Int($0)) } ?? "")"
            )
            var crossed: [String] = []
            /// The critical threshold first, else the warning one: the state it raises and what it says.
            func check<T: Comparable>(_ value: T, _ w: T?, _ c: T?, _ say: (T) -> String) {
                if let c, value > c {
                    v.state = max(v.state, .critical)
                    crossed.append(say(c))
                } else if let w, value > w {
                    v.state = max(v.state, .warning)
                    crossed.append(say(w))
                }
            }
            check(dead, warning.dead, critical.dead) { "\(dead) dead > \($0)" }
            check(age, warning.age, critical.age) { "oldest undelivered event \(Int(age)) s > \(Int($0)) s" }
            if !crossed.isEmpty { v.line += "; " + crossed.joined(separator: "; ") }
        }
        if let messages = sections?.messages {
            v.perf.append("'\(name)_mails_waiting'=\((messages["pending"] ?? 0) + (messages["sending"] ?? 0))")
        }
        return v
    }

    /// The summary line: state, what is wrong (or how many are fine), perfdata.
    static func summary(_ verdicts: [Verdict]) -> (CLI.Nagios, String) {
        let worst = verdicts.map(\.state).max() ?? .unknown
        let bad = verdicts.filter { $0.state != .ok }
        let text =
            bad.isEmpty
            ? "\(verdicts.count) service\(verdicts.count == 1 ? "" : "s") ok"
            : bad.map { "\($0.name) \($0.state.label): \($0.line)" }.joined(separator: "; ")
        let perf = verdicts.flatMap(\.perf).joined(separator: " ")
        return (worst, "LIAISON \(worst.label) - \(text)" + (perf.isEmpty ? "" : " | \(perf)"))
    }
}
