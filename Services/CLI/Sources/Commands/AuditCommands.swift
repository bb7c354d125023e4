import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// `liaison audit verify`: re-walk every history's hash chain.
extension CLI {
    /// One service's chains, as `audit verify --json` lists them.
    struct ServiceAudit: Encodable {
        var service: String
        var report: AuditReport
    }

    /// Every service's.
    struct MeshAudit: Encodable {
        var ok: Bool
        var services: [ServiceAudit]
        /// Records older than the copies the other services hold.
        var heads: [String]
    }

    /// Each record of `producer` against the record the last event of it each other service
    /// holds carries (those applied since `sinceMs`, when given): the heads it cannot rewrite.
    /// Returns the problems found, and how many records were checked.
    static func compareHeads(
        _ producer: String,
        sinceMs: Int64?,
        _ ctx: CLIContext
    ) throws -> (
        checked: Int, problems: [String]
    ) {
        var checked = 0
        var problems: [String] = []
        for holder in try ctx.mesh().config.services.map(\.name) where holder != producer {
            var cursor: String?
            repeat {
                let asked = HeadsParams(source: producer, sinceMs: sinceMs, limit: 5000, cursor: cursor)
                guard let page = try? ctx.call(RecoveryAPI.heads, asked, on: holder) else { break }
                if !page.items.isEmpty {
                    let r: AuditHeldResult
                    do {
                        r = try ctx.call(
                            AuditAPI.compare,
                            AuditHeldParams(from: holder, heads: page.items),
                            on: producer
                        )
                    } catch let e as CLIError where e.remote?.code == .methodNotFound { return (checked, problems) }
                    checked += r.checked
                    problems += r.problems
                }
                cursor = page.nextCursor
            } while cursor != nil
        }
        return (checked, problems)
    }

    static var auditCommand: CLICommand {
        Command(
            name: "audit",
            abstract: "The tamper-evident history: verify each service's hash chains.",
            usage: "audit verify [SERVICE…] [--since-last]",
            subcommands: [
                Command(
                    name: "verify",
                    abstract:
                        "Re-walk each history's hash chain; name the first row changed outside the service (exit 1).",
                    usage: "audit verify [SERVICE…] [--since-last] [--json]",
                    arguments: [("SERVICE...", "Default: every service of the mesh.")],
                    options: [
                        OptionSpec(
                            ["--since-last"],
                            "Only what was written since the last verify that found every chain intact (a daily "
                                + "check; the whole walk, the default, is the weekly one)."
                        )
                    ]
                ) { args, ctx in
                    let asked = AuditVerifyParams(sinceLast: args.has("--since-last") ? true : nil)
                    let names = args.positionals.isEmpty ? try ctx.mesh().config.services.map(\.name) : args.positionals
                    var all: [ServiceAudit] = []
                    for name in names {
                        let r: AuditReport
                        do { r = try ctx.call(AuditAPI.verify, asked, on: name) } catch let e as CLIError
                            where e.remote?.code == .methodNotFound
                        {
                            if !ctx.json { ctx.print("\(name): keeps no history") }
                            continue
                        }
                        all.append(ServiceAudit(service: name, report: r))
                        guard !ctx.json else { continue }
                        for t in r.tables {
                            guard let b = t.broken else {
                                let since = t.since.map { " after row \($0)" } ?? ""
                                ctx.print("\(name) \(t.table): \(t.rows) rows\(since), chain intact")
                                continue
                            }
                            ctx.print(
                                "\(name) \(t.table): BROKEN at row \(b.seq) (\(b.entity), version \(b.version), "
                                    + "\(b.action)): \(b.why)"
                            )
                        }
                    }
                    var heads: [String] = []
                    for a in all {
                        let (checked, problems) = try compareHeads(a.service, sinceMs: a.report.sinceMs, ctx)
                        heads += problems.map { "\(a.service): \($0)" }
                        guard !ctx.json, checked > 0 else { continue }
                        ctx.print(
                            "\(a.service) against the copies the others hold: \(checked) checked, "
                                + (problems.isEmpty ? "none newer there" : "\(problems.count) newer there:")
                        )
                        for p in problems { ctx.print("  " + p) }
                    }
                    let broken = all.contains { !$0.report.ok } || !heads.isEmpty
                    if ctx.json { ctx.printJSON(MeshAudit(ok: !broken, services: all, heads: heads)) }
                    return broken ? ExitCode.failure : ExitCode.ok
                }
            ]
        )
    }
}
