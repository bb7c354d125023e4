import LiaisonAPI
import LiaisonJSON
import LiaisonModels
import LiaisonWire
import Testing

@testable import Delegations

/// A visit's parts changed on the server, one versioned change each: what names the part
/// changes with it, and a change that cannot be made whole is not made at all.
@Suite struct VisitEditTests {
    /// A confirmed visit with two members, one alone at the lab, both at the signing.
    func visit(_ t: TestDelegations) throws -> String {
        var d = thaiVisit().objectValue!
        d["itinerary"] = [
            ["starts_at": "2026-03-12T09:00", "ends_at": "2026-03-12T10:00", "title": "Lab", "attendees": ["bic@moe.example.th"]],
            [
                "starts_at": "2026-03-12T11:00", "ends_at": "2026-03-12T12:00", "title": "Signing",
                "attendees": ["head@moe.example.th", "Director, Bureau of International Cooperation"],
            ],
        ]
        let (id, _) = try t.create(.object(d))
        _ = try t.under.ok(DelegationsAPI.confirm, DelegationTransition(id: id))
        return id
    }

    @Test func aMemberWhoLeavesLeavesTheSessionsNamingThemInTheSameChange() throws {
        let t = try TestDelegations()
        let id = try visit(t)
        let before = try t.under.ok(DelegationsAPI.get, DelegationID(id))
        // The only one at the lab cannot leave it (it would become everyone's): nothing changes.
        let e = try #require(t.under.error(DelegationsAPI.removeMember, PartEdit<Member>(VisitRef(id), which: "bic@moe.example.th")))
        #expect(e.code == .failedPrecondition && e.message.contains("only attendee of 1. “Lab”"), "\(e)")
        #expect(try t.under.ok(DelegationsAPI.get, DelegationID(id)).version == before.version)
        // Given someone else at the lab, they leave: members and every session naming them (by
        // email or by name) in one change, one version, one event.
        let lab = PartEdit<ItineraryItem>(VisitRef(id), which: "Lab", changes: ["attendees": ["head@moe.example.th", "bic@moe.example.th"]])
        _ = try t.under.ok(DelegationsAPI.updateItem, lab)
        let gone = try t.under.ok(DelegationsAPI.removeMember, PartEdit<Member>(VisitRef(id, reason: "visa"), which: "bic@moe.example.th"))
        let d = gone.saved.delegation
        #expect(gone.done == "removed Director, Bureau of International Cooperation <bic@moe.example.th>")
        #expect(d.version == before.version + 2 && d.draft.members.count == 1)
        #expect(d.draft.itinerary.allSatisfy { $0.attendees == ["head@moe.example.th"] }, "\(d.draft.itinerary.map(\.attendees))")
        #expect(d.rescheduleReason == "visa" && d.scheduleVersion == before.scheduleVersion + 2)
    }

    @Test func aChangeThatWouldLeaveAClashIsRefusedWhole() throws {
        let t = try TestDelegations()
        let id = try visit(t)
        // Another confirmed visit takes the room at the time the lab would move to.
        var other = thaiVisit(title: "Other visit", venue: "Hall A").objectValue!
        other["itinerary"] = [["starts_at": "2026-03-12T14:00", "ends_at": "2026-03-12T15:00", "title": "Talk", "venue": "Hall A"]]
        let (o, _) = try t.create(.object(other))
        _ = try t.under.ok(DelegationsAPI.confirm, DelegationTransition(id: o))
        let before = try t.under.ok(DelegationsAPI.get, DelegationID(id))
        var move = ItemMove(VisitRef(id, expectedVersion: before.version), which: "1", at: "14:00")
        move.venue = "Hall A"
        let e = try #require(t.under.error(DelegationsAPI.moveItem, move))
        #expect(e.code == .conflict && e.message.contains("cannot change"), "\(e)")
        let after = try t.under.ok(DelegationsAPI.get, DelegationID(id))
        #expect(after.version == before.version && after.draft.itinerary == before.draft.itinerary)
    }

    @Test func aStaleVersionChangesNothingAndNoneMeansTheStoredOne() throws {
        let t = try TestDelegations()
        let id = try visit(t)
        let v = try t.under.ok(DelegationsAPI.get, DelegationID(id)).version
        let member = Member(name: "Interpreter", email: "int@moe.example.th")
        let stale = t.under.error(DelegationsAPI.addMember, PartEdit(VisitRef(id, expectedVersion: v - 1), part: member))
        #expect(stale?.code == .conflict)
        let added = try t.under.ok(DelegationsAPI.addMember, PartEdit(VisitRef(id), part: member))
        #expect(added.saved.delegation.version == v + 1 && added.saved.delegation.draft.members.count == 3)
        let twice = t.under.error(DelegationsAPI.addMember, PartEdit(VisitRef(id), part: member))
        #expect(twice?.code == .conflict && twice?.message.contains("already has Interpreter <int@moe.example.th>") == true)
    }

    @Test func aNewEmailIsCarriedIntoTheSessionsNamingTheMember() throws {
        let t = try TestDelegations()
        let id = try visit(t)
        let p = PartEdit<Member>(VisitRef(id), which: "Director, Bureau of International Cooperation", changes: ["email": "dir@moe.example.th"])
        let d = try t.under.ok(DelegationsAPI.updateMember, p).saved.delegation
        #expect(d.draft.itinerary[0].attendees == ["dir@moe.example.th"])
        #expect(d.draft.itinerary[1].attendees == ["head@moe.example.th", "Director, Bureau of International Cooperation"], "by name still names them")
        let nobody = t.under.error(DelegationsAPI.updateMember, PartEdit<Member>(VisitRef(id), which: "ghost", changes: ["title": "x"]))
        #expect(nobody?.code == .invalidParams && nobody?.message.contains("has no member \"ghost\"") == true)
    }
}
