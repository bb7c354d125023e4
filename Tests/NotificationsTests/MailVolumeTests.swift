import Foundation
import Glibc
import Testing
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonTestSupport
import LiaisonJSON
import LiaisonWire
@testable import Notifications

/// Bounds on mail (issue 26, items 5 and 7): successive changes coalesced into one update per
/// person, rate limits per recipient and per visit, a size cap, large visits queued in pieces,
/// and hand-overs recorded truthfully across a full disk.
@Suite struct MailVolumeTests {
    typealias P = PersonalScheduleTests

    /// An RFC 3339 time in milliseconds.
    func millis(_ s: String) -> Int64? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return Int64(d.timeIntervalSince1970 * 1000) }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s).map { Int64($0.timeIntervalSince1970 * 1000) }
    }

    func mails(_ t: TestNotifications, to: String) throws -> [JSONValue] {
        try t.messages().filter { $0["recipient"] == .string(to) }
    }

    /// Amina's lab at `hour` o'clock on the 13th, revision `rev`.
    func lab(_ hour: Int, rev: Int) -> ItineraryItem {
        P.item(
            "it-2", "Materials lab", "2027-03-13T\(hour):00", "2027-03-13T\(hour):45", venue: "Lab 2",
            attendees: ["amina@example.org"], rev: rev)
    }

    @Test func successiveChangesAreOneUpdatePerPersonSayingWhatChangedSinceTheyLastHeard() throws {
        let t = try TestNotifications(mail: ["coalesce_s": 30])
        try t.deliver("delegation.confirmed", P.realVisit())
        try t.settle()
        let confirmedAt = t.clock.ms
        // Twenty moves of Amina's lab within half a minute.
        for v in 2...21 { try t.deliver("delegation.rescheduled", P.realVisit(version: v, labA: lab(10 + v % 8, rev: v))) }
        let amina = try mails(t, to: "amina@example.org")
        #expect(amina.map { $0["rule"]! } == ["schedule", "update"], "\(amina.map { $0["rule"]! })")
        #expect(amina[0]["status"] == "sent", "the first schedule goes at once")
        let due = try #require(amina[1]["next_attempt_at"]?.stringValue)
        let dueMs = try #require(millis(due))
        #expect(dueMs >= confirmedAt + 29_000 && dueMs <= confirmedAt + 32_000, "held for the window: \(due)")
        let text = try t.parsed(amina[1]["id"]!.intValue!).text("text/plain") ?? ""
        #expect(text.contains("Materials lab moved from Friday 12 March 2027 10:30–12:00 to Saturday 13 March 2027 15:00–15:45."), "\(text)")
        #expect(try mails(t, to: "bo@example.org").map { $0["rule"]! } == ["schedule"], "nothing changed for Bo")
        // Carla taken off and put back, a newcomer added and taken off, all within the window:
        // neither hears of it.
        var withDan = P.realVisit(version: 21, labA: lab(15, rev: 21))
        withDan.draft.members.append(Member(name: "Dan", email: "dan@example.org"))
        try t.deliver("delegation.updated", P.realVisit(version: 21, labA: lab(15, rev: 21), withCarla: false))
        try t.deliver("delegation.updated", withDan)
        try t.deliver("delegation.updated", P.realVisit(version: 21, labA: lab(15, rev: 21)))
        #expect(try mails(t, to: "carla@example.org").map { $0["rule"]! } == ["schedule"])
        #expect(try mails(t, to: "dan@example.org").isEmpty)
        #expect(try mails(t, to: "amina@example.org").count == 2, "still one update for Amina")
        // After the window, the held update goes, once.
        t.clock.ms += 31_000
        t.service.sender.wake()
        try t.settle()
        #expect(try mails(t, to: "amina@example.org").map { $0["status"]! } == ["sent", "sent"])
        let sent = try t.messages(status: "sent").map { "\($0["rule"]!.stringValue!) \($0["recipient"]!.stringValue!)" }
        #expect(sent.count == 4 + 2, "four schedules, one update to Amina and one to the host of her lab: \(sent)")
        // A change after that is held anew, from what she was told.
        try t.deliver("delegation.rescheduled", P.realVisit(version: 22, labA: lab(16, rev: 22)))
        let again = try mails(t, to: "amina@example.org")
        #expect(again.count == 3 && again[2]["status"] == "pending", "\(again.map { $0["status"]! })")
        let third = try t.parsed(again[2]["id"]!.intValue!).text("text/plain") ?? ""
        #expect(third.contains("moved from Saturday 13 March 2027 15:00–15:45 to Saturday 13 March 2027 16:00–16:45"))
    }

    /// A change of details of a visit with nobody to tell makes no job and queues nothing; once
    /// somebody is on it, the next change mails them the schedule.
    @Test func detailsOfAVisitWithNobodyToTellMakeNoJob() throws {
        let t = try TestNotifications(mail: ["coalesce_s": 30])
        var v = P.realVisit()
        v.draft.members = []
        v.draft.hosts = []
        for item in v.draft.itinerary.indices { v.draft.itinerary[item].attendees = [] }
        try t.deliver("delegation.confirmed", v)
        // Jobs ever made (the table's counter) and versions kept for held mail.
        func made() throws -> [Int] {
            try t.service.store.read { db in
                [
                    try db.queryOne("SELECT coalesce(max(seq), 0) AS n FROM sqlite_sequence WHERE name = 'fanouts'")!["n"],
                    try db.queryOne("SELECT count(*) AS n FROM bases")!["n"],
                ]
            }
        }
        let before = try made()
        v.version += 1
        v.draft.notes = "Bring the signed minutes"
        try t.deliver("delegation.updated", v)
        let after = try made()
        #expect(after == before && before[1] == 0, "\(after) after \(before)")
        #expect(try t.messages().isEmpty)
        v.version += 1
        v.draft.members = [Member(name: "Dan", email: "dan@example.org")]
        try t.deliver("delegation.updated", v)
        #expect(try mails(t, to: "dan@example.org").map { $0["rule"]! } == ["schedule"], "held, then sent")
    }

    @Test func aCancellationTakesBackWhatWasHeldAndTellsOnlyThoseWhoHoldTheSchedule() throws {
        let t = try TestNotifications(mail: ["coalesce_s": 30], start: false)
        try t.deliver("delegation.confirmed", P.realVisit())
        _ = try t.call("notifications.list", [:])
        // The schedules go; then a change is held, and the visit is cancelled within the window.
        try t.under.start()
        try t.settle()
        try t.deliver("delegation.rescheduled", P.realVisit(version: 2, labA: lab(14, rev: 2)))
        #expect(try mails(t, to: "amina@example.org").map { $0["rule"]! } == ["schedule", "update"])
        var cancelled = P.realVisit(version: 2, labA: lab(14, rev: 2))
        cancelled.status = .cancelled
        try t.deliver("delegation.cancelled", cancelled)
        try t.settle()
        #expect(try mails(t, to: "amina@example.org").map { $0["rule"]! } == ["schedule", "cancel"])
        #expect(try mails(t, to: "bo@example.org").map { $0["rule"]! } == ["schedule", "cancel"])
    }

    @Test func eachRecipientAndEachVisitGetAtMostTheirHourlyShareTheRestWaitsItsTurn() throws {
        let t = try TestNotifications(mail: ["per_recipient_per_hour": 3])
        for i in 1...5 { try t.deliver("delegation.confirmed", visit(id: "del-rate\(i)")) }
        // Five recipients per visit; each may have 3 an hour.
        let deadline = monotonicNanos() + 10_000_000_000
        while try t.messages(status: "sent").count < 15 && monotonicNanos() < deadline { usleep(10_000) }
        usleep(200_000)
        #expect(try t.messages(status: "sent").count == 15)
        let waiting = try t.messages(status: "pending")
        #expect(waiting.count == 10)
        for m in waiting {
            #expect(m["last_error"]?.stringValue?.contains("settings.mail.per_recipient_per_hour: 3") == true, "\(m)")
            let next = millis(m["next_attempt_at"]?.stringValue ?? "") ?? 0
            #expect(next > t.clock.ms + 3_500_000, "put off by about an hour: \(m)")
        }

        let v = try TestNotifications(mail: ["per_visit_per_hour": 2])
        try v.deliver("delegation.confirmed", visit(id: "del-big"))
        let until = monotonicNanos() + 10_000_000_000
        while try v.messages(status: "sent").count < 2 && monotonicNanos() < until { usleep(10_000) }
        usleep(200_000)
        #expect(try v.messages(status: "sent").count == 2)
        #expect(
            try v.messages(status: "pending").allSatisfy {
                $0["last_error"]?.stringValue?.contains("settings.mail.per_visit_per_hour: 2") == true
            })
    }

    /// A visit of `members` people who all attend `items` sessions, each with a long note.
    func crowded(members: Int, items: Int, note: Int = 5000) -> Delegation {
        var d = visit(id: "del-crowd", members: (1...members).map { Member(name: "Member \($0)", email: "m\($0)@example.org") })
        d.draft.itinerary = (0..<items).map { i in
            var it = P.item(
                "it-\(i)", "Session \(i)", "2027-03-12T\(String(format: "%02d", 9 + i / 6 % 8)):\(String(format: "%02d", i % 6 * 10))",
                "2027-03-12T\(String(format: "%02d", 9 + i / 6 % 8)):\(String(format: "%02d", i % 6 * 10 + 5))", venue: "Room \(i)")
            it.notes = String(repeating: "A long note. ", count: note / 13)
            return it
        }
        return d
    }

    @Test func aMessageOverTheCapIsSentShortAndOneStillOverIsRefusedWithTheReason() throws {
        let t = try TestNotifications(mail: ["max_message_kb": 64], start: false)
        try t.deliver("delegation.confirmed", crowded(members: 60, items: 10))
        while try t.service.store.write({ db in try t.service.rules.runNextPiece(db) }) != nil {}
        let all = try t.messages()
        #expect(all.count == 61)
        #expect(all.allSatisfy { $0["status"] == "pending" })
        let m = try #require(all.first { $0["recipient"] == "m7@example.org" })
        let shown = try t.call("notifications.show", ["id": m["id"]!])
        #expect((shown["size"]?.intValue ?? .max) <= 64 * 1024, "\(shown["size"] ?? .null)")
        let text = try t.parsed(m["id"]!.intValue!).text("text/plain") ?? ""
        #expect(text.contains("… and 20 more (the International Office has the full list)"))
        let cal = (try t.parsed(m["id"]!.intValue!).text("text/calendar") ?? "").replacingOccurrences(of: "\r\n ", with: "")
        #expect(cal.contains("the full note was in the schedule first sent"))

        let u = try TestNotifications(mail: ["max_message_kb": 64], start: false)
        try u.deliver("delegation.confirmed", crowded(members: 3, items: 250, note: 400))
        let dead = try u.messages(status: "dead")
        #expect(dead.count == 4)
        let why = dead.first?["last_error"]?.stringValue ?? ""
        #expect(why.contains("even in its short form, over settings.mail.max_message_kb (64)"), "\(why)")
    }

    @Test func aLargeVisitIsQueuedInPiecesInOrderAndEachPersonOnce() throws {
        let t = try TestNotifications(mail: ["piece_size": 4], start: false)
        try t.deliver("delegation.confirmed", crowded(members: 30, items: 2, note: 10))
        #expect(try t.messages().count == 4, "the first piece in the event's own transaction")
        var moved = crowded(members: 30, items: 2, note: 10)
        moved.scheduleVersion = 2
        moved.draft.itinerary[1].rev = 2
        moved.draft.itinerary[1].venue = "Room 99"
        try t.deliver("delegation.rescheduled", moved)
        #expect(try t.messages().count == 4, "the change waits behind the confirmation")
        var pieces = 0
        while try t.service.store.write({ db in try t.service.rules.runNextPiece(db) }) != nil { pieces += 1 }
        #expect(pieces == 7 + 8, "27 more schedules and 31 updates, 4 a piece: \(pieces)")
        let all = try t.messages()
        #expect(all.filter { $0["rule"] == "schedule" }.count == 31)
        #expect(all.filter { $0["rule"] == "update" }.count == 31)
        #expect(Set(all.map { "\($0["rule"]!) \($0["recipient"]!)" }).count == 62, "each person once per rule")
        let firstUpdate = all.firstIndex { $0["rule"] == "update" } ?? 0
        #expect(all[..<firstUpdate].allSatisfy { $0["rule"] == "schedule" }, "every schedule queued before any update")
    }

    @Test func aHandOverRecordedOnlyInTheLedgerIsSentNotPossiblySent() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", visit(members: [Member(name: "A", email: "a@example.org")]))
        let claim = try #require(try t.service.sender.claim().0)
        // Handed over, written to the ledger, and the database could not record it (a full disk).
        var entry = try #require(claim.entry)
        entry.state = "sent"
        try t.service.sender.ledger.append(entry)
        #expect(try t.service.sender.recover() == 0, "nothing is possibly sent")
        let m = try #require(try t.messages().first { $0["recipient"] == "a@example.org" })
        #expect(m["status"] == "sent", "\(m)")
    }
}

/// A full disk under notifications (issue 26, item 5): a large visit's event is held, not spun
/// on or dead; the pieces written stay, and the queueing goes on once space is freed.
@Suite(.serialized, .enabled(if: geteuid() == 0, "mounting a small tmpfs needs root")) struct MailDiskFullTests {
    @Test func aLargeVisitOnAFullDiskWaitsAndGoesOnOnceSpaceIsFreed() throws {
        var disk: SmallDisk?
        let t = try TestNotifications(
            mail: ["piece_size": 8], start: false, prepare: { disk = try SmallDisk(at: $0, megabytes: 48) })
        let small = try #require(disk)
        defer { withExtendedLifetime(t) { small.unmount() } }
        let d = MailVolumeTests().crowded(members: 100, items: 10, note: 200)
        // The event on a full disk: refused as disk_full (the relay holds it), nothing half-written.
        try small.fill()
        // (Refused as a whole call or as the event's result: the relay holds it either way.)
        var reason: String?
        do {
            reason = try t.deliver("delegation.confirmed", d)["results"]?[0]?["error"]?["details"]?["reason"]?.stringValue
        } catch let e as ServiceError { reason = e.details?["reason"]?.stringValue }
        #expect(reason == "disk_full")
        #expect(try t.messages().isEmpty, "nothing half-written")
        small.free()
        // Offered again: the first piece is written with it; then the disk fills up again.
        try t.redeliverLast()
        #expect(try t.messages().count == 8)
        try small.fill()
        try t.under.start()
        usleep(1_500_000)
        let stalled = try t.messages().count
        #expect(stalled < 101, "queueing waits while the disk is full")
        small.free()
        let deadline = monotonicNanos() + 60_000_000_000
        while try t.messages().count < 101 && monotonicNanos() < deadline { usleep(20_000) }
        #expect(try t.messages().count == 101)
        do { try t.settle(timeoutMs: 60_000) } catch { Issue.record("\(error)\n\(t.logged.text)") }
        #expect(try t.messages(status: "sent").count == 101)
        #expect(Set(try t.messages().map { $0["recipient"]?.stringValue ?? "" }).count == 101, "each person mailed once")
    }
}

/// A job of a kind this release does not know (a later release wrote it, then this one was put
/// back) is dropped and logged, never run as a confirmation (it mailed everyone the schedule).
@Suite struct UnknownFanOutKindTests {
    @Test func aJobOfAnUnknownKindIsDroppedAndLoggedNotMailedAsAConfirmation() throws {
        let t = try TestNotifications()
        let doc = JSONEncoding.bytes(PersonalScheduleTests.realVisit())
        try t.service.store.write { db in
            try db.run(
                "INSERT INTO fanouts(subject_id, kind, doc, prev, days, created_ms) VALUES(?,?,?,?,?,?)",
                ["del-future", "survey", String(decoding: doc, as: UTF8.self), nil as String?, nil as Int64?, Int64(1)]
            )
        }
        // Run here, unless the service's own loop already took it.
        if let ran = try t.service.store.write({ db in try t.service.rules.runNextPiece(db) }) {
            #expect(ran.queued == 0 && ran.more == false, "\(ran)")
        }
        let left: Int = try t.service.store.read { db in try db.queryOne("SELECT count(*) AS n FROM fanouts")!["n"] }
        #expect(left == 0, "dropped")
        #expect(try t.call("notifications.list", [:])["items"] == [], "nothing mailed")
        #expect(t.logged.text.contains("fanout.unknown_kind") && t.logged.text.contains("kind=survey"), "\(t.logged.text)")
    }
}
