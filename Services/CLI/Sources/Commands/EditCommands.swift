import Foundation
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// Edits from the command line, without writing JSON: delegation update, agreement update,
/// sign with signatories, an agreement from a visit.
extension CLI {
    /// Flags that set a field: the flag, the field, and how the value is read.
    struct FieldFlag {
        enum Shape { case text, list, partners }
        var flag, key, help: String
        var shape: Shape = .text
    }

    static let delegationFlags: [FieldFlag] = [
        FieldFlag(flag: "--title", key: "title", help: "The visit's title."),
        FieldFlag(flag: "--purpose", key: "purpose", help: "Why they come."),
        FieldFlag(flag: "--topics", key: "topics", help: "Topics, comma-separated.", shape: .list),
        FieldFlag(flag: "--notes", key: "notes", help: "Notes."),
        FieldFlag(flag: "--direction", key: "direction", help: "inbound or outbound."),
        FieldFlag(flag: "--date", key: "date", help: "For a past visit known only so far: 2018, 2024-10, ~2024."),
        FieldFlag(flag: "--partner", key: "partners", help: "A partner id (repeatable; the first leads).", shape: .partners),
    ]

    /// What only a new visit is given by flag (an existing one moves with reschedule).
    static let createFlags: [FieldFlag] = [
        FieldFlag(flag: "--starts-at", key: "starts_at", help: "When it begins, local time: 2027-03-12T09:00."),
        FieldFlag(flag: "--ends-at", key: "ends_at", help: "When it ends."),
        FieldFlag(flag: "--time-zone", key: "time_zone", help: "Its IANA time zone (default Asia/Shanghai)."),
        FieldFlag(flag: "--external-key", key: "external_key", help: "Your own unique key: creating twice stores it once."),
    ]

    static let agreementFlags: [FieldFlag] = [
        FieldFlag(flag: "--title", key: "title", help: "The agreement's title."),
        FieldFlag(flag: "--kind", key: "kind", help: "mou, exchange, joint_programme, workstation, industry_education, research, …"),
        FieldFlag(flag: "--focus", key: "focus_areas", help: "Focus areas, comma-separated.", shape: .list),
        FieldFlag(flag: "--signed-on", key: "signed_on", help: "A day, or as known: 2024-07, 2024."),
        FieldFlag(flag: "--starts-on", key: "starts_on", help: "When it takes effect."),
        FieldFlag(flag: "--ends-on", key: "ends_on", help: "When it ends."),
        FieldFlag(flag: "--notes", key: "notes", help: "Notes."),
        FieldFlag(flag: "--partner", key: "partners", help: "A partner id (repeatable).", shape: .partners),
    ]

    /// The changes `flags` and `-f PATCH.json` give (the file first, the flags over it).
    static func changes(_ args: ParsedArgs, _ flags: [FieldFlag]) throws -> JSONObject {
        var p: JSONObject = [:]
        if args.value("-f") != nil, case .object(let o) = try readJSONFile(args.value("-f")) { p = o }
        for f in flags {
            switch f.shape {
            case .text: if let v = args.value(f.flag) { p[f.key] = .string(v) }
            case .list:
                if let v = args.value(f.flag) {
                    p[f.key] = .array(v.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 != "" })
                }
            case .partners:
                let ids = args.values(f.flag)
                if !ids.isEmpty {
                    p[f.key] = .array(ids.enumerated().map { i, id in ["id": .string(id), "lead": .bool(i == 0 && ids.count > 1)] })
                }
            }
        }
        return p
    }

    static func editOptions(_ flags: [FieldFlag]) -> [OptionSpec] {
        flags.map { OptionSpec([$0.flag], value: "VALUE", $0.help) } + [
            OptionSpec(["-f", "--file"], value: "PATCH", "JSON with any other fields to replace ('-' for stdin)."), versionOption,
        ]
    }

    /// An update's params: the changes the flags and the file give, the id, and the version
    /// (`--expect-version`, else the current one, read by `version`).
    static func patch(_ args: ParsedArgs, _ flags: [FieldFlag], id: String, version: () throws -> Int64) throws -> JSONValue {
        var p = try changes(args, flags)
        guard !p.members.isEmpty else { throw UsageError("nothing to change: give a flag (see --help) or -f PATCH.json") }
        p["id"] = .string(id)
        p["expected_version"] = .int(try version())
        return .object(p)
    }

    static var delegationUpdate: CLICommand {
        Command(
            name: "update", abstract: "Change a visit's details (a confirmed visit's schedule changes with reschedule).",
            usage: "delegation update ID [--title T] [--purpose P] [--topics A,B] [--notes N] [--partner ID…] [-f PATCH.json]",
            arguments: [("ID", "The delegation's id or reference.")], options: editOptions(delegationFlags)
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            let p = try patch(args, delegationFlags, id: id) { try expectedVersion(args, ctx, id: id) }
            let d: JSONValue
            do {
                d = try ctx.call("delegations", "delegations.update", p)
            } catch var e as CLIError where e.remote?.code == .failedPrecondition && e.remote?.details?["current_state"] != nil {
                // A confirmed visit's schedule: the service names its method; say the commands.
                if let f = e.remote?.details?["field"]?.stringValue, ["starts_at", "ends_at", "time_zone", "itinerary"].contains(f) {
                    e.hint =
                        "a confirmed visit's schedule changes with 'liaison delegation reschedule \(id)' (--shift, --to, -f SCHEDULE.json),"
                        + " or one session at a time with 'liaison delegation item add|move|update|remove'"
                }
                throw e
            }
            if ctx.json { ctx.printJSON(d); return ExitCode.ok }
            ctx.print("\(d["ref"]?.stringValue ?? id): \(d["status"]?.stringValue ?? "") (version \(d["version"]?.intValue ?? 0))")
            printFindings(ctx, d)
            return ExitCode.ok
        }
    }

    static var agreementUpdate: CLICommand {
        Command(
            name: "update", abstract: "Change a draft or negotiating agreement (after signing, changes are amendments).",
            usage: "agreement update ID [--title T] [--kind K] [--focus A,B] [--starts-on D] [--ends-on D] [--partner ID…] [-f PATCH.json]",
            arguments: [("ID", "Id or reference.")], options: editOptions(agreementFlags)
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            let a = try ctx.call(
                "agreements", "agreements.update", try patch(args, agreementFlags, id: id) { try agreementVersion(args, ctx, id) })
            if ctx.json { ctx.printJSON(a) } else { printAgreementLine(ctx, a) }
            return ExitCode.ok
        }
    }

    /// `NAME;TITLE;SIDE[;DATE]` as a signatory (an empty TITLE is none).
    package static func signatory(_ s: String) throws -> JSONValue {
        let parts = s.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard (3...4).contains(parts.count), !parts[0].isEmpty, !parts[2].isEmpty else {
            throw UsageError("--signatory: expected \"NAME;TITLE;SIDE[;DATE]\" (SIDE is bit or the partner's name), not \"\(s)\"")
        }
        var o: JSONObject = ["name": .string(parts[0]), "side": .string(parts[2])]
        if !parts[1].isEmpty { o["title"] = .string(parts[1]) }
        if parts.count == 4, !parts[3].isEmpty { o["signed_on"] = .string(parts[3]) }
        return .object(o)
    }

    static var agreementSign: CLICommand {
        Command(
            name: "sign", abstract: "→ signed, with who signed (active at once if its start has come).",
            usage: "agreement sign ID [--signatory \"NAME;TITLE;SIDE[;DATE]\"…] [-f SIGNATORIES.json] [--signed-on DATE]",
            arguments: [("ID", "Id or reference.")],
            options: [
                versionOption, OptionSpec(["--signed-on"], value: "DATE", "Default today."),
                OptionSpec(["--signatory"], value: "SPEC", "NAME;TITLE;SIDE[;DATE] — SIDE is bit or the partner's name; repeatable."),
                OptionSpec(["-f", "--file"], value: "FILE", "JSON {\"signatories\": [{name, title, side, signed_on}]}."),
            ]
        ) { args, ctx in
            let id = try args.positional(0, "ID")
            var p: JSONObject = ["id": .string(id), "expected_version": .int(try agreementVersion(args, ctx, id))]
            if let s = args.value("--signed-on") { p["signed_on"] = .string(s) }
            var signatories: [JSONValue] = []
            if args.value("-f") != nil, case .array(let list)? = try readJSONFile(args.value("-f"))["signatories"] { signatories = list }
            signatories += try args.values("--signatory").map(signatory)
            if !signatories.isEmpty { p["signatories"] = .array(signatories) }
            let a = try ctx.call("agreements", "agreements.sign", .object(p))
            if ctx.json { ctx.printJSON(a) } else { printAgreementLine(ctx, a) }
            return ExitCode.ok
        }
    }

    static var agreementFromVisit: CLICommand {
        Command(
            name: "from-visit", abstract: "Open a draft agreement with a visit's partners, linked to the visit (led_to).",
            usage: "agreement from-visit DEL-… [--title T] [--kind K] [--coordinator-name N --coordinator-email E]",
            arguments: [("VISIT", "The delegation's id or reference.")],
            options: [
                OptionSpec(["--title"], value: "TITLE", "Default: \"Cooperation with\" and the lead partner."),
                OptionSpec(["--kind"], value: "KIND", "Default mou."),
                OptionSpec(["--coordinator-name"], value: "NAME", "BIT's coordinator (default: the visit's first host)."),
                OptionSpec(["--coordinator-email"], value: "EMAIL", "The coordinator's email."),
            ]
        ) { args, ctx in
            let visit = try ctx.call("delegations", "delegations.get", ["id": .string(try args.positional(0, "VISIT"))])
            let partners = (visit["partners"]?.arrayValue ?? []).compactMap { p in p["id"].map { JSONValue.object(["id": $0]) } }
            let host = visit["hosts"]?[0]
            guard let email = args.value("--coordinator-email") ?? host?["email"]?.stringValue else {
                throw UsageError("the visit has no host: give --coordinator-name and --coordinator-email")
            }
            let lead = (visit["partners"]?.arrayValue ?? []).first { $0["lead"] == true } ?? visit["partners"]?[0]
            let title =
                args.value("--title")
                ?? "Cooperation with \(lead?["name"]?.stringValue ?? "the partners of \(visit["ref"]?.stringValue ?? "")")"
            let draft: JSONValue = [
                "title": .string(title), "kind": .string(args.value("--kind") ?? "mou"), "partners": .array(partners),
                "coordinator": [
                    "name": .string(args.value("--coordinator-name") ?? host?["name"]?.stringValue ?? email), "email": .string(email),
                ],
                "notes": .string("Opened from the visit \(visit["ref"]?.stringValue ?? "") (\(visit["title"]?.stringValue ?? ""))."),
            ]
            let a = try ctx.call("agreements", "agreements.create", draft)
            let seen: JSONValue = [
                "delegation_id": visit["id"] ?? .null, "relation": "led_to", "ref": visit["ref"] ?? .null, "title": visit["title"] ?? .null,
                "country": lead?["country"] ?? .null, "starts_at": visit["date"] ?? visit["starts_at"] ?? .null,
            ]
            let linked = try ctx.call(
                "agreements", "agreements.link_delegation",
                ["id": a["id"] ?? .null, "delegation_id": visit["id"] ?? .null, "relation": "led_to", "seen": seen])
            if ctx.json { ctx.printJSON(linked) } else { printAgreementLine(ctx, linked) }
            return ExitCode.ok
        }
    }
}
