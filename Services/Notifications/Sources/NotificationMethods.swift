import Foundation
import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire

/// The notifications service's methods.
enum NotificationMethods {
    static let statuses = ["pending", "sending", "sent", "dead", "possibly_sent"]

    static func register(_ t: inout MethodTable, service s: NotificationsService) {
        let store = s.store
        t.add(MethodSpec(name: "notifications.jobs", summary: "The delegation events received, oldest first (the journal the messages come from).",
                         params: .object([.opt("delegation_id", .string()), .opt("after_id", .integer()), .opt("limit", .integer(minimum: 1, maximum: 100_000))]),
                         result: .object([.req("items", .array(.any))]), execution: .worker) { raw, _ in
            var sql = "SELECT id, event_id, event_type, partition_key, sequence, delegation_id, schedule_version, received_ms FROM jobs WHERE id > ?"
            var args: [any SQLBindable] = [raw["after_id"]?.intValue ?? 0]
            if let d = raw["delegation_id"]?.stringValue { sql += " AND delegation_id = ?"; args.append(d) }
            sql += " ORDER BY id LIMIT ?"
            args.append(min(max(raw["limit"]?.intValue ?? 100, 1), 100_000))
            return try store.read { db in
                ["items": .array(try db.query(sql, args).map { r in
                    ["id": .int(r.int(0)!), "event_id": .string(r.string(1)!), "type": .string(r.string(2)!), "partition_key": .string(r.string(3)!),
                     "sequence": .int(r.int(4)!), "delegation_id": .string(r.string(5)!), "schedule_version": .int(r.int(6)!),
                     "received_at": .string(Logger.timestamp(millis: r.int(7)!))]
                })]
            }
        })
        t.add(MethodSpec(name: "notifications.list", summary: "Messages, newest first, by status and/or delegation.",
                         params: .object([.opt("status", .string(values: statuses)), .opt("delegation_id", .string()), .opt("recipient", .string()),
                                          .opt("limit", .integer(minimum: 1, maximum: 10_000))]),
                         result: .object([.req("items", .array(.any)), .req("counts", .any)]), execution: .worker) { raw, _ in
            var sql = "SELECT \(NotificationTables.messageColumns) FROM messages WHERE 1=1"
            var args: [any SQLBindable] = []
            if let st = raw["status"]?.stringValue {
                guard statuses.contains(st) else { throw ServiceError.invalidParams(field: "status", "one of \(statuses.joined(separator: ", "))") }
                sql += " AND status = ?"
                args.append(st)
            }
            if let d = raw["delegation_id"]?.stringValue { sql += " AND (subject_id = ? OR subject_ref = ?)"; args += [d, d] }
            if let r = raw["recipient"]?.stringValue { sql += " AND lower(recipient) = ?"; args.append(r.lowercased()) }
            sql += " ORDER BY id DESC LIMIT ?"
            args.append(min(max(raw["limit"]?.intValue ?? 100, 1), 10_000))
            return try store.read { db in
                var counts = JSONObject()
                for r in try db.query("SELECT status, count(*) FROM messages GROUP BY status") { counts[r.string(0)!] = .int(r.int(1)!) }
                return ["items": .array(try db.query(sql, args).map { NotificationTables.messageJSON($0, full: false) }), "counts": .object(counts)]
            }
        })
        t.add(MethodSpec(name: "notifications.show", summary: "One message: headers, recipient, attempts with the MTA's output, and (raw: true) the message itself.",
                         params: .object([.req("id", .integer()), .opt("raw", .boolean)]), result: .any, execution: .worker) { raw, _ in
            guard let id = raw["id"]?.intValue else { throw ServiceError.invalidParams(field: "id", "required: a message id from notifications.list") }
            return try store.read { db in
                guard let r = try db.queryOne("SELECT \(NotificationTables.messageColumns), raw FROM messages WHERE id = ?", [id]) else {
                    throw ServiceError.notFound("message", String(id))
                }
                guard case .object(var o) = NotificationTables.messageJSON(r, full: true) else { return .null }
                o["attempt_log"] = .array(try db.query("SELECT started_ms, finished_ms, outcome, detail FROM attempts WHERE message = ? ORDER BY id", [id]).map { a in
                    ["started_at": .string(Logger.timestamp(millis: a.int(0)!)), "finished_at": a.int(1).map { .string(Logger.timestamp(millis: $0)) } ?? .null,
                     "outcome": a.string(2).map { .string($0) } ?? "in progress", "detail": a.string(3).map { .string($0) } ?? .null]
                })
                if raw["raw"]?.boolValue == true, let bytes = r.blob(17) { o["raw"] = .string(String(decoding: bytes, as: UTF8.self)) }
                return .object(o)
            }
        })
        t.add(MethodSpec(name: "notifications.retry", summary: "Queues a dead or possibly-sent message again (an operator's decision; may mail twice if it had been sent).",
                         params: .object([.req("id", .integer())]), result: .any, execution: .worker) { raw, ctx in
            guard let id = raw["id"]?.intValue else { throw ServiceError.invalidParams(field: "id", "required") }
            let n = try store.write { db -> Int in
                guard let st = try db.queryOne("SELECT status FROM messages WHERE id = ?", [id])?.string(0) else { throw ServiceError.notFound("message", String(id)) }
                guard st == "dead" || st == "possibly_sent" else {
                    throw ServiceError(.failedPrecondition, "message \(id) is \(st); only dead or possibly_sent messages are retried", retryable: false,
                                       details: ["current_state": .string(st), "requested_state": "pending"])
                }
                return try db.run("UPDATE messages SET status = 'pending', next_attempt_ms = 0, attempts = 0, updated_ms = ?, last_error = NULL WHERE id = ? AND raw IS NOT NULL",
                                  [wallClockMillis(), id])
            }
            guard n == 1 else { throw ServiceError(.failedPrecondition, "message \(id) could not be built (see its error); fix the delegation instead", retryable: false) }
            ctx.log.notice("mail.retry_requested", ["message": String(id), "uid": String(ctx.callerUID)])
            s.sender.wake()
            return ["id": .int(id), "status": "pending"]
        })
        t.add(MethodSpec(name: "notifications.preview",
                         summary: "Renders the emails the rules would send now for a delegation (give the delegation, or the id of one this service has seen) without sending anything.",
                         params: .object([.opt("delegation", Schema.any), .opt("delegation_id", .string()), .opt("rule", .string(values: MailRule.allCases.map(\.rawValue)))]),
                         result: .object([.req("messages", .array(.any))]), execution: .worker) { raw, _ in
            var d: Delegation
            if let given = raw["delegation"] {
                d = try JSONDecoding.decode(Delegation.self, from: given, path: [NameKey("delegation")])
            } else if let id = raw["delegation_id"]?.stringValue {
                guard let doc = try store.read({ db in try db.queryOne("SELECT doc FROM visits WHERE id = ?", [id])?.blob(0) }) else {
                    throw ServiceError(.notFound, "delegation \(id) has sent no events here yet; pass the delegation itself", retryable: false)
                }
                d = try JSONDecoding.decode(Delegation.self, from: doc)
            } else {
                throw ServiceError.invalidParams(field: "delegation", "give delegation (the object) or delegation_id")
            }
            let rule = raw["rule"]?.stringValue.flatMap(MailRule.init(rawValue:)) ?? (d.status == .cancelled ? .cancel : d.scheduleVersion > 1 ? .update : .schedule)
            if d.status == .proposed { d.status = .confirmed }  // what confirming would send
            let now = Date()
            let messages: [JSONValue] = ScheduleRenderer.recipients(of: d).map { r in
                let m = ScheduleRenderer.render(rule, d, for: r, settings: s.settings, reminderDays: s.settings.reminderDays.last, now: now)
                var o: JSONObject = ["to": .string("\(r.displayName) <\(r.address)>"), "view": .string(r.view.rawValue),
                                     "subject": .string(m.subject), "text": .string(m.text)]
                if let c = m.calendar { o["calendar"] = ["method": .string(c.method), "content": .string(c.content)] }
                let mail = MailMessage(from: s.settings.from, to: [r.mailbox], replyTo: s.settings.replyTo, subject: m.subject, date: now,
                                       messageID: "preview@\(s.settings.messageIDDomain)", text: m.text, html: m.html, calendar: m.calendar)
                do { o["size"] = .int(Int64(try MessageBuilder.build(mail, boundarySeed: "preview").count)) } catch { o["refused"] = .string("\(error)") }
                return .object(o)
            }
            return ["rule": .string(rule.rawValue), "delegation_id": .string(d.id), "messages": .array(messages)]
        })
        t.add(MethodSpec(name: "notifications.due", summary: "Reminders armed to go out within the next N days (default 30).",
                         params: .object([.opt("days", .integer(minimum: 1, maximum: 3650))]), result: .object([.req("items", .array(.any))]), execution: .worker) { raw, _ in
            let days = raw["days"]?.intValue ?? 30
            let until = wallClockMillis() + days * 86_400_000
            return try store.read { db in
                ["items": .array(try db.query("""
                    SELECT r.subject_id, r.days, r.due_ms, r.version, json_extract(v.doc, '$.ref'), json_extract(v.doc, '$.title'), json_extract(v.doc, '$.starts_at')
                    FROM reminders r LEFT JOIN visits v ON v.id = r.subject_id WHERE r.status = 'armed' AND r.due_ms <= ? ORDER BY r.due_ms
                    """, [until]).map { r in
                    ["delegation_id": .string(r.string(0)!), "days_before": .int(r.int(1)!), "due_at": .string(Logger.timestamp(millis: r.int(2)!)),
                     "schedule_version": .int(r.int(3)!), "ref": r.string(4).map { .string($0) } ?? .null, "title": r.string(5).map { .string($0) } ?? .null,
                     "starts_at": r.string(6).map { .string($0) } ?? .null]
                })]
            }
        })
    }
}
