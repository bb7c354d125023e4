import Foundation
import LiaisonAPI
import LiaisonProcess

extension CLI {
    static var mailCommand: CLICommand {
        Command(
            name: "mail",
            abstract: "Mail coming in: the answers calendars send to the invitations.",
            usage: "mail <subcommand>",
            subcommands: [mailReceive]
        )
    }

    /// Exit codes as an MTA's pipe reads them (sysexits.h): the mail taken, bounced, or kept to try later.
    enum MTAExit {
        static let taken: Int32 = 0
        /// EX_DATAERR: a calendar reply that cannot be read (the MTA bounces it).
        static let badData: Int32 = 65
        /// EX_NOUSER: a reply to an invitation Liaison does not know (the MTA bounces it).
        static let noSuchInvitation: Int32 = 67
        /// EX_TEMPFAIL: the mesh cannot take it now (the MTA keeps it and tries again).
        static let later: Int32 = 75
    }

    static var mailReceive: CLICommand {
        Command(
            name: "receive",
            abstract:
                "Take one mail on standard input, as an MTA's pipe gives it: record the invitation answer it holds.",
            usage: "mail receive [--home DIR] [--sender ADDR]",
            options: [
                OptionSpec(
                    ["--sender"],
                    value: "ADDR",
                    "The envelope sender, for the log (default: $SENDER, as exim's pipe sets it)."
                )
            ],
            discussion: """
                Point the address the invitations name as organizer (settings.mail.organizer) at it: exim's
                pipe transport (an alias "|/usr/bin/liaison mail receive --home /var/lib/liaison") or Postfix's
                pipe (argv=/usr/bin/liaison mail receive --sender ${sender}). Its account needs write access
                to the mesh. A reply from the person invited to the invitation as it stands is recorded;
                forged, stale or unrelated mail is logged by the notifications service and dropped.
                Exit: 0 taken (recorded or dropped), 65 an unreadable calendar reply and 67 a reply to an
                invitation Liaison does not know (the MTA bounces both), 75 the mesh cannot take it now
                (the MTA tries again).
                """
        ) { args, ctx in
            let data = FileHandle.standardInput.readData(ofLength: ReceiveParams.maxBytes + 1)
            guard data.count <= ReceiveParams.maxBytes else {
                ctx.note("Error: the mail is over \(ReceiveParams.maxBytes / 1024) KiB; a calendar reply is a few")
                return MTAExit.badData
            }
            let sender = args.value("--sender") ?? ProcessInfo.processInfo.environment["SENDER"]
            let p = ReceiveParams(raw: String(decoding: data, as: UTF8.self), envelopeSender: sender)
            let r: ReceiveResult
            do { r = try ctx.call(NotificationsAPI.receive, p) } catch {
                // Anything but a refusal of the mail itself (a mesh down, a permission to fix): later.
                ctx.note("Error: \(error)")
                return (error as? CLIError)?.exitCode == ExitCode.dataError ? MTAExit.badData : MTAExit.later
            }
            if ctx.json {
                ctx.printJSON(r)
            } else {
                let answers = r.recorded.map { "\($0.itemID): \($0.answer.rawValue)" }.joined(separator: ", ")
                ctx.print(
                    "\(r.outcome.rawValue)\(answers.isEmpty ? "" : " (\(answers))")\(r.reason.map { ": \($0)" } ?? "")"
                )
            }
            switch r.outcome {
            case .malformed: return MTAExit.badData
            case .unknown: return MTAExit.noSuchInvitation
            case .recorded, .stale, .refused, .unrelated: return MTAExit.taken
            }
        }
    }
}
