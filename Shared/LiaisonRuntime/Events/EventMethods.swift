import LiaisonStore
import LiaisonWire

/// A service that takes part in events: where its outbox/inbox live, and what it does with a
/// delivered event.
package protocol EventParticipant: AnyObject, Sendable {
    /// The database holding the outbox (producers) and the inbox (consumers).
    var eventStore: Store { get }
    /// Applies one event inside the inbox transaction; throw `ServiceError` to refuse it
    /// (retryable or not). Unknown types should return `.ignored`.
    func handle(event: CloudEvent, db: Database) throws -> EventDisposition
}

/// The `events.*` methods and the relay, wired by the host for every service that produces or
/// consumes events.
package enum EventMethods {
    static let queueParams = Schema.object([
        .opt("status", .string(values: ["pending", "dead", "delivered", "skipped", "all"]), "Default: pending and dead."),
        .opt("subscriber", .string()), .opt("limit", .integer(minimum: 1, maximum: 1000), "Default 100."),
    ])

    /// Registers the producer's methods (queue, redrive, skip, latency).
    package static func registerProducer(_ t: inout MethodTable, store: Store, source: String, relay: EventRelay?) {
        t.add(MethodSpec(name: "events.queue", summary: "Outgoing event deliveries (pending and dead by default) with attempts and last error.",
                         params: queueParams, result: .object([.req("service", .string()), .req("summary", .any), .req("deliveries", .array(.any))]),
                         execution: .worker) { raw, _ in
            let status = raw["status"]?.stringValue
            let statuses = status == "all" ? ["pending", "dead", "delivered", "skipped"] : status.map { [$0] } ?? ["pending", "dead"]
            let limit = Int(raw["limit"]?.intValue ?? 100)
            guard (1...1000).contains(limit) else { throw ServiceError.invalidParams(field: "limit", "must be 1 to 1000") }
            return try store.read { db in
                var summary = try Outbox.summary(db)
                if let relay { summary["relay"] = .object(relay.health()) }
                return ["service": .string(source), "summary": .object(summary),
                        "deliveries": JSONEncoding.encode(try Outbox.deliveries(db, statuses: statuses, subscriber: raw["subscriber"]?.stringValue, limit: limit))]
            }
        })
        t.add(MethodSpec(name: "events.redrive", summary: "Makes dead deliveries pending again (one, by outbox_seq and subscriber, or all_dead); recorded in the audit trail.",
                         params: .object([.opt("outbox_seq", .integer()), .opt("subscriber", .string()), .opt("all_dead", .boolean)]),
                         result: .object([.req("redriven", .integer())]), execution: .worker) { raw, ctx in
            let all = raw["all_dead"]?.boolValue ?? false
            let seq = raw["outbox_seq"]?.intValue
            guard all || seq != nil else { throw ServiceError.invalidParams(field: "outbox_seq", "give outbox_seq (and subscriber), or all_dead: true") }
            let sub = raw["subscriber"]?.stringValue
            let now = wallClockMillis()
            let n = try store.write { db -> Int in
                var sql = "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_ms = 0, updated_ms = ? WHERE status = 'dead'"
                var args: [any SQLBindable] = [now]
                if let seq { sql += " AND outbox_seq = ?"; args.append(seq) }
                if let sub { sql += " AND subscriber = ?"; args.append(sub) }
                let n = try db.run(sql, args)
                if n == 0, let seq {
                    throw ServiceError(.notFound, "no dead delivery with outbox_seq \(seq)\(sub.map { " for \($0)" } ?? "")", retryable: false)
                }
                try db.run("INSERT INTO outbox_audit(at_ms, uid, action, subscriber, outbox_seq, detail) VALUES(?,?,?,?,?,?)",
                           [now, Int64(ctx.callerUID), "redrive", sub, seq, all ? "all dead (\(n))" : "\(n) delivery(ies)"])
                return n
            }
            relay?.wakeAll()
            ctx.log.notice("events.redriven", ["count": String(n), "uid": String(ctx.callerUID)])
            return ["redriven": .int(Int64(n))]
        })
        t.add(MethodSpec(name: "events.skip",
                         summary: "Gives up on one pending or dead delivery so its key moves on (a poison event); recorded in the audit trail.",
                         params: .object([.req("outbox_seq", .integer()), .req("subscriber", .string()), .opt("reason", .string(maxLength: 2000))]),
                         result: .object([.req("skipped", .integer())]), execution: .worker) { raw, ctx in
            guard let seq = raw["outbox_seq"]?.intValue else { throw ServiceError.invalidParams(field: "outbox_seq", "required") }
            guard let sub = raw["subscriber"]?.stringValue else { throw ServiceError.invalidParams(field: "subscriber", "required") }
            let now = wallClockMillis()
            try store.write { db in
                let n = try db.run("UPDATE deliveries SET status = 'skipped', updated_ms = ? WHERE outbox_seq = ? AND subscriber = ? AND status IN ('pending', 'dead')",
                                   [now, seq, sub])
                guard n == 1 else {
                    throw ServiceError(.notFound, "no pending or dead delivery with outbox_seq \(seq) for \(sub)", retryable: false)
                }
                try db.run("INSERT INTO outbox_audit(at_ms, uid, action, subscriber, outbox_seq, detail) VALUES(?,?,?,?,?,?)",
                           [now, Int64(ctx.callerUID), "skip", sub, seq, raw["reason"]?.stringValue ?? ""])
            }
            relay?.wakeAll()
            ctx.log.notice("events.skipped", ["outbox_seq": String(seq), "subscriber": sub, "uid": String(ctx.callerUID)])
            return ["skipped": 1]
        })
        t.add(MethodSpec(name: "events.audit", summary: "Operators' redrive and skip actions, newest first.",
                         params: .object([.opt("limit", .integer(minimum: 1, maximum: 1000))]), result: .object([.req("items", .array(.any))]),
                         execution: .worker) { raw, _ in
            let limit = Int(raw["limit"]?.intValue ?? 100)
            return try store.read { db in
                let rows = try db.query("SELECT at_ms, uid, action, subscriber, outbox_seq, detail FROM outbox_audit ORDER BY id DESC LIMIT ?", [limit])
                return ["items": .array(rows.map { r in
                    ["at": .string(Logger.timestamp(millis: r.int(0)!)), "uid": .int(r.int(1) ?? -1), "action": .string(r.string(2) ?? ""),
                     "subscriber": r.string(3).map { .string($0) } ?? .null, "outbox_seq": r.int(4).map { .int($0) } ?? .null,
                     "detail": .string(r.string(5) ?? "")]
                })]
            }
        })
        t.add(MethodSpec(name: "events.outbox", summary: "The events this service has produced (not yet pruned), oldest first: seq, id, type, key, sequence.",
                         params: .object([.opt("after_seq", .integer()), .opt("limit", .integer(minimum: 1, maximum: 100_000))]),
                         result: .object([.req("items", .array(.any))]), execution: .worker) { raw, _ in
            let after = raw["after_seq"]?.intValue ?? 0
            let limit = min(max(raw["limit"]?.intValue ?? 1000, 1), 100_000)
            return try store.read { db in
                ["items": .array(try db.query("SELECT seq, id, type, partition_key, key_seq FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", [after, limit]).map { r in
                    ["seq": .int(r.int(0)!), "id": .string(r.string(1)!), "type": .string(r.string(2)!), "partition_key": .string(r.string(3)!),
                     "sequence": .int(r.int(4)!)]
                })]
            }
        })
        t.add(MethodSpec(name: "events.latency",
                         summary: "End-to-end delivery of events after outbox_seq: count, undelivered, and latency from commit to the last subscriber's acknowledgement.",
                         params: .object([.opt("after_seq", .integer())]), result: .any, execution: .worker) { raw, _ in
            let after = raw["after_seq"]?.intValue ?? 0
            return try store.read { db in
                let rows = try db.query("""
                    SELECT o.created_ms, max(d.delivered_ms), sum(d.status != 'delivered') FROM outbox o JOIN deliveries d ON d.outbox_seq = o.seq
                    WHERE o.seq > ? GROUP BY o.seq
                    """, [after])
                var h = LatencyHistogram()
                var pending: Int64 = 0
                var first: Int64 = .max, last: Int64 = 0
                for r in rows {
                    if (r.int(2) ?? 0) > 0 { pending += 1; continue }
                    let created = r.int(0)!, done = r.int(1) ?? created
                    first = min(first, created)
                    last = max(last, done)
                    h.record(micros: UInt64(max(done - created, 0)) * 1000)
                }
                let lastSeq = try db.queryOne("SELECT max(seq) FROM outbox")?.int(0) ?? 0
                return ["events": .int(Int64(rows.count)), "undelivered": .int(pending), "last_seq": .int(lastSeq),
                        "first_created_ms": first == .max ? .null : .int(first), "last_delivered_ms": last == 0 ? .null : .int(last),
                        "p50_ms": .double(Double(h.percentile(0.5)) / 1000), "p99_ms": .double(Double(h.percentile(0.99)) / 1000),
                        "max_ms": .double(Double(h.maxMicros) / 1000)]
            }
        })
    }

    /// Registers `events.deliver` for a consumer.
    package static func registerConsumer(_ t: inout MethodTable, participant: any EventParticipant, log: Logger) {
        let store = participant.eventStore
        t.add(MethodSpec(
            name: "events.deliver",
            summary: "Delivers events: {event} answers {duplicate}; {events:[…]} answers {results:[{id,status,error?}]} in order. Each is applied once, in per-key order.",
            params: .oneOf([.object([.req("event", .any)]), .object([.req("events", .array(.any, maxItems: 5000))])]),
            result: .any, execution: .worker
        ) { [weak participant] raw, _ in
            guard let participant else { throw ServiceError(.unavailable, "service is stopping") }
            let handler: @Sendable (CloudEvent, Database) throws -> EventDisposition = { e, db in try participant.handle(event: e, db: db) }
            if let one = raw["event"] {
                let r = try Inbox.deliver([one], store: store, log: log, handler: handler)[0]
                if r["status"] == "failed", let e = r["error"], let err = try? JSONDecoding.decode(ServiceError.self, from: e) { throw err }
                return ["duplicate": .bool(r["status"] == "duplicate"), "status": r["status"] ?? .null]
            }
            guard case .array(let events)? = raw["events"] else {
                throw ServiceError.invalidParams(field: "events", "give event (one CloudEvent) or events (an array of them)")
            }
            guard events.count <= 5000 else { throw ServiceError.invalidParams(field: "events", "at most 5000 per call (got \(events.count))") }
            return ["results": .array(try Inbox.deliver(events, store: store, log: log, handler: handler))]
        })
    }
}
