import Foundation
import Synchronization
import Testing
import LiaisonModels
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
@testable import Agreements

@Suite struct AgreementLifecycleTests {
    @Test func fromDraftToRenewalWithAmendmentsAndHistory() throws {
        let t = try TestAgreements()
        let a = try t.ok("agreements.create", uganda())
        #expect(a["status"] == "draft" && a["reference"] == "AGR-2024-0001")
        let id = a["id"]!
        var v = try t.ok("agreements.negotiate", ["id": id, "expected_version": 1])
        #expect(v["status"] == "negotiating")
        v = try t.ok("agreements.sign", ["id": id, "expected_version": 2, "signed_on": "2024-07-09"])
        #expect(v["status"] == "active", "its start has come: active at once")
        v = try t.ok("agreements.suspend", ["id": id, "expected_version": v["version"]!, "reason": "review of the programme"])
        #expect(v["status"] == "suspended")
        v = try t.ok("agreements.resume", ["id": id, "expected_version": v["version"]!])
        #expect(v["status"] == "active")
        v = try t.ok(
            "agreements.amend",
            ["id": id, "expected_version": v["version"]!, "summary": "Extended by one year", "changes": ["ends_on": "2030-07-08"]])
        #expect(v["current_reference"] == "AGR-2024-0001-A1")
        #expect(v["amendments"]?[0]?["changes"]?["ends_on"] == ["from": "\"2029-07-08\"", "to": "\"2030-07-08\""])
        let r = try t.ok("agreements.renew", ["id": id, "ends_on": "2035-07-08"])
        #expect(r["original"]?["status"] == "superseded")
        #expect(r["successor"]?["reference"] == "AGR-2024-0001-R1")
        #expect(r["successor"]?["predecessor_id"] == id)
        #expect(r["original"]?["successor_id"] == r["successor"]?["id"])
        #expect(r["successor"]?["starts_on"] == "2030-07-09")
        let history = try t.ok("agreements.history", ["id": id])["items"]!.arrayValue!.map { $0["action"]!.stringValue! }
        #expect(history == ["create", "negotiate", "sign", "activate", "suspend", "resume", "amend", "renew"])
        #expect(
            try t.events() == [
                "agreement.signed", "agreement.activated", "agreement.suspended", "agreement.resumed", "agreement.amended",
                "agreement.renewed",
            ])
    }

    @Test func illegalTransitionsNameBothStates() throws {
        let t = try TestAgreements()
        let a = try t.ok("agreements.create", uganda())
        let e = try #require(t.error("agreements.activate", ["id": a["id"]!, "expected_version": 1]))
        #expect(e.code == .failedPrecondition)
        #expect(e.message.contains("is draft") && e.message.contains("would be active"))
        let s = try #require(t.error("agreements.resume", ["id": a["id"]!, "expected_version": 1]))
        #expect(s.details?["current_state"] == "draft" && s.details?["requested_state"] == "active")
        #expect(
            t.error("agreements.amend", ["id": a["id"]!, "expected_version": 1, "summary": "x", "changes": ["title": "y"]])?.code
                == .failedPrecondition)
        #expect(t.error("agreements.terminate", ["id": a["id"]!, "expected_version": 1])?.code == .invalidParams, "a reason is required")
    }

    @Test func terminationKeepsTheReason() throws {
        let t = try TestAgreements()
        let (id, v) = try t.signed(uganda())
        let x = try t.ok("agreements.terminate", ["id": id, "expected_version": .int(v), "reason": "the partner withdrew"])
        #expect(x["status"] == "terminated" && x["termination_reason"] == "the partner withdrew")
        #expect(try t.events().last == "agreement.terminated")
    }
}

@Suite struct AgreementBadInputTests {
    @Test(arguments: [
        ("ends_on", JSONValue.string("2020-01-01"), "ends_on", "must be after starts_on"),
        ("kind", .string("handshake"), "kind", "is not one of mou, exchange"),
        ("partners", .array([]), "partners", "at least one partner"),
        ("title", .string(String(repeating: "t", count: 201)), "title", "at most 200 characters"),
        ("signed_on", .string("2024-08-01"), "signed_on", "must not be after starts_on"),
        ("ends_on", .string("2029-02-30"), "ends_on", "not a real date"),
    ])
    func refusesWithTheFieldNamed(field: String, value: JSONValue, path: String, fragment: String) throws {
        let t = try TestAgreements()
        guard case .object(var o) = uganda() else { return }
        o[field] = value
        let e = try #require(t.error("agreements.create", .object(o)))
        #expect(e.code == .invalidParams)
        #expect(e.details?["field"] == .string(path), "\(e.message)")
        #expect(e.message.contains(fragment), "\(e.message)")
        #expect(try t.ok("agreements.list", [:])["items"]?.arrayValue?.isEmpty == true, "nothing half-written")
    }

    @Test func refusesADuplicateReference() throws {
        let t = try TestAgreements()
        _ = try t.ok("agreements.create", uganda(reference: "BIT-CCCC-2024"))
        let e = try #require(t.error("agreements.create", uganda(reference: "BIT-CCCC-2024", title: "Another")))
        #expect(e.code == .conflict)
        #expect(e.message.contains("BIT-CCCC-2024 is already used"))
        #expect(try t.ok("agreements.list", [:])["items"]?.arrayValue?.count == 1)
    }

    @Test func ofConcurrentUpdatesOneWins() throws {
        let t = try TestAgreements()
        let a = try t.ok("agreements.create", uganda())
        let wins = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            if (try? t.ok("agreements.update", ["id": a["id"]!, "expected_version": 1, "notes": .string("writer \(i)")])) != nil {
                wins.wrappingAdd(1, ordering: .relaxed)
            }
        }
        #expect(wins.load(ordering: .relaxed) == 1)
    }

    @Test func signingNeedsSignatories() throws {
        let t = try TestAgreements()
        guard case .object(var o) = uganda() else { return }
        o["signatories"] = []
        let a = try t.ok("agreements.create", .object(o))
        let e = try #require(t.error("agreements.sign", ["id": a["id"]!, "expected_version": 1]))
        #expect(e.details?["field"] == "signatories")
        #expect(try t.ok("agreements.get", ["id": a["id"]!])["status"] == "draft", "nothing half-written")
    }
}

@Suite struct AgreementSweepTests {
    @Test func expiringNoticesFireOnceEachAndReArmWhenTheEndMoves() throws {
        let clock = DayClock()
        let t = try TestAgreements(now: clock.now)
        let (id, _) = try t.signed(uganda(start: "2024-01-10", end: "2027-06-30"))
        func sweep(_ day: String) throws -> JSONValue {
            clock.set(day)
            return try t.ok("agreements.sweep", [:])
        }
        #expect(try sweep("2027-01-01")["expiring"] == [])
        #expect(try sweep("2027-04-01")["expiring"]?[0]?["lead_days"] == 90)
        #expect(try sweep("2027-04-02")["expiring"] == [], "once")
        #expect(try sweep("2027-05-31")["expiring"]?[0]?["lead_days"] == 30)
        #expect(try sweep("2027-06-23")["expiring"]?[0]?["lead_days"] == 7)
        #expect(try sweep("2027-06-24")["expiring"] == [])
        // The end moves: the notices come again for the new date.
        let cur = try t.ok("agreements.get", ["id": id])
        _ = try t.ok(
            "agreements.amend",
            ["id": id, "expected_version": cur["version"]!, "summary": "Extended", "changes": ["ends_on": "2027-12-31"]])
        #expect(try sweep("2027-06-25")["expiring"] == [])
        #expect(try sweep("2027-10-02")["expiring"]?[0]?["lead_days"] == 90)
        #expect(try sweep("2028-01-01")["expired"] == ["AGR-2024-0001-A1"])
        #expect(try t.ok("agreements.get", ["id": id])["status"] == "expired")
        let expiring = try t.ok("events.outbox", ["limit": 100])["items"]!.arrayValue!.filter { $0["type"] == "agreement.expiring" }
        #expect(expiring.count == 4)
        #expect(try t.events().last == "agreement.expired")
    }

    @Test func aLateSweepSendsOnlyTheNearestNotice() throws {
        let clock = DayClock()
        let t = try TestAgreements(now: clock.now)
        _ = try t.signed(uganda(start: "2024-01-10", end: "2027-06-30"))
        clock.set("2027-06-26")
        // A missed day is caught up (a past day applies); then the day itself.
        let r = try t.ok("agreements.sweep", ["today": "2027-06-25", "apply": true])
        #expect(r["applied"] == true && r["expiring"]?.arrayValue?.count == 1)
        #expect(r["expiring"]?[0]?["lead_days"] == 7)
        #expect(try t.ok("agreements.sweep", [:])["expiring"] == [])
    }

    /// `--today` of a day to come with `--apply` expired agreements with years to run, and
    /// nothing undid it when that day came: it is refused, naming the field.
    @Test func aSweepOfADayToComeIsAPreviewOnly() throws {
        let clock = DayClock()
        clock.set("2026-12-04")
        let t = try TestAgreements(now: clock.now)
        let (id, _) = try t.signed(uganda(start: "2024-01-10", end: "2027-06-30"))
        let e = t.error("agreements.sweep", ["today": "2200-12-31", "apply": true])
        #expect(e?.code == .invalidParams && e?.details?["field"] == "today", "\(String(describing: e))")
        #expect(e?.message.contains("2200-12-31 is after today (2026-12-04)") == true, "\(String(describing: e))")
        let preview = try t.ok("agreements.sweep", ["today": "2200-12-31"])
        #expect(preview["applied"] == false && preview["expired"] == ["AGR-2024-0001"])
        #expect(try t.ok("agreements.get", ["id": id])["status"] == "active", "nothing expired")
    }

    @Test func signedAgreementsActivateOnTheirStartAndAutoRenewalMakesASuccessor() throws {
        let clock = DayClock()
        let t = try TestAgreements(now: clock.now)
        guard case .object(var o) = uganda(start: "2031-01-01", end: "2032-12-31") else { return }
        o["auto_renew"] = true
        let (id, _) = try t.signed(.object(o), signedOn: "2030-06-01")
        #expect(try t.ok("agreements.get", ["id": id])["status"] == "signed")
        clock.set("2031-01-01")
        #expect(try t.ok("agreements.sweep", [:])["activated"] == ["AGR-2031-0001"])
        clock.set("2033-01-01")
        let r = try t.ok("agreements.sweep", [:])
        #expect(r["renewed"]?[0]?["from"] == "AGR-2031-0001")
        let old = try t.ok("agreements.get", ["id": id])
        #expect(old["status"] == "superseded")
        let next = try t.ok("agreements.get", ["id": old["successor_id"]!])
        #expect(next["starts_on"] == "2033-01-01" && next["ends_on"] == "2034-12-31")
    }
}

@Suite struct AgreementReportTests {
    /// A joint visit counts on each of its partners' continents, once in the totals (issue 27,
    /// item 1: it counted under the lead's only).
    @Test func aJointVisitCountsOnEachPartnersContinent() throws {
        let t = try TestAgreements()
        try t.project(id: "del-joint", country: "TH", start: "2025-03-12", also: ["UG", "AE"])
        let funnel = try t.ok("agreements.report.funnel", [:])
        let rows = Dictionary(uniqueKeysWithValues: funnel["rows"]!.arrayValue!.map { ($0["continent"]!.stringValue!, $0) })
        #expect(rows["Asia"]?["visits"] == 1 && rows["Africa"]?["visits"] == 1, "\(funnel)")
        #expect(rows.count == 2, "Thailand and the Emirates are both in Asia: one row")
        #expect(funnel["totals"]?["visits"] == 1)
    }

    @Test func partnersByContinentFunnelDormantAndExpiring() throws {
        let t = try TestAgreements()
        try t.project(id: "del-ug", country: "UG", start: "2024-07-09")
        try t.project(id: "del-kr", country: "KR", start: "2024-10-22")
        try t.project(id: "del-th", country: "TH", start: "2023-06-13")
        let (ug, _) = try t.signed(uganda(start: "2024-07-09", end: "2026-12-31"), signedOn: "2024-07-09")
        _ = try t.ok("agreements.link_delegation", ["id": ug, "delegation_id": "del-ug"])
        _ = try t.ok("agreements.add_activity", ["id": ug, "on": "2024-07-09", "kind": "outcome", "summary": "Workstation opened"])
        guard case .object(var kr) = uganda(start: "2013-10-15", end: nil, title: "Hanyang exchange") else { return }
        kr["kind"] = "exchange"
        kr["partners"] = [["name": "Hanyang University", "name_local": "한양대학교", "kind": "university", "country": "KR"]]
        let (hy, _) = try t.signed(.object(kr), signedOn: "2013-10-15")
        _ = try t.ok("agreements.link_delegation", ["id": hy, "delegation_id": "DEL-del-kr", "relation": "followed_from"])
        guard case .object(var th) = uganda(start: nil, end: nil, title: "Thai MoE cooperation") else { return }
        th["partners"] = [["name": "Ministry of Education", "kind": "government", "country": "TH"]]
        let tha = try t.ok("agreements.create", .object(th))
        _ = try t.ok("agreements.negotiate", ["id": tha["id"]!, "expected_version": 1])
        _ = try t.ok("agreements.link_delegation", ["id": tha["id"]!, "delegation_id": "del-th"])

        let byContinent = try t.ok("agreements.report.partners", ["by": "continent", "active_on": "2025-06-01"])
        let rows = Dictionary(uniqueKeysWithValues: byContinent["rows"]!.arrayValue!.map { ($0["key"]!.stringValue!, $0) })
        #expect(rows["Africa"]?["agreements"] == 1 && rows["Africa"]?["partners"] == 1)
        #expect(rows["Asia"]?["agreements"] == 1 && rows["Asia"]?["negotiating"] == 1)
        #expect(rows["Asia"]?["partner_names"]?.arrayValue?.contains("Hanyang University (한양대학교)") == true)
        let signed2013 = try t.ok("agreements.report.partners", ["by": "country", "signed_in": 2013])
        #expect(signed2013["rows"]?.arrayValue?.map { $0["key"]!.stringValue! } == ["KR South Korea"])
        #expect(
            try t.ok("agreements.report.partners", ["by": "continent", "active_on": "2012-01-01"])["rows"]?.arrayValue?.allSatisfy {
                $0["agreements"] == 0
            } == true)

        let funnel = try t.ok("agreements.report.funnel", [:])
        #expect(funnel["totals"]?["visits"] == 3)
        #expect(funnel["totals"]?["visits_leading_to_agreements"] == 2, "UG and TH led to agreements; the Korean visit followed one")
        #expect(funnel["totals"]?["agreements_with_activities"] == 1)
        let africa = funnel["rows"]!.arrayValue!.first { $0["continent"] == "Africa" }
        #expect(africa?["visit_conversion_pct"] == 100.0)

        let dormant = try t.ok("agreements.report.dormant", ["months": 12, "today": "2026-06-01"])["rows"]!.arrayValue!
        #expect(
            Set(dormant.compactMap { $0["id"]?.stringValue }) == Set([ug, hy].compactMap(\.stringValue)),
            "no visit or activity since June 2025")
        let longer = try t.ok("agreements.report.dormant", ["months": 24, "today": "2026-06-01"])["rows"]!.arrayValue!
        #expect(longer.isEmpty, "both had a visit or an activity within two years")

        let expiring = try t.ok("agreements.report.expiring", ["days": 60, "today": "2026-11-15"])["rows"]!.arrayValue!
        #expect(expiring.map { $0["id"]! } == [ug])
        #expect(expiring[0]["days_left"] == 46 && expiring[0]["renewal"] == "no renewal arranged")
    }

    @Test func linkingNeedsAVisitTheServiceKnows() throws {
        let t = try TestAgreements()
        let a = try t.ok("agreements.create", uganda())
        let e = try #require(t.error("agreements.link_delegation", ["id": a["id"]!, "delegation_id": "del-unknown"]))
        #expect(e.code == .notFound && e.retryable)
    }
}
