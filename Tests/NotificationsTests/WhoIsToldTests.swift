import Testing
import LiaisonModels
import LiaisonJSON
@testable import Notifications

/// People are mailed only about what changes for them; a reason given for one person's change
/// reaches that person, not the others; a host is briefed on who comes to the sessions they host
/// (issue 27, item 2).
@Suite struct WhoIsToldTests {
    typealias P = PersonalScheduleTests

    /// Amina, Bo, Carla (and Dan when `withDan`, who keeps halal); Bo and Carla share the AI lab
    /// (`labPeople`, revision `rev`), everyone lunches; the host hosts every session.
    static func visit(version: Int = 1, withCarla: Bool = true, withDan: Bool = false, rev: Int = 1) -> Delegation {
        var d = P.realVisit(version: version, withCarla: withCarla)
        if withDan { d.draft.members.append(Member(name: "Dan", email: "dan@example.org", needs: Needs(dietary: "halal"))) }
        let lab = withCarla ? ["bo@example.org", "carla@example.org"] : ["bo@example.org"]
        d.draft.itinerary[2] = P.item(
            "it-3", "AI lab", "2027-03-12T10:30", "2027-03-12T12:00", venue: "Room 1", attendees: lab, rev: rev)
        return d
    }

    func mails(_ t: TestNotifications, to: String) throws -> [JSONValue] {
        try t.messages().filter { $0["recipient"] == .string(to) }
    }

    func text(_ t: TestNotifications, _ m: JSONValue) throws -> String {
        try t.parsed(m["id"]!.intValue!).text("text/plain") ?? ""
    }

    @Test func aRemovalTellsThePersonWithTheReasonAndTheHostWhoComesAndNobodyElse() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", Self.visit())
        let hostSchedule = try text(t, try #require(try mails(t, to: "host@bit.example.cn").first))
        #expect(hostSchedule.contains("Briefing — who comes to the sessions you host:"), "\(hostSchedule)")
        #expect(hostSchedule.contains("AI lab, Friday 12 March 2027 10:30–12:00: 2 people."), "\(hostSchedule)")

        var removed = Self.visit(version: 2, withCarla: false, rev: 2)
        removed.rescheduleReason = "Carla cannot travel (visa not issued in time)"
        try t.deliver("delegation.rescheduled", removed)
        #expect(try mails(t, to: "bo@example.org").count == 1, "nothing Bo sees in the AI lab changed")
        #expect(try mails(t, to: "amina@example.org").count == 1)
        let carla = try #require(try mails(t, to: "carla@example.org").last)
        #expect(carla["rule"] == "removal")
        #expect(try text(t, carla).contains("Reason given: Carla cannot travel (visa not issued in time)"))
        let host = try #require(try mails(t, to: "host@bit.example.cn").last)
        #expect(host["rule"] == "update")
        let briefing = try text(t, host)
        #expect(host["subject"]?.stringValue?.hasPrefix("Briefing: who comes to your sessions") == true, "\(host)")
        #expect(briefing.contains("AI lab, Friday 12 March 2027 10:30–12:00: Carla no longer comes; now 1 person (was 2)."))
        #expect(!briefing.contains("visa"), "another person's reason is theirs: \(briefing)")

        // A newcomer who keeps halal: the host hears of it for every session Dan comes to.
        try t.deliver("delegation.updated", Self.visit(version: 2, withCarla: false, withDan: true, rev: 2))
        let dan = try #require(try mails(t, to: "host@bit.example.cn").last)
        let news = try text(t, dan)
        #expect(news.contains("Farewell dinner, Saturday 13 March 2027 19:00–21:00: Dan comes (diet: halal); now 3 people (was 2)."), "\(news)")
        #expect(try mails(t, to: "dan@example.org").map { $0["rule"]! } == ["schedule"])
        #expect(try mails(t, to: "bo@example.org").count == 1, "still nothing for Bo")
    }
}
