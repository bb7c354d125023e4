import Foundation
import Testing
import LiaisonModels
import LiaisonEvents
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
@testable import Notifications

@Suite(.serialized) struct RulesTests {
    @Test func aConfirmedVisitMailsEveryMemberWithAnEmailAndEveryHost() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", visit())
        let m = try t.messages()
        #expect(
            m.map { $0["recipient"]!.stringValue! } == [
                "th@example.org", "ko@example.org", "ar@example.org", "zh@example.org", "host@bit.example.cn",
            ])
        #expect(m.allSatisfy { $0["rule"] == "schedule" && $0["status"] == "pending" && $0["schedule_version"] == 1 })
        #expect(m.map { $0["view"]!.stringValue! } == ["member", "member", "member", "member", "host"])
        #expect(m[0]["recipient_name"] == "สมชาย ประเสริฐ")
    }

    @Test func hostsSeeNeedsAndMembersDoNotSeeOthersAddressesOrNeeds() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", visit())
        let m = try t.messages()
        let member = try t.parsed(m[1]["id"]!.intValue!).text("text/plain")!
        #expect(!member.contains("th@example.org") && !member.contains("no beef") && !member.contains("step-free"))
        #expect(member.contains("Somchai Prasert (สมชาย ประเสริฐ)"))
        let host = try t.parsed(m[4]["id"]!.intValue!).text("text/plain")!
        #expect(
            host.contains("<th@example.org>") && host.contains("diet: no beef") && host.contains("needs an interpreter")
                && host.contains("access: step-free routes"))
    }

    @Test func aRedeliveredEventMailsNobodyTwice() throws {
        let t = try TestNotifications(start: false)
        let d = visit()
        let e = CloudEvent(
            id: "evt-same", source: "delegations", type: "delegation.confirmed", subject: "delegation/\(d.id)",
            time: "2026-11-29T00:00:00Z",
            partitionkey: "delegation/\(d.id)", sequence: 1, data: JSONEncoding.encode(d))
        _ = try t.call("events.deliver", ["event": JSONEncoding.encode(e)], uid: getuid())
        #expect(try t.call("events.deliver", ["event": JSONEncoding.encode(e)], uid: getuid())["duplicate"] == true)
        // The same change arriving as a new event (the next of its key, with a new id) is caught by
        // the keys. (Under the same number it would be a producer restored behind: held, not mailed.)
        t.sequence["delegation/\(d.id)"] = 1
        try t.deliver("delegation.updated", visit())
        #expect(try t.messages().count == 5)
    }

    @Test func rescheduleSendsUpdatesWithTheSameUIDAndAHigherSequenceAndCancelTakesItBack() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", visit())
        var moved = visit(scheduleVersion: 2, end: "2027-03-14T12:00", welcome: ("2027-03-14T10:30", "2027-03-14T12:00", 2))
        moved.rescheduleReason = "the minister's calendar"
        try t.deliver("delegation.rescheduled", moved)
        var cancelled = visit(status: .cancelled, scheduleVersion: 3, end: "2027-03-14T12:00", welcome: ("2027-03-14T10:30", "2027-03-14T12:00", 2))
        cancelled.cancelReason = "travel restrictions"
        try t.deliver("delegation.cancelled", cancelled)
        let m = try t.messages().filter { $0["recipient"] == "ko@example.org" }
        #expect(m.map { $0["rule"]!.stringValue! } == ["schedule", "update", "cancel"])
        let cals = try m.map { try t.parsed($0["id"]!.intValue!) }.map { p -> [String: String] in
            var d: [String: String] = [:]
            for prop in ICalendar.parse(p.text("text/calendar")!) where d[prop.name] == nil { d[prop.name] = prop.value }
            return d
        }
        #expect(Set(cals.map { $0["UID"]! }) == ["it-welcome-del-test1@bit.example.cn"], "the session's UID, all its life")
        #expect(cals.map { $0["SEQUENCE"]! } == ["1", "2", "2"])
        #expect(cals.map { $0["METHOD"]! } == ["REQUEST", "REQUEST", "CANCEL"])
        #expect(cals[2]["STATUS"] == "CANCELLED")
        #expect(cals[1]["DTEND"] == "20270314T040000Z", "12:00 in Beijing")
        let update = try t.parsed(m[1]["id"]!.intValue!).text("text/plain")!
        #expect(update.contains("Welcome meeting moved from Friday 12 March 2027 09:00–10:30 to Sunday 14 March 2027 10:30–12:00"), "\(update)")
        #expect(update.contains("Reason given: the minister's calendar"))
        let cancelText = try t.parsed(m[2]["id"]!.intValue!).text("text/plain")!
        #expect(cancelText.contains("has been cancelled") && cancelText.contains("travel restrictions"))
    }

    @Test func aVisitNeverConfirmedIsNotMailedWhenCancelled() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.rescheduled", visit(status: .proposed, scheduleVersion: 2))
        try t.deliver("delegation.cancelled", visit(status: .cancelled, scheduleVersion: 3))
        #expect(try t.messages().isEmpty)
    }

    @Test func refusesToBuildAMessageWithAnInjectedHeader() throws {
        let t = try TestNotifications(start: false)
        var d = visit(members: [
            Member(name: "Evil", nameLocal: "Evil\r\nBcc: victim@example.net", email: "evil@example.org"),
            Member(name: "Fine", email: "fine@example.org"),
        ])
        d.draft.title = "Visit\nX-Injected: yes"
        try t.deliver("delegation.confirmed", d)
        let m = try t.messages()
        #expect(m.allSatisfy { $0["status"] == "dead" }, "the subject carries the LF, so no message can be built")
        #expect(m.count == 3)
        #expect(m.allSatisfy { $0["last_error"]?.stringValue?.contains("refusing to build the message") == true })
        #expect(m.contains { $0["last_error"]?.stringValue?.contains("Subject contains LF") == true })
    }
}

@Suite(.serialized) struct ReminderTests {
    let day: Int64 = 86_400_000

    func startMs(_ d: Delegation) -> Int64 { d.draft.startsAt.epochSeconds(in: d.draft.zone) * 1000 }

    @Test func armsFiresReArmsAndDropsReminders() throws {
        let d = visit()
        let t = try TestNotifications(now: startMs(d) - 10 * day, start: false)
        try t.deliver("delegation.confirmed", d)
        var due = try t.call("notifications.due", ["days": 3650])["items"]!.arrayValue!
        #expect(due.map { $0["days_before"]!.intValue! } == [7, 1])
        // Moving the visit re-arms both at the new start.
        let moved = visit(scheduleVersion: 2, start: "2027-03-20T09:00", end: "2027-03-21T17:00")
        try t.deliver("delegation.rescheduled", moved)
        due = try t.call("notifications.due", ["days": 3650])["items"]!.arrayValue!
        #expect(due.map { $0["schedule_version"]!.intValue! } == [2, 2])
        // Seven days before: the reminder goes to everyone, once.
        t.clock.ms = startMs(moved) - 7 * day + 1000
        let fired = try t.service.store.write { db in try t.service.rules.fireDueReminders(db) }
        #expect(fired == 5)
        #expect(try t.service.store.write { db in try t.service.rules.fireDueReminders(db) } == 0)
        let reminders = try t.messages().filter { $0["rule"] == "reminder" }
        #expect(reminders.count == 5)
        #expect(reminders[0]["subject"]?.stringValue?.hasSuffix("begins in 7 days") == true)
        #expect(
            try t.parsed(reminders[0]["id"]!.intValue!).parts.allSatisfy { $0.type != "text/calendar" },
            "a reminder is not a new invitation")
        // Cancelling drops the one still armed.
        try t.deliver(
            "delegation.cancelled", visit(status: .cancelled, scheduleVersion: 3, start: "2027-03-20T09:00", end: "2027-03-21T17:00"))
        #expect(try t.call("notifications.due", ["days": 3650])["items"]?.arrayValue?.isEmpty == true)
    }

    @Test func neverArmsAReminderForAPastDate() throws {
        let d = visit()
        let t = try TestNotifications(now: startMs(d) - 3 * day, start: false)
        try t.deliver("delegation.confirmed", d)
        #expect(try t.call("notifications.due", ["days": 3650])["items"]!.arrayValue!.map { $0["days_before"]!.intValue! } == [1])
    }
}

/// Only the producers deliver events, each only its own (issue 12: anyone allowed to connect
/// could make the mail service mail anyone).
@Suite struct ForgedEventTests {
    static func event(source: String) -> JSONValue {
        let d = visit(id: "del-forged")
        return JSONEncoding.encode(
            CloudEvent(
                id: "evt-\(source)", source: source, type: "delegation.confirmed", subject: "delegation/\(d.id)",
                time: "2026-11-29T00:00:00Z", partitionkey: "delegation/\(d.id)", sequence: 1, data: JSONEncoding.encode(d)))
    }

    @Test func aCallerWhoIsNoProducerCannotDeliverAndNothingIsMailed() throws {
        let t = try TestNotifications(start: false)
        let e = try #require(t.under.error("events.deliver", ["event": Self.event(source: "delegations")], uid: 4321))
        #expect(e.code == .permissionDenied && e.details?["field"] == "events[0].source", "\(e)")
        let batch = try t.call("events.deliver", ["events": [Self.event(source: "somebody-else")]], uid: 4321)
        #expect(batch["results"]?[0]?["status"] == "failed" && batch["results"]?[0]?["error"]?["code"] == "permission_denied")
        #expect(try t.messages().isEmpty)
    }

    @Test func aProducerDeliversItsOwnEventsOnly() throws {
        // delegations runs as uid 4242, agreements as 4243.
        let t = try TestNotifications(start: false) { m in
            m.services[0].user = 4242
            m.services[2].user = 4243
        }
        #expect(t.under.error("events.deliver", ["event": Self.event(source: "agreements")], uid: 4242)?.code == .permissionDenied)
        _ = try t.call("events.deliver", ["event": Self.event(source: "delegations")], uid: 4242)
        #expect(try t.messages().count == 5)
    }
}

@Suite struct MessageIDDomainTests {
    @Test func messageIDsAndCalendarUIDsUseTheFromAddresssDomainByDefault() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", visit())
        let m = try t.parsed(try t.messages()[0]["id"]!.intValue!)
        #expect(m.header("Message-ID")?.hasSuffix("@bit.example.cn>") == true, "\(m.header("Message-ID") ?? "")")
        let ics = try #require(m.text("text/calendar"))
        #expect(ICalendar.parse(ics).first { $0.name == "UID" }?.value.hasSuffix("@bit.example.cn") == true)
    }
}
