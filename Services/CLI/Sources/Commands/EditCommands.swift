import Foundation
import LiaisonAPI
import LiaisonHost
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonWire

/// Edits from the command line, without writing JSON: delegation update, agreement update,
/// sign with signatories, an agreement from a visit.
extension CLI {
    /// Flags that set a field: the flag, the field, and how the value is read.
    struct FieldFlag {
        enum Shape { case text, list, partners }
        var flag, key, help: String
        var shape: Shape = .text
        /// The values it takes, when they are an enum's cases.
        var choices: [String]? = nil

        init(flag: String, key: String, help: String, shape: Shape = .text) {
            (self.flag, self.key, self.help, self.shape) = (flag, key, help, shape)
        }

        /// A flag whose values are an enum's cases (help lists them).
        init<E: CaseIterable & RawRepresentable>(flag: String, key: String, help: String, oneOf: E.Type)
        where E.RawValue == String {
            (self.flag, self.key, self.help, self.choices) = (flag, key, help, E.allCases.map(\.rawValue))
        }

        /// Who a person is, as members and the registry's people are given: the same six flags,
        /// `title` and `email` said for the use.
        static func person(title: String, email: String) -> [FieldFlag] {
            [
                FieldFlag(flag: "--name", key: "name", help: "Name (romanised)."),
                FieldFlag(flag: "--name-local", key: "name_local", help: "In their own script."),
                FieldFlag(flag: "--title", key: "title", help: title),
                FieldFlag(flag: "--role", key: "role", help: "Their part.", oneOf: MemberRole.self),
                FieldFlag(flag: "--email", key: "email", help: email),
                FieldFlag(flag: "--phone", key: "phone", help: "Phone."),
            ]
        }

        /// The option as help and the parser know it.
        var option: OptionSpec {
            guard let choices else { return OptionSpec([flag], value: "VALUE", help) }
            return OptionSpec([flag], oneOf: choices, value: "VALUE", help)
        }
    }

    static let delegationFlags: [FieldFlag] = [
        FieldFlag(flag: "--title", key: "title", help: "The visit's title."),
        FieldFlag(flag: "--purpose", key: "purpose", help: "Why they come."),
        FieldFlag(flag: "--topics", key: "topics", help: "Topics, comma-separated.", shape: .list),
        FieldFlag(flag: "--notes", key: "notes", help: "Notes."),
        FieldFlag(flag: "--direction", key: "direction", help: "Who travels.", oneOf: Direction.self),
        FieldFlag(
            flag: "--date",
            key: "date",
            help: "For a past visit known only so far: 2018, 2024-10, ~2024, 2020/2025-05, ../2025-05."
        ),
        FieldFlag(
            flag: "--partner",
            key: "partners",
            help: "A partner id (repeatable; the first leads).",
            shape: .partners
        ),
    ]

    /// What only a new visit is given by flag (an existing one moves with reschedule).
    static let createFlags: [FieldFlag] = [
        FieldFlag(flag: "--starts-at", key: "starts_at", help: "When it begins, local time: 2027-03-12T09:00."),
        FieldFlag(flag: "--ends-at", key: "ends_at", help: "When it ends."),
        FieldFlag(flag: "--time-zone", key: "time_zone", help: "Its IANA time zone (default Asia/Shanghai)."),
        FieldFlag(
            flag: "--external-key",
            key: "external_key",
            help: "Your own unique key: creating twice stores it once."
        ),
    ]

    static let agreementFlags: [FieldFlag] = [
        FieldFlag(flag: "--title", key: "title", help: "The agreement's title."),
        FieldFlag(flag: "--kind", key: "kind", help: "What kind.", oneOf: AgreementKind.self),
        FieldFlag(flag: "--focus", key: "focus_areas", help: "Focus areas, comma-separated.", shape: .list),
        FieldFlag(flag: "--signed-on", key: "signed_on", help: "A day, or as known: 2024-07, 2024."),
        FieldFlag(flag: "--starts-on", key: "starts_on", help: "When it takes effect."),
        FieldFlag(flag: "--ends-on", key: "ends_on", help: "When it ends."),
        FieldFlag(flag: "--notes", key: "notes", help: "Notes."),
        FieldFlag(flag: "--partner", key: "partners", help: "A partner id (repeatable).", shape: .partners),
    ]

    /// The changes `flags` and `-f PATCH.json` give (the file first, the flags over it).
    static func changes(_ args: ParsedArgs, _ flags: [FieldFlag]) throws -> JSONObject {
        var p: JSONObject = args.value("-f") != nil ? try readJSONFile(args.value("-f")) : [:]
        for f in flags {
            switch f.shape {
            case .text: if let v = args.value(f.flag) { p[f.key] = .string(v) }
            case .list: if let v = args.value(f.flag) { p[f.key] = list(v) }
            case .partners:
                let ids = args.values(f.flag)
                if !ids.isEmpty {
                    p[f.key] = .array(
                        ids.enumerated().map { i, id in ["id": .string(id), "lead": .bool(i == 0 && ids.count > 1)] }
                    )
                }
            }
        }
        return p
    }

    /// A comma-separated list as a JSON array of its (trimmed, non-empty) items.
    static func list(_ v: String) -> JSONValue {
        .array(
            v.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map {
                .string($0)
            }
        )
    }

    static func editOptions(_ flags: [FieldFlag]) -> [OptionSpec] {
        flags.map(\.option) + [
            OptionSpec(["-f", "--file"], value: "PATCH", "JSON with any other fields to replace ('-' for stdin)."),
            versionOption,
        ]
    }

    /// An update's params: the changes the flags and the file give, the id, the version read.
    static func update<Draft>(_ args: ParsedArgs, _ flags: [FieldFlag], id: String) throws -> RecordUpdate<Draft> {
        let p = try changes(args, flags)
        guard !p.members.isEmpty else {
            throw UsageError("nothing to change: give a flag (see --help) or -f PATCH.json")
        }
        return RecordUpdate(id: id, expectedVersion: try expectedVersion(args), changes: p)
    }

    static var delegationUpdate: CLICommand {
        Command(
            name: "update",
            abstract: "Change a visit's details (a confirmed visit's schedule changes with reschedule).",
            usage:
                "delegation update ID [--title T] [--purpose P] [--topics A,B] [--notes N] [--partner ID…] [-f "
                + "PATCH.json]",
            arguments: [("ID", "The delegation's id or reference.")],
            options: editOptions(delegationFlags)
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            let s: SavedDelegation
            do {
                s = try ctx.call(DelegationsAPI.update, try update(args, delegationFlags, id: id))
            } catch var e as CLIError
                where e.remote?.code == .failedPrecondition && e.remote?.details?["current_state"] != nil
            {
                // A confirmed visit's schedule: the service names its method; say the commands.
                if let f = e.remote?.field, ["starts_at", "ends_at", "time_zone", "itinerary"].contains(f) {
                    e.hint =
                        "a confirmed visit's schedule changes with 'liaison delegation reschedule \(id)' (--shift, "
                        + "--to, -f SCHEDULE.json),"
                        + " or one session at a time with 'liaison delegation item add|move|update|remove'"
                }
                throw e
            }
            if ctx.json { ctx.printJSON(s); return ExitCode.ok }
            printSaved(ctx, s)
            return ExitCode.ok
        }
    }

    static var agreementUpdate: CLICommand {
        Command(
            name: "update",
            abstract: "Change a draft or negotiating agreement (after signing, changes are amendments).",
            usage:
                "agreement update ID [--title T] [--kind K] [--focus A,B] [--starts-on D] [--ends-on D] [--partner "
                + "ID…] [-f PATCH.json]",
            arguments: [("ID", "Id or reference.")],
            options: editOptions(agreementFlags)
        ) { args, ctx in
            let a = try ctx.call(
                AgreementsAPI.update,
                try update(args, agreementFlags, id: try args.positional(0, "ID"))
            )
            if ctx.json { ctx.printJSON(a) } else { printAgreementLine(ctx, a) }
            return ExitCode.ok
        }
    }

    /// `NAME;TITLE;SIDE[;DATE]` as a signatory (an empty TITLE is none).
    package static func signatory(_ s: String) throws -> Signatory {
        let parts = s.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard (3...4).contains(parts.count), !parts[0].isEmpty, !parts[2].isEmpty else {
            throw UsageError(
                "--signatory: expected \"NAME;TITLE;SIDE[;DATE]\" (SIDE is bit or the partner's name), not \"\(s)\""
            )
        }
        var date: LocalDate?
        if parts.count == 4, !parts[3].isEmpty {
            var why = ""
            guard let d = LocalDate.parse(parts[3], why: &why) else {
                throw UsageError("--signatory: \(parts[3]): \(why)")
            }
            date = d
        }
        return Signatory(name: parts[0], title: parts[1].isEmpty ? nil : parts[1], side: parts[2], signedOn: date)
    }

    /// Who signed, from a file's `signatories`.
    struct SignatoriesFile: Decodable {
        var signatories: [Signatory]
    }

    static var agreementSign: CLICommand {
        Command(
            name: "sign",
            abstract: "→ signed, with who signed (active at once if its start has come).",
            usage:
                "agreement sign ID [--signatory \"NAME;TITLE;SIDE[;DATE]\"…] [-f SIGNATORIES.json] [--signed-on DATE]",
            arguments: [("ID", "Id or reference.")],
            options: [
                versionOption, OptionSpec(["--signed-on"], value: "DATE", "Default today."),
                OptionSpec(
                    ["--signatory"],
                    value: "SPEC",
                    "NAME;TITLE;SIDE[;DATE] — SIDE is bit or the partner's name; repeatable."
                ),
                OptionSpec(
                    ["-f", "--file"],
                    value: "FILE",
                    "JSON {\"signatories\": [{name, title, side, signed_on}]}."
                ),
            ]
        ) { args, ctx in
            var p = AgreementTransition(id: try args.positional(0, "ID"), expectedVersion: try expectedVersion(args))
            if let s = args.value("--signed-on") {
                var why = ""
                guard let d = LocalDate.parse(s, why: &why) else { throw UsageError("--signed-on: \(why)") }
                p.signedOn = d
            }
            var signatories: [Signatory] = []
            if args.value("-f") != nil {
                signatories = try input(SignatoriesFile.self, try readJSONFile(args.value("-f")), "the signatories")
                    .signatories
            }
            signatories += try args.values("--signatory").map(signatory)
            if !signatories.isEmpty { p.signatories = signatories }
            let a = try ctx.call(AgreementsAPI.sign, p)
            if ctx.json { ctx.printJSON(a) } else { printAgreementLine(ctx, a) }
            return ExitCode.ok
        }
    }

    static var agreementFromVisit: CLICommand {
        Command(
            name: "from-visit",
            abstract: "Open a draft agreement with a visit's partners, linked to the visit (led_to).",
            usage: "agreement from-visit DEL-… [--title T] [--kind K] [--coordinator-name N --coordinator-email E]",
            arguments: [("VISIT", "The delegation's id or reference.")],
            options: [
                OptionSpec(["--title"], value: "TITLE", "Default: \"Cooperation with\" and the lead partner."),
                OptionSpec(["--kind"], AgreementKind.self, "Default mou."),
                OptionSpec(
                    ["--coordinator-name"],
                    value: "NAME",
                    "BIT's coordinator (default: the visit's first host)."
                ),
                OptionSpec(["--coordinator-email"], value: "EMAIL", "The coordinator's email."),
            ]
        ) { args, ctx in
            let visit = try ctx.call(DelegationsAPI.get, DelegationID(try args.positional(0, "VISIT")))
            let host = visit.draft.hosts.first
            guard let email = args.value("--coordinator-email") ?? host?.email else {
                throw UsageError("the visit has no host: give --coordinator-name and --coordinator-email")
            }
            let lead = visit.draft.lead
            let draft = AgreementDraft(
                title: args.value("--title") ?? "Cooperation with \(lead?.name ?? "the partners of \(visit.ref)")",
                kind: try args.choice("--kind", AgreementKind.self) ?? .mou,
                partners: visit.draft.partners.compactMap { $0.id.map { PartnerRef(id: $0) } },
                coordinator: Coordinator(name: args.value("--coordinator-name") ?? host?.name ?? email, email: email),
                notes: "Opened from the visit \(visit.ref) (\(visit.draft.title))."
            )
            let a = try ctx.call(AgreementsAPI.create, draft)
            let seen = DelegationLink(
                delegationID: visit.id,
                relation: LinkRelation.ledTo.rawValue,
                ref: visit.ref,
                title: visit.draft.title,
                country: lead?.country,
                startsAt: visit.draft.date?.description ?? visit.draft.startsAt.description
            )
            let linked = try ctx.call(
                AgreementsAPI.linkDelegation,
                LinkParams(id: a.agreement.id, delegationID: visit.id, relation: .ledTo, seen: seen)
            )
            if ctx.json { ctx.printJSON(linked) } else { printAgreementLine(ctx, linked) }
            return ExitCode.ok
        }
    }
}
