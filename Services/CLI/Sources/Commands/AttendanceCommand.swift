import LiaisonAPI
import LiaisonModels
import LiaisonProcess

extension CLI {
    static var delegationAttendance: CLICommand {
        Command(
            name: "attendance",
            abstract:
                "Who answered the invitations: per session and person, accepted, declined, tentative or no answer.",
            usage: "delegation attendance ID [--json]",
            arguments: [("ID", "The delegation's id or reference.")]
        ) { args, ctx in
            let d = try ctx.call(DelegationsAPI.get, DelegationID(try args.positional(0, "ID")))
            let a = try ctx.call(NotificationsAPI.attendance, AttendanceParams(delegationID: d.id))
            if ctx.json { ctx.printJSON(a); return ExitCode.ok }
            var t = Table(["SESSION", "STARTS (LOCAL)", "PERSON", "ANSWER", "ANSWERED (UTC)"])
            for s in a.sessions {
                for p in s.people {
                    let answer =
                        p.answer.rawValue.replacingOccurrences(of: "_", with: " ")
                        + (p.earlier.map { " (was \($0.rawValue) before it changed)" } ?? "")
                    t.add([s.title, "\(s.startsAt.date) \(s.startsAt.time)", p.name, answer, p.answeredAt ?? ""])
                }
            }
            ctx.print("\(d.ref) — \(d.draft.title)")
            ctx.print(t.render())
            for line in answerLines(a) { ctx.print(line) }
            return ExitCode.ok
        }
    }

    /// Per session, how many gave each answer: "Welcome meeting (2027-03-12 09:00): 3 accepted,
    /// 1 declined, 2 no answer".
    static func answerLines(_ a: Attendance) -> [String] {
        a.sessions.map { s in
            let counts = Answer.allCases.compactMap { answer in
                s.counts[answer.rawValue].map { "\($0) \(answer.rawValue.replacingOccurrences(of: "_", with: " "))" }
            }
            let n = counts.isEmpty ? "nobody invited by mail" : counts.joined(separator: ", ")
            return "  \(s.title) (\(s.startsAt.date) \(s.startsAt.time)): \(n)"
        }
    }

    /// The answers `delegation show` adds for a visit whose invitations went out; nil when there
    /// are none to show, or the notifications service cannot say.
    static func answersShown(_ ctx: CLIContext, _ d: Delegation) -> [String]? {
        guard [.confirmed, .inProgress, .completed].contains(d.status),
            let a = try? ctx.call(NotificationsAPI.attendance, AttendanceParams(delegationID: d.id)),
            a.sessions.contains(where: { !$0.people.isEmpty })
        else { return nil }
        return ["", "Answers to the invitations:"] + answerLines(a)
    }
}
