import Foundation
import Glibc
import Testing
import LiaisonModels
import LiaisonJSON
@testable import Notifications

/// Answers to invitations (issue 28, item 2): a calendar's REPLY from the person invited, to the
/// invitation as it stands, is recorded per person and session; anything else changes nothing.
@Suite struct AnswerTests {
    static let uid = "it-welcome-del-test1@bit.example.cn"

    /// A confirmed visit whose invitations went out.
    func invited() throws -> TestNotifications {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", visit())
        return t
    }

    func receive(_ t: TestNotifications, _ raw: String, sender: String? = nil) throws -> JSONValue {
        var p: JSONObject = ["raw": .string(raw)]
        if let sender { p["envelope_sender"] = .string(sender) }
        return try t.call("notifications.receive", .object(p), uid: getuid())
    }

    func answers(_ t: TestNotifications) throws -> [String: String] {
        let a = try t.call("notifications.attendance", ["delegation_id": "del-test1"])
        let welcome = try #require(a["sessions"]?.arrayValue?.first { $0["item_id"] == "it-welcome" })
        var out: [String: String] = [:]
        for p in welcome["people"]?.arrayValue ?? [] { out[p["address"]!.stringValue!] = p["answer"]!.stringValue! }
        return out
    }

    @Test func invitationsAskForAnAnswerAndCancellationsDoNot() throws {
        let t = try invited()
        let m = try #require(try t.messages().first { $0["recipient"] == "th@example.org" })
        let ics = try #require(try t.parsed(m["id"]!.intValue!).text("text/calendar"))
        let attendee = try #require(ICalendar.parse(ics).first { $0.name == "ATTENDEE" })
        #expect(attendee.params["RSVP"] == "TRUE" && attendee.params["PARTSTAT"] == "NEEDS-ACTION")
        var d = visit()
        d.status = .cancelled
        d.cancelReason = "the ministry's schedule changed"
        try t.deliver("delegation.cancelled", d)
        let cancel = try #require(try t.messages().first { $0["rule"] == "cancel" && $0["recipient"] == "th@example.org" })
        let c = try #require(try t.parsed(cancel["id"]!.intValue!).text("text/calendar"))
        #expect(ICalendar.parse(c).first { $0.name == "ATTENDEE" }?.params["RSVP"] == "FALSE")
    }

    @Test func repliesAsGoogleOutlookAndThunderbirdWriteThemAreRecorded() throws {
        let t = try invited()
        #expect(try answers(t) == [
            "th@example.org": "no_answer", "ko@example.org": "no_answer", "ar@example.org": "no_answer",
            "zh@example.org": "no_answer", "host@bit.example.cn": "no_answer",
        ])
        let g = try receive(t, ReplyMessages.google(from: "th@example.org", name: "Somchai Prasert", uid: Self.uid, sequence: 1, partstat: "ACCEPTED"))
        #expect(g["outcome"] == "recorded", "\(g)")
        let o = try receive(t, ReplyMessages.outlook(from: "ko@example.org", name: "Kim Min-jun", uid: Self.uid, sequence: 1, partstat: "DECLINED"))
        #expect(o["outcome"] == "recorded", "\(o)")
        let b = try receive(t, ReplyMessages.thunderbird(from: "ar@example.org", name: "فاطمة الزهراء", uid: Self.uid, sequence: 1, partstat: "TENTATIVE"))
        #expect(b["outcome"] == "recorded", "\(b)")
        let now = try answers(t)
        #expect(now["th@example.org"] == "accepted" && now["ko@example.org"] == "declined" && now["ar@example.org"] == "tentative")
        #expect(now["zh@example.org"] == "no_answer")
        let counts = try t.call("notifications.attendance", ["delegation_id": "del-test1"])["sessions"]?[0]?["counts"]
        #expect(counts == ["accepted": 1, "declined": 1, "tentative": 1, "no_answer": 2])
        // A later answer replaces the earlier one.
        _ = try receive(t, ReplyMessages.google(from: "ko@example.org", name: "Kim Min-jun", uid: Self.uid, sequence: 1, partstat: "ACCEPTED"))
        #expect(try answers(t)["ko@example.org"] == "accepted")
    }

    @Test func forgedStaleAndUnrelatedMailChangesNothing() throws {
        let t = try invited()
        func outcome(_ raw: String) throws -> String { try receive(t, raw, sender: "mallory@evil.example")["outcome"]?.stringValue ?? "" }
        // From another address than the one invited.
        var forged = ReplyMessages.google(from: "th@example.org", name: "Somchai Prasert", uid: Self.uid, sequence: 1, partstat: "DECLINED")
        forged = forged.replacingOccurrences(of: "From: Somchai Prasert <th@example.org>", with: "From: Somchai <mallory@evil.example>")
        #expect(try outcome(forged) == "refused")
        // Someone not invited answering for themselves.
        #expect(try outcome(ReplyMessages.google(from: "mallory@evil.example", name: "M", uid: Self.uid, sequence: 1, partstat: "ACCEPTED")) == "refused")
        // A UID Liaison never sent: another visit, another domain, not ours at all.
        #expect(try outcome(ReplyMessages.google(from: "th@example.org", name: "S", uid: "it-welcome-del-nosuch@bit.example.cn", sequence: 1, partstat: "ACCEPTED")) == "unknown")
        #expect(try outcome(ReplyMessages.google(from: "th@example.org", name: "S", uid: "it-welcome-del-test1@other.example", sequence: 1, partstat: "ACCEPTED")) == "unknown")
        #expect(try outcome(ReplyMessages.google(from: "th@example.org", name: "S", uid: "040000008200E00074C5B7101A82E008@outlook", sequence: 1, partstat: "ACCEPTED")) == "unknown")
        // A SEQUENCE never sent.
        #expect(try outcome(ReplyMessages.google(from: "th@example.org", name: "S", uid: Self.uid, sequence: 9, partstat: "ACCEPTED")) == "refused")
        // Not an answer Liaison takes.
        #expect(try outcome(ReplyMessages.google(from: "th@example.org", name: "S", uid: Self.uid, sequence: 1, partstat: "DELEGATED")) == "refused")
        // Not a reply: a person's mail, an auto-reply, an invitation sent back.
        #expect(try outcome("From: th@example.org\r\nSubject: Out of office\r\n\r\nI am away until Monday.\r\n") == "unrelated")
        let request = ReplyMessages.google(
            from: "th@example.org", name: "S", uid: Self.uid, sequence: 1, partstat: "ACCEPTED", method: "REQUEST")
        #expect(try outcome(request) == "unrelated")
        // A REPLY that cannot be read: two attendees, no UID.
        let two = ReplyMessages.thunderbird(from: "th@example.org", name: "S", uid: Self.uid, sequence: 1, partstat: "ACCEPTED")
            .replacingOccurrences(of: "SEQUENCE:1\r\n", with: "SEQUENCE:1\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ko@example.org\r\n")
        #expect(try outcome(two) == "malformed")
        // Nested a thousand multiparts deep: read to a depth, no crash.
        var deep = "From: th@example.org\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
        for i in 0..<1000 { deep += "--b\(i)\r\nContent-Type: multipart/mixed; boundary=b\(i + 1)\r\n\r\n" }
        #expect(try outcome(deep) == "unrelated")
        #expect(try answers(t).values.allSatisfy { $0 == "no_answer" }, "nothing applied")
        #expect(t.logged.text.components(separatedBy: "rsvp.dropped").count - 1 >= 3, "the refused and unknown are warnings: \(t.logged.text)")
    }

    @Test func anAnswerToAnEarlierVersionNoLongerCountsAndIsNotTakenLate() throws {
        let t = try invited()
        _ = try receive(t, ReplyMessages.google(from: "th@example.org", name: "S", uid: Self.uid, sequence: 1, partstat: "ACCEPTED"))
        // The welcome meeting moves: its SEQUENCE goes to 2, the answer was to 1.
        let moved = visit(scheduleVersion: 2, welcome: ("2027-03-12T11:00", "2027-03-12T12:00", 2))
        try t.deliver("delegation.rescheduled", moved)
        let a = try t.call("notifications.attendance", ["delegation_id": "del-test1"])
        let somchai = a["sessions"]?[0]?["people"]?.arrayValue?.first { $0["address"] == "th@example.org" }
        #expect(somchai?["answer"] == "no_answer" && somchai?["earlier"] == "accepted", "\(a)")
        let late = try receive(t, ReplyMessages.google(from: "th@example.org", name: "S", uid: Self.uid, sequence: 1, partstat: "DECLINED"))
        #expect(late["outcome"] == "stale")
        let fresh = try receive(t, ReplyMessages.outlook(from: "th@example.org", name: "S", uid: Self.uid, sequence: 2, partstat: "ACCEPTED"))
        #expect(fresh["outcome"] == "recorded", "\(fresh)")
    }

    @Test func aHostsBriefingCountsWhoIsComing() throws {
        let t = try invited()
        _ = try receive(t, ReplyMessages.google(from: "th@example.org", name: "S", uid: Self.uid, sequence: 1, partstat: "ACCEPTED"))
        _ = try receive(t, ReplyMessages.outlook(from: "ko@example.org", name: "K", uid: Self.uid, sequence: 1, partstat: "DECLINED"))
        // A second session for the host: their update's briefing counts the answers to the first.
        var d = visit(scheduleVersion: 2)
        var why = ""
        var lunch = ItineraryItem(
            startsAt: LocalDateTime.parse("2027-03-12T12:00", why: &why)!, endsAt: LocalDateTime.parse("2027-03-12T13:00", why: &why)!,
            title: "Lunch", venue: "Faculty club", hosts: ["host@bit.example.cn"])
        lunch.id = "it-lunch"
        lunch.rev = 1
        d.draft.itinerary.append(lunch)
        try t.deliver("delegation.rescheduled", d)
        let update = try #require(try t.messages().last { $0["recipient"] == "host@bit.example.cn" && $0["rule"] == "update" })
        let text = try #require(try t.parsed(update["id"]!.intValue!).text("text/plain"))
        #expect(text.contains("answers so far: 1 coming, 1 not coming, 0 maybe, 3 not yet answered"), "\(text)")
    }
}
