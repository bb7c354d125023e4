import Foundation
import Synchronization
import Testing
import LiaisonModels
import LiaisonEvents
import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire
@testable import Delegations

@Suite struct DelegationRoundTripTests {
    @Test func roundTripsThroughCreateGetAndListWithLocalScriptsIntact() throws {
        let t = try TestDelegations()
        let created = try t.ok("delegations.create", thaiVisit())
        #expect(created["status"] == "proposed" && created["version"] == 1)
        #expect(created["ref"] == "DEL-2026-0001")
        #expect(created["findings"] == [])
        let id = created["id"]!.stringValue!
        let got = try t.ok("delegations.get", ["id": .string(id)])
        #expect(got["partners"]?[0]?["name_local"] == "กระทรวงศึกษาธิการ")
        #expect(got["partners"]?[0]?["id"]?.stringValue?.hasPrefix("par-") == true, "a registry entry, found or registered")
        #expect(got["partner"] == nil, "no copy described in place")
        #expect(got["members"]?[0]?["name_local"] == "รองปลัดกระทรวง")
        #expect(got["continent"] == "Asia" && got["region"] == "Southeast Asia" && got["country_name"] == "Thailand")
        #expect(try t.ok("delegations.get", ["id": "DEL-2026-0001"])["id"] == .string(id), "by reference too")
        for filter: JSONValue in [["country": "TH"], ["continent": "Asia"], ["region": "Southeast Asia"], ["text": "กระทรวงศึกษา"], ["kind": "government"],
                                  ["status": "proposed"], ["from": "2026-03-13", "to": "2026-03-13"], ["direction": "inbound"]] {
            let items = try t.ok("delegations.list", filter)["items"]?.arrayValue ?? []
            #expect(items.count == 1, "\(filter)")
            #expect(items.first?["partners"]?[0]?["name_local"] == "กระทรวงศึกษาธิการ")
        }
        for filter: JSONValue in [["country": "KR"], ["continent": "Africa"], ["text": "한양"], ["from": "2026-03-14"], ["direction": "outbound"]] {
            #expect(try t.ok("delegations.list", filter)["items"]?.arrayValue?.count == 0, "\(filter)")
        }
    }

    @Test func pagesThroughAListWithCursors() throws {
        let t = try TestDelegations()
        for i in 0..<7 {
            var v = thaiVisit(title: "Visit \(i)", venue: "Room \(i)", host: "h\(i)@bit.edu.cn")
            if case .object(var o) = v { o["starts_at"] = .string("2026-03-1\(i)T09:00"); o["ends_at"] = .string("2026-03-1\(i)T18:00")
                o["itinerary"] = []; v = .object(o) }
            _ = try t.ok("delegations.create", v)
        }
        var seen: [String] = []
        var cursor: JSONValue = .null
        repeat {
            var p: JSONObject = ["limit": 3]
            if cursor != .null { p["cursor"] = cursor }
            let page = try t.ok("delegations.list", .object(p))
            seen += page["items"]!.arrayValue!.map { $0["title"]!.stringValue! }
            cursor = page["next_cursor"] ?? .null
        } while cursor != .null
        #expect(seen == (0..<7).map { "Visit \($0)" })
    }

    @Test func storesSQLMetacharactersVerbatim() throws {
        let t = try TestDelegations()
        let nasty = "Robert'); DROP TABLE delegations;-- \" % _ \\"
        let (id, _) = try t.create(thaiVisit(title: nasty))
        #expect(try t.ok("delegations.get", ["id": .string(id)])["title"] == .string(nasty))
        #expect(try t.ok("delegations.list", ["text": "drop table"])["items"]?.arrayValue?.count == 1)
        #expect(try t.ok("delegations.list", ["text": "%"])["items"]?.arrayValue?.count == 1)
    }

    @Test func externalKeyMakesCreateIdempotent() throws {
        let t = try TestDelegations()
        var v = thaiVisit()
        if case .object(var o) = v { o["external_key"] = "seed:th-moe-2023"; v = .object(o) }
        let a = try t.ok("delegations.create", v)
        let b = try t.ok("delegations.create", v)
        #expect(a["id"] == b["id"])
        #expect(a["created"] == true && b["created"] == false)
        #expect(try t.ok("delegations.list", [:])["items"]?.arrayValue?.count == 1)
    }
}

@Suite struct DelegationTransitionTests {
    @Test func everyTransitionWorks() throws {
        let t = try TestDelegations()
        let (id, _) = try t.create(thaiVisit())
        var d = try t.ok("delegations.confirm", ["id": .string(id), "expected_version": 1])
        #expect(d["status"] == "confirmed" && d["version"] == 2)
        d = try t.ok("delegations.reschedule", ["id": .string(id), "expected_version": 2, "ends_at": "2026-03-14T12:00"])
        #expect(d["status"] == "confirmed" && d["schedule_version"] == 2 && d["ends_at"] == "2026-03-14T12:00")
        d = try t.ok("delegations.start", ["id": .string(id), "expected_version": 3])
        #expect(d["status"] == "in_progress")
        d = try t.ok("delegations.complete", ["id": .string(id), "expected_version": 4, "outcome": "Agreed to draft an MoU on student exchange"])
        #expect(d["status"] == "completed" && d["outcome"] == "Agreed to draft an MoU on student exchange")

        let (id2, _) = try t.create(thaiVisit(title: "Second visit", venue: "Other room", host: "x@bit.edu.cn"))
        d = try t.ok("delegations.postpone", ["id": .string(id2), "expected_version": 1, "reason": "minister's schedule"])
        #expect(d["status"] == "postponed")
        d = try t.ok("delegations.reschedule", ["id": .string(id2), "expected_version": 2, "starts_at": "2026-04-01T09:00", "ends_at": "2026-04-02T17:00",
                                               "itinerary": []])
        #expect(d["status"] == "proposed", "a rescheduled postponed visit is proposed again")
        d = try t.ok("delegations.cancel", ["id": .string(id2), "expected_version": 3, "reason": "budget"])
        #expect(d["status"] == "cancelled" && d["cancel_reason"] == "budget")
    }

    @Test(arguments: [
        ("delegations.start", "proposed", "in_progress"), ("delegations.complete", "proposed", "completed"),
    ])
    func illegalTransitionsNameBothStates(method: String, current: String, requested: String) throws {
        let t = try TestDelegations()
        let (id, _) = try t.create(thaiVisit())
        let e = try #require(t.error(method, ["id": .string(id), "expected_version": 1, "outcome": "x"]))
        #expect(e.code == .failedPrecondition)
        #expect(e.message.contains("is \(current)") && e.message.contains("would be \(requested)"), "\(e.message)")
        #expect(e.details?["current_state"] == .string(current))
    }

    @Test func terminalStatesRefuseEverything() throws {
        let t = try TestDelegations()
        let (id, _) = try t.create(thaiVisit())
        _ = try t.ok("delegations.cancel", ["id": .string(id), "expected_version": 1, "reason": "no longer needed"])
        for m in ["delegations.confirm", "delegations.start", "delegations.complete", "delegations.postpone", "delegations.cancel"] {
            let e = t.error(m, ["id": .string(id), "expected_version": 2, "reason": "r", "outcome": "o"])
            #expect(e?.code == .failedPrecondition, "\(m)")
            #expect(e?.message.contains("is cancelled") == true)
        }
        let e = t.error("delegations.update", ["id": .string(id), "expected_version": 2, "title": "New"])
        #expect(e?.code == .failedPrecondition)
        let r = t.error("delegations.reschedule", ["id": .string(id), "expected_version": 2, "ends_at": "2026-03-14T10:00"])
        #expect(r?.code == .failedPrecondition)
    }

    @Test func staleVersionIsAConflict() throws {
        let t = try TestDelegations()
        let (id, _) = try t.create(thaiVisit())
        _ = try t.ok("delegations.update", ["id": .string(id), "expected_version": 1, "purpose": "Changed"])
        let e = try #require(t.error("delegations.update", ["id": .string(id), "expected_version": 1, "purpose": "Again"]))
        #expect(e.code == .conflict)
        #expect(e.details?["current_version"] == 2)
    }

    @Test func ofTwoConcurrentUpdatesWithTheSameVersionExactlyOneWins() throws {
        let t = try TestDelegations()
        let (id, _) = try t.create(thaiVisit())
        let wins = Atomic<Int>(0), conflicts = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            switch t.call("delegations.update", ["id": .string(id), "expected_version": 1, "purpose": .string("writer \(i)")]) {
            case .success: wins.wrappingAdd(1, ordering: .relaxed)
            case .failure(let e) where e.code == .conflict: conflicts.wrappingAdd(1, ordering: .relaxed)
            default: break
            }
        }
        #expect(wins.load(ordering: .relaxed) == 1)
        #expect(conflicts.load(ordering: .relaxed) == 7)
        #expect(try t.ok("delegations.get", ["id": .string(id)])["version"] == 2)
    }

    @Test func aConfirmedVisitsScheduleChangesOnlyByReschedule() throws {
        let t = try TestDelegations()
        let (id, _) = try t.create(thaiVisit())
        _ = try t.ok("delegations.confirm", ["id": .string(id), "expected_version": 1])
        let e = t.error("delegations.update", ["id": .string(id), "expected_version": 2, "itinerary": []])
        #expect(e?.code == .failedPrecondition)
        #expect(e?.message.contains("delegations.reschedule") == true)
        let ok = try t.ok("delegations.update", ["id": .string(id), "expected_version": 2, "notes": "Gifts: tea"])
        #expect(ok["notes"] == "Gifts: tea")
    }

    /// A session moved, added or dropped during the visit, or the visit ending later: the
    /// itinerary and the end still change once it has begun; its start and zone do not.
    @Test func aVisitUnderWayMovesItsSessionsAndItsEndButNotItsStart() throws {
        let t = try TestDelegations()
        let (id, _) = try t.create(thaiVisit())
        _ = try t.ok("delegations.confirm", ["id": .string(id), "expected_version": 1])
        _ = try t.ok("delegations.start", ["id": .string(id), "expected_version": 2])
        var d = try t.ok(
            "delegations.reschedule", ["id": .string(id), "expected_version": 3, "ends_at": "2026-03-14T12:00", "reason": "one more day"])
        #expect(d["status"] == "in_progress" && d["ends_at"] == "2026-03-14T12:00" && d["schedule_version"] == 2)
        guard case .object(var item)? = d["itinerary"]?[0] else { Issue.record("no item"); return }
        item["starts_at"] = "2026-03-14T09:00"
        item["ends_at"] = "2026-03-14T10:00"
        let same: JSONValue = ["id": .string(id), "expected_version": 4, "starts_at": "2026-03-12T09:00", "itinerary": [.object(item)]]
        d = try t.ok("delegations.reschedule", same)
        #expect(d["itinerary"]?[0]?["starts_at"] == "2026-03-14T09:00" && d["itinerary"]?[0]?["rev"] == 2 && d["status"] == "in_progress")
        for (field, value): (String, JSONValue) in [
            ("starts_at", "2026-03-13T09:00"), ("time_zone", "Asia/Bangkok"), ("shift_minutes", 60), ("to", "2026-03-20"),
        ] {
            let e = try #require(t.error("delegations.reschedule", ["id": .string(id), "expected_version": 5, field: value]), "\(field)")
            #expect(e.code == .failedPrecondition && e.details?["field"] == .string(field), "\(field)")
            #expect(e.message.contains("in_progress since 2026-03-12T09:00") && e.message.contains("only its itinerary and ends_at"))
        }
        // Ending before its last session is a clash, refused as for a confirmed visit.
        let clash = t.error("delegations.reschedule", ["id": .string(id), "expected_version": 5, "ends_at": "2026-03-13T17:00"])
        #expect(clash?.code == .conflict && clash?.message.contains("outside the visit window") == true, "\(String(describing: clash))")
        let e = t.error("delegations.update", ["id": .string(id), "expected_version": 5, "itinerary": []])
        #expect(e?.code == .failedPrecondition && e?.message.contains("delegations.reschedule") == true)
        let q = try t.ok("events.queue", ["subscriber": "notifications"])["deliveries"]!.arrayValue!
        #expect(q.map { $0["type"]!.stringValue! }.suffix(3) == ["delegation.started", "delegation.rescheduled", "delegation.rescheduled"])
    }

    @Test func historyRecordsEveryChangeWithTheCallersUID() throws {
        let t = try TestDelegations()
        let (id, _) = try t.create(thaiVisit())
        _ = try t.ok("delegations.update", ["id": .string(id), "expected_version": 1, "purpose": "Changed"], uid: 4242)
        _ = try t.ok("delegations.confirm", ["id": .string(id), "expected_version": 2], uid: 0)
        let h = try t.ok("delegations.history", ["id": .string(id)])["items"]!.arrayValue!
        #expect(h.map { $0["action"]!.stringValue! } == ["create", "update", "confirm"])
        #expect(h.map { $0["uid"]!.intValue! } == [1000, 4242, 0])
        #expect(h[1]["changes"]?["purpose"]?["to"] == "Changed")
        #expect(h[1]["changes"]?["purpose"]?["from"] == "Closer cooperation and more learning opportunities for students of both countries")
        #expect(h[2]["changes"]?["status"] == ["from": "proposed", "to": "confirmed"])
    }

    @Test func transitionsWriteTheirEventsToTheOutboxInOrder() throws {
        let t = try TestDelegations()
        let (id, _) = try t.create(thaiVisit())
        _ = try t.ok("delegations.confirm", ["id": .string(id), "expected_version": 1])
        _ = try t.ok("delegations.reschedule", ["id": .string(id), "expected_version": 2, "ends_at": "2026-03-14T12:00"])
        _ = try t.ok("delegations.cancel", ["id": .string(id), "expected_version": 3, "reason": "weather"])
        let q = try t.ok("events.queue", ["subscriber": "notifications"])
        let rows = q["deliveries"]!.arrayValue!
        #expect(rows.map { $0["type"]!.stringValue! } == ["delegation.confirmed", "delegation.rescheduled", "delegation.cancelled"])
        #expect(rows.map { $0["sequence"]!.intValue! } == [1, 2, 3])
        #expect(rows.allSatisfy { $0["partition_key"] == .string("delegation/\(id)") && $0["status"] == "pending" })
        #expect(q["summary"]?["pending"] == 6, "one delivery per subscriber")
        // The first event is the registry's: the partner described in place was registered.
        let stored: [String] = try t.service.store.read { db in try db.query("SELECT event FROM outbox ORDER BY seq").map { try $0["event"] } }
        #expect(try JSONParser.parse(stored[0])["type"] == "partner.created")
        let event = try JSONParser.parse(stored[1])
        #expect(event["specversion"] == "1.0" && event["source"] == "delegations" && event["type"] == "delegation.confirmed")
        #expect(event["data"]?["itinerary"]?[0]?["title"] == "Welcome meeting", "the full schedule travels with the event")
    }
}
