import Foundation
import Glibc
import LiaisonModels
import LiaisonJSON
import LiaisonWire
import Testing

@testable import Notifications

/// Each person's mail and calendar hold their own sessions; changes say what and why, and what
/// someone loses is cancelled in their calendar.
@Suite struct PersonalScheduleTests {
    static func item(_ id: String, _ title: String, _ s: String, _ e: String, venue: String, attendees: [String] = [], rev: Int = 1)
        -> ItineraryItem
    {
        var why = ""
        var i = ItineraryItem(
            startsAt: LocalDateTime.parse(s, why: &why)!, endsAt: LocalDateTime.parse(e, why: &why)!, title: title, venue: venue,
            hosts: ["host@bit.example.cn"], attendees: attendees)
        i.id = id
        i.rev = rev
        return i
    }

    /// Three members, a host, two days; a lab for Amina only, one for Bo only, Room 1 used twice.
    static func realVisit(version: Int = 1, labA: ItineraryItem? = nil, withLabB: Bool = true, withCarla: Bool = true) -> Delegation {
        var d = visit(
            scheduleVersion: version, start: "2027-03-12T09:00", end: "2027-03-13T21:00",
            members: [
                Member(name: "Amina", email: "amina@example.org"), Member(name: "Bo", email: "bo@example.org"),
            ] + (withCarla ? [Member(name: "Carla", email: "carla@example.org")] : []))
        d.draft.itinerary = [
            item("it-1", "Welcome", "2027-03-12T09:00", "2027-03-12T10:00", venue: "Room 1"),
            labA ?? item("it-2", "Materials lab", "2027-03-12T10:30", "2027-03-12T12:00", venue: "Lab 2", attendees: ["amina@example.org"]),
        ] + (withLabB ? [item("it-3", "AI lab", "2027-03-12T10:30", "2027-03-12T12:00", venue: "Room 1", attendees: ["bo@example.org"])] : [])
            + [item("it-4", "Farewell dinner", "2027-03-13T19:00", "2027-03-13T21:00", venue: "Faculty club")]
        return d
    }

    func calendar(_ t: TestNotifications, _ m: JSONValue) throws -> (method: String, events: [[String: String]]) {
        let props = ICalendar.parse(try t.parsed(m["id"]!.intValue!).text("text/calendar") ?? "")
        var events: [[String: String]] = []
        var method = ""
        for p in props {
            if p.name == "METHOD" { method = p.value }
            if p.name == "BEGIN" && p.value == "VEVENT" { events.append([:]) }
            if !events.isEmpty, events[events.count - 1][p.name] == nil { events[events.count - 1][p.name] = p.value }
        }
        return (method, events)
    }

    func mails(_ t: TestNotifications, to: String) throws -> [JSONValue] { try t.messages().filter { $0["recipient"] == .string(to) } }

    @Test func eachMemberGetsTheirOwnSessionsAndTheRestForInformation() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", Self.realVisit())
        let amina = try #require(try mails(t, to: "amina@example.org").first)
        let cal = try calendar(t, amina)
        #expect(cal.method == "REQUEST")
        #expect(cal.events.map { $0["SUMMARY"]!.components(separatedBy: " — ")[0] } == ["Welcome", "Materials lab", "Farewell dinner"])
        #expect(cal.events.map { $0["UID"]! } == ["it-1-del-test1@bit.example.cn", "it-2-del-test1@bit.example.cn", "it-4-del-test1@bit.example.cn"])
        let text = try t.parsed(amina["id"]!.intValue!).text("text/plain")!
        let (yours, info) = (text.range(of: "Your sessions")!, text.range(of: "For information only")!)
        #expect(yours.lowerBound < info.lowerBound)
        #expect(text[info.upperBound...].contains("AI lab") && !text[yours.upperBound..<info.lowerBound].contains("AI lab"))
        let bo = try calendar(t, try #require(try mails(t, to: "bo@example.org").first))
        #expect(bo.events.map { $0["LOCATION"]! } == ["Room 1", "Room 1", "Faculty club"], "Room 1 twice, at different times")
        let host = try calendar(t, try #require(try mails(t, to: "host@bit.example.cn").first))
        #expect(host.events.count == 4, "the host hosts every session")
    }

    @Test func aMovedSessionUpdatesOneEntryAndSaysFromWhenToWhenAndWhy() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", Self.realVisit())
        var moved = Self.realVisit(
            version: 2,
            labA: Self.item("it-2", "Materials lab", "2027-03-13T14:00", "2027-03-13T15:30", venue: "Lab 2", attendees: ["amina@example.org"], rev: 2))
        moved.rescheduleReason = "the lab is closed on Friday"
        try t.deliver("delegation.rescheduled", moved)
        let update = try #require(try mails(t, to: "amina@example.org").last)
        #expect(update["rule"] == "update")
        let cal = try calendar(t, update)
        #expect(cal.method == "REQUEST" && cal.events.count == 1)
        #expect(cal.events[0]["UID"] == "it-2-del-test1@bit.example.cn" && cal.events[0]["SEQUENCE"] == "2")
        let text = try t.parsed(update["id"]!.intValue!).text("text/plain")!
        #expect(text.contains("Materials lab moved from Friday 12 March 2027 10:30–12:00 to Saturday 13 March 2027 14:00–15:30"), "\(text)")
        #expect(text.contains("Reason given: the lab is closed on Friday"))
        #expect(try mails(t, to: "bo@example.org").map { $0["rule"]! } == ["schedule"], "nothing changed for Bo: no mail")
        // A detail changed later (the notes): nobody is sent the schedule again.
        moved.draft.notes = "Gifts: tea"
        try t.deliver("delegation.updated", moved)
        #expect(try mails(t, to: "bo@example.org").map { $0["rule"]! } == ["schedule"], "Bo's schedule from version 1 still holds")
        #expect(try mails(t, to: "amina@example.org").map { $0["rule"]! } == ["schedule", "update"])
    }

    @Test func whatSomeoneLosesIsCancelledExactly() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", Self.realVisit())
        // The AI lab is dropped: Bo's calendar loses that session only.
        try t.deliver("delegation.rescheduled", Self.realVisit(version: 2, withLabB: false))
        let removal = try #require(try mails(t, to: "bo@example.org").last)
        #expect(removal["rule"] == "removal")
        let cal = try calendar(t, removal)
        #expect(cal.method == "CANCEL" && cal.events.map { $0["UID"]! } == ["it-3-del-test1@bit.example.cn"])
        #expect(cal.events[0]["STATUS"] == "CANCELLED")
        // Carla is taken off the visit: every session she was expected at is cancelled.
        try t.deliver("delegation.updated", Self.realVisit(version: 2, withLabB: false, withCarla: false))
        let gone = try #require(try mails(t, to: "carla@example.org").last)
        #expect(gone["rule"] == "removal" && gone["subject"]?.stringValue?.hasPrefix("No longer on the visit") == true)
        let carla = try calendar(t, gone)
        #expect(carla.method == "CANCEL" && carla.events.map { $0["UID"]! } == ["it-1-del-test1@bit.example.cn", "it-4-del-test1@bit.example.cn"])
        try t.deliver("delegation.updated", Self.realVisit(version: 2, withLabB: false, withCarla: false))
        #expect(try mails(t, to: "carla@example.org").count == 2, "once")
    }

    /// Someone taken off a visit and put back gets the schedule again, and a second removal if
    /// taken off again; a cancellation later goes only to those still on it.
    @Test func someoneTakenOffAndPutBackIsToldEachTime() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", Self.realVisit())
        try t.deliver("delegation.updated", Self.realVisit(withCarla: false))
        try t.deliver("delegation.updated", Self.realVisit())
        #expect(try mails(t, to: "carla@example.org").map { $0["rule"]! } == ["schedule", "removal", "schedule"])
        try t.deliver("delegation.updated", Self.realVisit(withCarla: false))
        try t.deliver("delegation.updated", Self.realVisit(withCarla: false))
        #expect(try mails(t, to: "carla@example.org").map { $0["rule"]! } == ["schedule", "removal", "schedule", "removal"])
        #expect(try mails(t, to: "amina@example.org").map { $0["rule"]! } == ["schedule"])
        var cancelled = Self.realVisit(version: 2, withCarla: false)
        cancelled.status = .cancelled
        try t.deliver("delegation.cancelled", cancelled)
        #expect(try mails(t, to: "amina@example.org").map { $0["rule"]! } == ["schedule", "cancel"])
        #expect(try mails(t, to: "carla@example.org").count == 4, "already told she is off the visit")
    }

    /// A visit under way still changes (a session moves, someone joins or leaves): its people
    /// are told as they are before it begins.
    @Test func aVisitUnderWayStillTellsItsPeopleWhatChanged() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", Self.realVisit())
        var started = Self.realVisit()
        started.status = .inProgress
        try t.deliver("delegation.started", started)
        var moved = Self.realVisit(
            version: 2,
            labA: Self.item(
                "it-2", "Materials lab", "2027-03-13T14:00", "2027-03-13T15:30", venue: "Lab 2", attendees: ["amina@example.org"], rev: 2))
        moved.status = .inProgress
        moved.rescheduleReason = "the lab is closed on Friday"
        try t.deliver("delegation.rescheduled", moved)
        let update = try #require(try mails(t, to: "amina@example.org").last)
        let cal = try calendar(t, update)
        #expect(update["rule"] == "update" && cal.events.map { $0["UID"]! } == ["it-2-del-test1@bit.example.cn"])
        #expect(try t.parsed(update["id"]!.intValue!).text("text/plain")!.contains("Reason given: the lab is closed on Friday"))
        // Carla leaves and Dan joins on the second day.
        var changed = moved
        changed.draft.members.removeAll { $0.email == "carla@example.org" }
        changed.draft.members.append(Member(name: "Dan", email: "dan@example.org"))
        try t.deliver("delegation.updated", changed)
        #expect(try mails(t, to: "carla@example.org").map { $0["rule"]! } == ["schedule", "removal"])
        #expect(try mails(t, to: "dan@example.org").map { $0["rule"]! } == ["schedule"])
        #expect(try mails(t, to: "bo@example.org").map { $0["rule"]! } == ["schedule"], "nothing changed for Bo")
    }
}
