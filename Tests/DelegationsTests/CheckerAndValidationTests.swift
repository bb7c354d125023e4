import Foundation
import Testing
import LiaisonModels
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
@testable import Delegations

func withItinerary(_ v: JSONValue, _ items: [JSONValue], members: [JSONValue]? = nil, hosts: [JSONValue]? = nil) -> JSONValue {
    guard case .object(var o) = v else { return v }
    o["itinerary"] = .array(items)
    if let members { o["members"] = .array(members) }
    if let hosts { o["hosts"] = .array(hosts) }
    return .object(o)
}

func item(_ title: String, _ s: String, _ e: String, venue: String? = nil, hosts: [String] = [], attendees: [String] = []) -> JSONValue {
    var o: JSONObject = ["title": .string(title), "starts_at": .string(s), "ends_at": .string(e),
                         "hosts": .array(hosts.map { .string($0) }), "attendees": .array(attendees.map { .string($0) })]
    if let venue { o["venue"] = .string(venue) }
    return .object(o)
}

@Suite struct ItineraryCheckerTests {
    @Test func findsAVenueDoubleBookedAcrossDelegationsNamingBoth() throws {
        let t = try TestDelegations()
        let (first, _) = try t.create(thaiVisit(title: "Hanyang University", venue: "Main Building 301", host: "a@bit.edu.cn"))
        _ = try t.ok("delegations.confirm", ["id": .string(first), "expected_version": 1])  // a confirmed visit holds the room
        let second = try t.ok("delegations.create", thaiVisit(title: "Uzbekistan ICT ministry", venue: "main building  301", host: "b@bit.edu.cn",
                                                              start: "2026-03-12T10:00", end: "2026-03-12T11:00"))
        let f = try #require(second["findings"]?.arrayValue?.first)
        #expect(f["kind"] == "venue_double_booked")
        #expect(f["other"]?["delegation_id"] == .string(first))
        #expect(f["other"]?["title"] == "Hanyang University")
        let msg = f["message"]!.stringValue!
        // Sessions numbered from 1, as `delegation show` numbers them (issue 27, item 6).
        #expect(msg.contains("session 1 \"Welcome meeting\"") && msg.contains("DEL-2026-0001 \"Hanyang University\" session 1"))
        // Confirming refuses with the full list; a cancelled delegation no longer holds the room.
        let e = try #require(t.error("delegations.confirm", ["id": second["id"]!, "expected_version": 1]))
        #expect(e.code == .conflict)
        #expect(e.details?["findings"]?.arrayValue?.count == 1)
        _ = try t.ok("delegations.cancel", ["id": .string(first), "expected_version": 2, "reason": "moved online"])
        #expect(try t.ok("delegations.confirm", ["id": second["id"]!, "expected_version": 1])["status"] == "confirmed")
    }

    @Test func findsAHostInTwoPlacesAcrossDelegationsAndWithin() throws {
        let t = try TestDelegations()
        let (morocco, _) = try t.create(thaiVisit(title: "Morocco principals", venue: "Room A", host: "li.wei@bit.edu.cn"))
        _ = try t.ok("delegations.confirm", ["id": .string(morocco), "expected_version": 1])
        let r = try t.ok("delegations.check", thaiVisit(title: "Singapore ministry", venue: "Room B", host: "LI.WEI@bit.edu.cn",
                                                        start: "2026-03-12T10:00", end: "2026-03-12T12:00"))
        #expect(r["ok"] == false)
        #expect(r["findings"]?[0]?["kind"] == "host_double_booked")
        #expect(r["findings"]?[0]?["other"]?["title"] == "Morocco principals")

        let within = withItinerary(thaiVisit(), [
            item("Welcome", "2026-03-12T09:00", "2026-03-12T10:00", hosts: ["li.wei@bit.edu.cn"]),
            item("Lab tour", "2026-03-12T09:30", "2026-03-12T11:00", hosts: ["li.wei@bit.edu.cn"]),
        ])
        let t2 = try TestDelegations()
        let w = try t2.ok("delegations.check", within)
        let kinds = w["findings"]!.arrayValue!.map { $0["kind"]!.stringValue! }
        #expect(kinds.contains("host_double_booked"))
        #expect(w["findings"]!.arrayValue!.first { $0["kind"] == "host_double_booked" }?["items"] == ["itinerary[0]", "itinerary[1]"])
        #expect(kinds.contains("member_double_booked"), "everyone attends both")
    }

    @Test func findsMembersInTwoItemsItemsOutsideTheWindowAndBackwardsItems() throws {
        let t = try TestDelegations()
        let v = withItinerary(thaiVisit(), [
            item("Talk", "2026-03-12T09:00", "2026-03-12T10:00", attendees: ["head@moe.example.th"]),
            item("Tour", "2026-03-12T09:45", "2026-03-12T11:00", attendees: ["head@moe.example.th"]),
            item("Dinner", "2026-03-13T18:00", "2026-03-13T20:00"),
            item("Backwards", "2026-03-13T12:00", "2026-03-13T11:00"),
            item("Ghost host", "2026-03-13T09:00", "2026-03-13T10:00", hosts: ["nobody@bit.edu.cn"], attendees: ["stranger@example.com"]),
        ])
        let f = try t.ok("delegations.check", v)["findings"]!.arrayValue!
        let byKind = Dictionary(grouping: f, by: { $0["kind"]!.stringValue! })
        #expect(byKind["member_double_booked"]?.first?["items"] == ["itinerary[0]", "itinerary[1]"])
        #expect(byKind["member_double_booked"]?.first?["message"]?.stringValue?.contains("Deputy Permanent Secretary") == true)
        #expect(byKind["item_outside_window"]?.first?["items"] == ["itinerary[2]"])
        #expect(byKind["item_ends_before_start"]?.first?["items"] == ["itinerary[3]"])
        #expect(byKind["unknown_host"]?.first?["message"]?.stringValue?.contains("nobody@bit.edu.cn") == true)
        #expect(byKind["unknown_attendee"]?.first?["message"]?.stringValue?.contains("stranger@example.com") == true)
    }

    @Test func findsAMemberWhoNeedsAnInterpreterWithoutOne() throws {
        let t = try TestDelegations()
        let members: [JSONValue] = [["name": "Rustam Karimjonov", "role": "head", "email": "minister@example.uz", "needs": ["interpreter": true]],
                                    ["name": "Interpreter", "role": "interpreter", "email": "interp@example.uz"]]
        let hosts: [JSONValue] = [["name": "Wang Fang", "email": "wang@bit.edu.cn", "interpreter": true], ["name": "Li Wei", "email": "li@bit.edu.cn"]]
        let v = withItinerary(thaiVisit(), [
            item("Alone", "2026-03-12T09:00", "2026-03-12T10:00", hosts: ["li@bit.edu.cn"], attendees: ["minister@example.uz"]),
            item("With interpreter", "2026-03-12T10:00", "2026-03-12T11:00", hosts: ["li@bit.edu.cn"], attendees: ["minister@example.uz", "interp@example.uz"]),
            item("With interpreting host", "2026-03-12T11:00", "2026-03-12T12:00", hosts: ["wang@bit.edu.cn"], attendees: ["minister@example.uz"]),
        ], members: members, hosts: hosts)
        let f = try t.ok("delegations.check", v)["findings"]!.arrayValue!
        #expect(f.count == 1)
        #expect(f.first?["kind"] == "interpreter_missing" && f.first?["items"] == ["itinerary[0]"])
        #expect(f.first?["message"]?.stringValue?.contains("Rustam Karimjonov needs an interpreter") == true)
    }

    @Test func comparesAcrossTimeZonesInRealTime() throws {
        let t = try TestDelegations()
        let (beijing, _) = try t.create(thaiVisit(title: "Beijing time", venue: "Shared hall"))
        _ = try t.ok("delegations.confirm", ["id": .string(beijing), "expected_version": 1])
        // 08:00 in Bangkok is 09:00 in Beijing: the same hour.
        var v = thaiVisit(title: "Bangkok time", venue: "Shared hall", host: "other@bit.edu.cn", start: "2026-03-12T08:00", end: "2026-03-12T08:30")
        if case .object(var o) = v { o["time_zone"] = "Asia/Bangkok"; o["starts_at"] = "2026-03-12T08:00"; v = .object(o) }
        let r = try t.ok("delegations.check", v)
        #expect(r["findings"]?.arrayValue?.map { $0["kind"]!.stringValue! } == ["venue_double_booked"])
    }
}

@Suite struct DelegationValidationTests {
    @Test func namesTheFieldOfABadEmail() throws {
        let t = try TestDelegations()
        var v = thaiVisit()
        if case .object(var o) = v {
            o["members"] = [["name": "a", "email": "ok@example.org"], ["name": "b", "email": "not-an-email"]]
            v = .object(o)
        }
        let e = try #require(t.error("delegations.create", v))
        #expect(e.code == .invalidParams)
        #expect(e.details?["field"] == "members[1].email")
        #expect(e.message == "members[1].email: not an email address")
    }

    @Test(arguments: [
        ("title", JSONValue.string(String(repeating: "x", count: 201)), "title", "at most 200 characters (got 201)"),
        ("title", .string("   "), "title", "must not be empty"),
        ("time_zone", .string("Mars/Olympus"), "time_zone", "is not an IANA time zone"),
        ("time_zone", .string("CST"), "time_zone", "is not an IANA time zone"),
        ("starts_at", .string("2026-02-30T09:00"), "starts_at", "not a real date"),
        ("starts_at", .string("2026-03-12T09:00+08:00"), "starts_at", "without an offset"),
        ("ends_at", .string("2026-03-01T09:00"), "ends_at", "must be after starts_at"),
        ("direction", .string("sideways"), "direction", "is not one of inbound, outbound"),
        ("topics", .int(3), "topics", "expected an array, found number"),
        ("partner", ["name": "X", "kind": "university", "country": "XX"] as JSONValue, "partners[0].country", "not an ISO 3166-1"),
        ("partner", ["name": "X", "kind": "club", "country": "TH"] as JSONValue, "partner.kind", "is not one of university"),
        ("budget", ["amount": "12,000", "currency": "CNY"] as JSONValue, "budget.amount", "expected a decimal"),
    ])
    func refusesBadFieldsNamingThem(field: String, value: JSONValue, path: String, fragment: String) throws {
        let t = try TestDelegations()
        guard case .object(var o) = thaiVisit() else { return }
        o[field] = value
        let e = try #require(t.error("delegations.create", .object(o)), "\(field)")
        #expect(e.code == .invalidParams)
        #expect(e.details?["field"] == .string(path), "\(e.message)")
        #expect(e.message.contains(fragment), "\(e.message)")
    }

    @Test func limitsListSizes() throws {
        let t = try TestDelegations()
        guard case .object(var o) = thaiVisit() else { return }
        o["members"] = .array(Array(repeating: ["name": "m"], count: 10_000))
        let e = try #require(t.error("delegations.create", .object(o)))
        #expect(e.message == "members: at most 500 entries (got 10000)")
        o["members"] = []
        o["topics"] = .array(Array(repeating: "ai", count: 51))
        #expect(t.error("delegations.create", .object(o))?.message == "topics: at most 50 entries (got 51)")
    }

    @Test func reportsEveryProblemAtOnce() throws {
        let t = try TestDelegations()
        guard case .object(var o) = thaiVisit() else { return }
        o["title"] = ""
        o["members"] = [["name": "", "email": "-oops@example.org"]]
        let e = try #require(t.error("delegations.create", .object(o)))
        let fields = e.details?["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue }
        #expect(fields == ["title", "members[0].name", "members[0].email"])
        #expect(e.message.hasSuffix("(and 2 more)"))
    }

    @Test func ignoresUnknownFieldsAndRejectsWrongTypes() throws {
        let t = try TestDelegations()
        guard case .object(var o) = thaiVisit() else { return }
        o["favourite_colour"] = "blue"
        #expect((try? t.ok("delegations.create", .object(o))) != nil)
        o["members"] = [["name": 7]]
        #expect(t.error("delegations.create", .object(o))?.message == "members[0].name: expected a string, found number")
    }

    @Test func controlCharactersAreRefused() throws {
        let t = try TestDelegations()
        guard case .object(var o) = thaiVisit() else { return }
        o["title"] = "Visit\r\nBcc: everyone@example.com"
        #expect(t.error("delegations.create", .object(o))?.message.hasPrefix("title: contains a control character") == true)
    }
}
