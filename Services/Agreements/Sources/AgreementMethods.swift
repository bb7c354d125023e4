import LiaisonModels
import LiaisonRuntime
import LiaisonWire

/// `{id, expected_version}` and what a transition takes.
struct AgreementTransition: Codable, Sendable, Schematic {
    var id: String
    var expectedVersion: Int
    var reason: String?
    var signedOn: LocalDate?
    var startsOn: LocalDate?
    var signatories: [Signatory]?

    enum CodingKeys: String, CodingKey {
        case id, reason, signatories, expectedVersion = "expected_version", signedOn = "signed_on", startsOn = "starts_on"
    }

    static var schema: Schema {
        .object([.req("id", .string(), "The agreement's id (agr-…) or reference."), .req("expected_version", .integer(minimum: 1)),
                 .opt("reason", .string(maxLength: Limits.reason)), .opt("signed_on", .string(format: "date")), .opt("starts_on", .string(format: "date")),
                 .opt("signatories", .array(.any))])
    }
}

/// The agreements service's methods.
enum AgreementMethods {
    static func date(_ v: JSONValue?, _ field: String) throws -> LocalDate? {
        guard let v else { return nil }
        guard case .string(let s) = v else { throw ServiceError.invalidParams(field: field, "expected a date like 2027-06-30") }
        var why = ""
        guard let d = LocalDate.parse(s, why: &why) else { throw ServiceError.invalidParams(field: field, why) }
        return d
    }

    static func register(_ t: inout MethodTable, logic: AgreementsLogic) {
        let draftSchema = Schema.object([
            .opt("reference", .string(), "Generated (AGR-YYYY-NNNN) when absent."), .req("title", .string(maxLength: Limits.title)),
            .req("kind", .string(values: AgreementKind.allCases.map(\.rawValue))),
            .req("partners", .array(.object([.req("name", .string()), .opt("name_local", .string()), .req("kind", .string(values: PartnerKind.allCases.map(\.rawValue))),
                                              .req("country", .string(format: "iso3166-alpha2")), .opt("contact_name", .string()), .opt("contact_email", .string(format: "email"))]))),
            .req("coordinator", .object([.req("name", .string()), .req("email", .string(format: "email")), .opt("unit", .string())])),
            .opt("focus_areas", .array(.string())), .opt("signatories", .array(.object([.req("name", .string()), .opt("title", .string()), .req("side", .string()),
                                                                                       .opt("signed_on", .string(format: "date"))]))),
            .opt("signed_on", .string(format: "date")), .opt("starts_on", .string(format: "date")), .opt("ends_on", .string(format: "date"), "Absent: open-ended."),
            .opt("notice_period_days", .integer(minimum: 0)), .opt("auto_renew", .boolean), .opt("places_per_year", .integer(minimum: 0)),
            .opt("documents", .array(.object([.req("title", .string()), .req("sha256", .string())]))), .opt("notes", .string()), .opt("external_key", .string()),
        ])
        @Sendable func agreement(_ a: Agreement) -> JSONValue { JSONEncoding.encode(a) }
        t.add(MethodSpec(name: "agreements.create", summary: "Stores a new agreement (status draft).", params: draftSchema, result: .any, execution: .worker) { raw, ctx in
            let (a, created) = try logic.create(try JSONDecoding.decode(AgreementDraft.self, from: raw), uid: ctx.callerUID)
            guard case .object(var o) = agreement(a) else { return .null }
            o["created"] = .bool(created)
            return .object(o)
        })
        t.add(MethodSpec(name: "agreements.get", summary: "One agreement by id or reference.", params: .object([.req("id", .string())]), result: .any, execution: .worker) { raw, _ in
            guard let id = raw["id"]?.stringValue else { throw ServiceError.invalidParams(field: "id", "required") }
            return agreement(try logic.get(id))
        })
        t.add(MethodSpec(name: "agreements.list", summary: "Agreements by status, kind, partner country or continent, or words.",
                         params: .object([.opt("status", .string(values: AgreementStatus.allCases.map(\.rawValue))), .opt("kind", .string()), .opt("country", .string()),
                                          .opt("continent", .string()), .opt("text", .string()), .opt("limit", .integer(minimum: 1, maximum: 1000))]),
                         result: .object([.req("items", .array(.any))]), execution: .worker) { raw, _ in
            let items = try logic.list(status: raw["status"]?.stringValue, kind: raw["kind"]?.stringValue, country: raw["country"]?.stringValue,
                                       continent: raw["continent"]?.stringValue, text: raw["text"]?.stringValue, limit: Int(raw["limit"]?.intValue ?? 100))
            return ["items": .array(items.map(agreement))]
        })
        t.add(MethodSpec(name: "agreements.update", summary: "Replaces fields of a draft or negotiating agreement (after signing, changes are amendments).",
                         params: .object([.req("id", .string()), .req("expected_version", .integer(minimum: 1))]), result: .any, execution: .worker) { raw, ctx in
            let ids = try JSONDecoding.decode(AgreementTransition.self, from: raw)
            guard case .object(var o) = raw else { return .null }
            o["id"] = nil
            o["expected_version"] = nil
            return agreement(try logic.update(ids.id, expectedVersion: ids.expectedVersion, changes: o, uid: ctx.callerUID))
        })
        t.add("agreements.negotiate", "draft → negotiating.") { (p: AgreementTransition, ctx) in
            try logic.simple(p.id, expectedVersion: p.expectedVersion, action: .negotiate, reason: nil, uid: ctx.callerUID)
        }
        t.add("agreements.sign", "→ signed (signed_on, signatories); active at once if its start has come. Emits agreement.signed.") { (p: AgreementTransition, ctx) in
            try logic.sign(p.id, expectedVersion: p.expectedVersion, signedOn: p.signedOn, signatories: p.signatories, uid: ctx.callerUID)
        }
        t.add("agreements.activate", "signed → active (normally automatic on starts_on). Emits agreement.activated.") { (p: AgreementTransition, ctx) in
            try logic.activate(p.id, expectedVersion: p.expectedVersion, startsOn: p.startsOn, uid: ctx.callerUID)
        }
        t.add("agreements.suspend", "active → suspended; reason required.") { (p: AgreementTransition, ctx) in
            try logic.simple(p.id, expectedVersion: p.expectedVersion, action: .suspend, reason: p.reason, uid: ctx.callerUID)
        }
        t.add("agreements.resume", "suspended → active.") { (p: AgreementTransition, ctx) in
            try logic.simple(p.id, expectedVersion: p.expectedVersion, action: .resume, reason: nil, uid: ctx.callerUID)
        }
        t.add("agreements.terminate", "→ terminated; reason required. Emits agreement.terminated.") { (p: AgreementTransition, ctx) in
            try logic.simple(p.id, expectedVersion: p.expectedVersion, action: .terminate, reason: p.reason, uid: ctx.callerUID)
        }
        t.add(MethodSpec(name: "agreements.renew", summary: "A successor agreement for a new term, linked to this one, which becomes superseded. Emits agreement.renewed.",
                         params: .object([.req("id", .string()), .opt("expected_version", .integer()), .req("ends_on", .string(format: "date")),
                                          .opt("starts_on", .string(format: "date")), .opt("signed_on", .string(format: "date"))]),
                         result: .object([.req("original", .any), .req("successor", .any)]), execution: .worker) { raw, ctx in
            guard let id = raw["id"]?.stringValue else { throw ServiceError.invalidParams(field: "id", "required") }
            guard let end = try date(raw["ends_on"], "ends_on") else { throw ServiceError.invalidParams(field: "ends_on", "required: when the new term ends") }
            let (old, new) = try logic.renew(id, expectedVersion: raw["expected_version"]?.intValue.map(Int.init), endsOn: end,
                                             startsOn: try date(raw["starts_on"], "starts_on"), signedOn: try date(raw["signed_on"], "signed_on"), uid: ctx.callerUID)
            return ["original": agreement(old), "successor": agreement(new)]
        })
        t.add(MethodSpec(name: "agreements.amend", summary: "A numbered amendment to a signed agreement: the changed fields and a summary; the reference gains -A<n>.",
                         params: .object([.req("id", .string()), .req("expected_version", .integer()), .req("summary", .string()), .req("changes", .any),
                                          .opt("effective_on", .string(format: "date"))]),
                         result: .any, execution: .worker) { raw, ctx in
            let ids = try JSONDecoding.decode(AgreementTransition.self, from: raw)
            guard let summary = raw["summary"]?.stringValue else { throw ServiceError.invalidParams(field: "summary", "required: what the amendment changes and why") }
            guard case .object(let changes)? = raw["changes"] else { throw ServiceError.invalidParams(field: "changes", "required: an object of the fields to change") }
            return agreement(try logic.amend(ids.id, expectedVersion: ids.expectedVersion, summary: summary, effectiveOn: try date(raw["effective_on"], "effective_on"),
                                             changes: changes, uid: ctx.callerUID))
        })
        t.add(MethodSpec(name: "agreements.add_activity", summary: "Records an activity or outcome (exchange, visit, workshop, research, outcome, other).",
                         params: .object([.req("id", .string()), .req("on", .string(format: "date")), .req("kind", .string()), .req("summary", .string()),
                                          .opt("count", .integer(minimum: 0))]),
                         result: .any, execution: .worker) { raw, ctx in
            guard let id = raw["id"]?.stringValue else { throw ServiceError.invalidParams(field: "id", "required") }
            guard let on = try date(raw["on"], "on") else { throw ServiceError.invalidParams(field: "on", "required") }
            return agreement(try logic.addActivity(id, on: on, kind: raw["kind"]?.stringValue ?? "", summary: raw["summary"]?.stringValue ?? "",
                                                   count: raw["count"]?.intValue.map(Int.init), uid: ctx.callerUID))
        })
        t.add(MethodSpec(name: "agreements.link_delegation", summary: "Links a delegation (known here from its events) that led to the agreement or followed from it.",
                         params: .object([.req("id", .string()), .req("delegation_id", .string()), .opt("relation", .string(values: ["led_to", "followed_from"]))]),
                         result: .any, execution: .worker) { raw, ctx in
            guard let id = raw["id"]?.stringValue, let did = raw["delegation_id"]?.stringValue else {
                throw ServiceError.invalidParams(field: raw["id"] == nil ? "id" : "delegation_id", "required")
            }
            return agreement(try logic.link(id, delegationID: did, relation: raw["relation"]?.stringValue ?? "led_to", uid: ctx.callerUID))
        })
        t.add(MethodSpec(name: "agreements.history", summary: "Every change: when, by which uid, what.", params: .object([.req("id", .string())]), result: .any,
                         execution: .worker) { raw, _ in
            guard let id = raw["id"]?.stringValue else { throw ServiceError.invalidParams(field: "id", "required") }
            return try logic.history(id)
        })
        t.add(MethodSpec(name: "agreements.sweep", summary: "Applies the dates as of today (or the given date): activations, expiries, auto-renewals, expiring notices.",
                         params: .object([.opt("today", .string(format: "date"), "For planning and tests; default: the real date.")]), result: .any, execution: .worker) { raw, ctx in
            try logic.sweep(today: try date(raw["today"], "today") ?? logic.today, uid: ctx.callerUID)
        })
        t.add(MethodSpec(name: "agreements.report.partners", summary: "Partners and agreements by continent, region, country, kind or year (in force on a date, or signed in a year).",
                         params: .object([.opt("by", .string(values: ["continent", "region", "country", "kind", "year"])), .opt("active_on", .string(format: "date")),
                                          .opt("signed_in", .integer(minimum: 1900, maximum: 2200))]),
                         result: .any, execution: .worker) { raw, _ in
            try logic.partnersReport(by: raw["by"]?.stringValue ?? "continent", activeOn: try date(raw["active_on"], "active_on"),
                                     signedIn: raw["signed_in"]?.intValue.map(Int.init))
        })
        t.add(MethodSpec(name: "agreements.report.funnel", summary: "Visits → agreements citing them → agreements with activities, per continent.",
                         params: .object([]), result: .any, execution: .worker) { _, _ in try logic.funnelReport() })
        t.add(MethodSpec(name: "agreements.report.dormant", summary: "Active agreements with no linked visit or activity in N months (default 12).",
                         params: .object([.opt("months", .integer(minimum: 1, maximum: 600)), .opt("today", .string(format: "date"))]), result: .any, execution: .worker) { raw, _ in
            try logic.dormantReport(months: Int(raw["months"]?.intValue ?? 12), today: try date(raw["today"], "today"))
        })
        t.add(MethodSpec(name: "agreements.report.expiring", summary: "Agreements ending within N days (default 90) and their renewal status.",
                         params: .object([.opt("days", .integer(minimum: 1, maximum: 3650)), .opt("today", .string(format: "date"))]), result: .any, execution: .worker) { raw, _ in
            try logic.expiringReport(days: Int(raw["days"]?.intValue ?? 90), today: try date(raw["today"], "today"))
        })
    }
}

extension Agreement: Schematic {
    package static var schema: Schema { .any }
}
