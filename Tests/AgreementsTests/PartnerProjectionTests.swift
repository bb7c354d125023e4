import Foundation
import Glibc
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire
import Synchronization
import Testing

@testable import Agreements

extension TestAgreements {
    /// Delivers a `partner.*` event as the registry (delegations) would.
    func partnerEvent(_ type: String, _ record: JSONValue, sequence: Int64) throws {
        let id = record["id"]!.stringValue!
        let e: JSONValue = [
            "specversion": "1.0", "id": .string("evt-\(id)-\(sequence)"), "source": "delegations", "type": .string(type),
            "subject": .string("partner/\(id)"), "time": "2026-01-01T00:00:00Z", "partitionkey": .string("partner/\(id)"),
            "sequence": .int(sequence), "datacontenttype": "application/json", "data": record,
        ]
        _ = try ok("events.deliver", ["event": e], uid: getuid())
    }

    /// Outbox events of `type`, their data.
    func emitted(_ type: String) throws -> [JSONValue] {
        try service.store.read { db in
            try db.query("SELECT event FROM outbox ORDER BY seq").map { try JSONParser.parse(try $0["event"] as String) }
        }.filter { $0["type"] == .string(type) }.map { $0["data"]! }
    }
}

func registryEntry(_ id: String, _ name: String, _ country: String, version: Int64 = 1, mergedInto: String? = nil) -> JSONValue {
    var o: JSONObject = [
        "id": .string(id), "version": .int(version), "status": mergedInto == nil ? "active" : "merged", "name": .string(name),
        "kind": "enterprise", "country": .string(country), "people": [], "merged_from": [], "continent": "", "country_name": "",
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
    ]
    if let m = mergedInto { o["merged_into"] = .string(m) }
    return .object(o)
}

/// Agreements name partners of the registry by id, kept current by partner events.
@Suite struct PartnerProjectionTests {
    func draft(_ partners: JSONValue) -> JSONValue {
        ["title": "Cooperation", "kind": "mou", "partners": partners, "coordinator": ["name": "IO", "email": "io@bit.example.cn"]]
    }

    @Test func agreementsNamePartnersTheRegistryAnnouncedAndFollowRenamesAndMerges() throws {
        let t = try TestAgreements()
        try t.partnerEvent("partner.created", registryEntry("par-cccc", "China Communications Construction Co", "CN"), sequence: 1)
        let a = try t.ok("agreements.create", draft([["id": "par-cccc", "contact_email": "x@example.org"]]))
        #expect(
            a["partners"]?[0]?["name"] == "China Communications Construction Co" && a["partners"]?[0]?["contact_email"] == "x@example.org")
        let unknown = try #require(t.error("agreements.create", draft([["id": "par-nosuch"]])))
        #expect(unknown.details?["field"] == "partners[0].id" && unknown.message.contains("registry"))
        try t.partnerEvent(
            "partner.updated", registryEntry("par-cccc", "China Communications Construction Company", "CN", version: 2), sequence: 2)
        #expect(try t.ok("agreements.get", ["id": a["id"]!])["partners"]?[0]?["name"] == "China Communications Construction Company")
        #expect(try t.ok("agreements.list", ["partner": "par-cccc"])["items"]?.arrayValue?.count == 1)
        // A duplicate merged into another: agreements naming it name the one kept.
        try t.partnerEvent("partner.created", registryEntry("par-cccc2", "CCCC", "CN"), sequence: 1)
        let b = try t.ok("agreements.create", draft([["id": "par-cccc2"]]))
        try t.partnerEvent("partner.merged", registryEntry("par-cccc2", "CCCC", "CN", version: 2, mergedInto: "par-cccc"), sequence: 2)
        let merged = try t.ok("agreements.get", ["id": b["id"]!])
        #expect(
            merged["partners"]?[0]?["id"] == "par-cccc" && merged["version"] == 1, "references follow the merge; the agreement is unchanged"
        )
        #expect(try t.ok("agreements.create", draft([["id": "par-cccc2"]]))["partners"]?[0]?["id"] == "par-cccc", "old ids resolve")
    }

    @Test func aPartnerDescribedInPlaceIsClaimedUnderTheIdTheRegistryDerives() throws {
        let t = try TestAgreements()
        let a = try t.ok("agreements.create", draft([["name": "Hanyang University", "kind": "university", "country": "kr"]]))
        let id = Partner.derivedID(name: "Hanyang University", country: "KR")
        #expect(a["partners"]?[0]?["id"] == .string(id))
        #expect(try t.emitted("partner.claimed").map { $0["id"]! } == [.string(id)])
        _ = try t.ok("agreements.create", draft([["name": "hanyang  university", "kind": "university", "country": "KR"]]))
        #expect(try t.emitted("partner.claimed").count == 1, "found by name and country, claimed once")
    }

    @Test func agreementsStoredBeforeTheRegistryMigrateAndAreClaimedAtStart() throws {
        let t = try TestAgreements(prepare: { dir in
            let store = try Store(path: dir + "/agreements.db", migrations: [AgreementsTables.migrations[0]])
            try store.write { db in
                let doc: JSONValue = [
                    "id": "agr-old1", "reference": "AGR-2020-0001", "version": 1, "status": "active", "title": "Old",
                    "kind": "exchange", "partners": [["name": "Hanyang University", "kind": "university", "country": "KR"]],
                    "coordinator": ["name": "IO", "email": "io@bit.example.cn"], "starts_on": "2020-01-01",
                    "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z",
                ]
                try db.run(
                    """
                    INSERT INTO agreements(id, reference, version, status, kind, starts_on, doc, created_ms, updated_ms)
                    VALUES('agr-old1', 'AGR-2020-0001', 1, 'active', 'exchange', '2020-01-01', ?, 0, 0)
                    """, [JSONWriter.string(doc)])
            }
        })
        let id = Partner.derivedID(name: "Hanyang University", country: "KR")
        #expect(try t.ok("agreements.get", ["id": "agr-old1"])["partners"]?[0]?["id"] == .string(id))
        #expect(try t.emitted("partner.claimed").map { $0["name"]! } == ["Hanyang University"])
    }

    @Test func sitesCountWhereTheyAreAndPartnersWhereTheyComeFrom() throws {
        let t = try TestAgreements()
        try t.partnerEvent("partner.created", registryEntry("par-cccc", "China Communications Construction Company", "CN"), sequence: 1)
        var d = draft([["id": "par-cccc"]])
        if case .object(var o) = d {
            o["kind"] = "workstation"; o["signed_on"] = "2024"; o["status"] = "signed"; o["external_key"] = "ws"
            d = .object(o)
        }
        let a = try t.ok("agreements.record", d)
        #expect(a["status"] == "signed" && a["signed_on"] == "2024" && a["reference"] == "AGR-2024-0001")
        #expect(try t.emitted("agreement.recorded").count == 1 && t.emitted("agreement.signed").isEmpty, "history, not a signing")
        let site = try t.ok(
            "sites.create",
            [
                "name": "Study in BIT Uganda Workstation", "kind": "workstation", "country": "UG", "agreement": "ws",
                "partners": [["id": "par-cccc"]],
                "established": "2024",
            ])
        #expect(site["agreement_reference"] == "AGR-2024-0001" && site["continent"] == "Africa")
        let r = try t.ok("agreements.report.partners", ["by": "continent", "active_on": "2025-05-14"])
        let rows = Dictionary(uniqueKeysWithValues: r["rows"]!.arrayValue!.map { ($0["key"]!.stringValue!, $0) })
        #expect(rows["Asia"]?["partners"] == 1 && rows["Asia"]?["sites"] == 0)
        #expect(rows["Africa"]?["partners"] == 0 && rows["Africa"]?["sites"] == 1)
        #expect(r["counting"]?.stringValue?.contains("site's own country") == true)
        let byYear = try t.ok("agreements.report.partners", ["by": "year", "signed_in": 2024])
        #expect(byYear["rows"]?[0]?["key"] == "2024" && byYear["totals"]?["sites"] == 1)
    }

    @Test func datesAsPreciseAsKnownDriveOnlyWhatTheyCan() throws {
        let t = try TestAgreements()
        let a = try t.ok(
            "agreements.record",
            [
                "title": "Exchange", "kind": "exchange", "status": "active",
                "partners": [["name": "Hanyang University", "kind": "university", "country": "KR"]],
                "coordinator": ["name": "IO", "email": "io@bit.example.cn"], "starts_on": "~2013", "ends_on": "2030",
            ])
        #expect(a["starts_on"] == "~2013" && a["reference"] == "AGR-2013-0001")
        let swept = try t.ok("agreements.sweep", ["today": "2031-01-01"])
        #expect(swept["expired"] == [], "an end known only to the year expires nothing on its own")
        #expect(try t.ok("agreements.report.expiring", ["days": 3650, "today": "2029-01-01"])["rows"] == [])
        let inForce = try t.ok("agreements.report.partners", ["active_on": "2014-06-01"])
        #expect(inForce["totals"]?["agreements"] == 1, "c. 2013 counts from 2013")
        let bad = try #require(
            t.error(
                "agreements.record",
                [
                    "title": "X", "kind": "mou", "status": "active", "partners": [["id": "par-x"]],
                    "coordinator": ["name": "IO", "email": "io@bit.example.cn"], "starts_on": "2013-13",
                ]))
        #expect(bad.details?["field"] == "starts_on")
    }

    /// A record of the past whose source names no coordinator's address keeps none (issue 27.5:
    /// the demo's invented address); one that ends on a known day needs it for its notices, and a
    /// range of dates is for visits.
    @Test func aCoordinatorsAddressIsLeftOutWhereNoneIsKnown() throws {
        let t = try TestAgreements()
        let partners: JSONValue = [["name": "Hanyang University", "kind": "university", "country": "KR"]]
        let a = try t.ok(
            "agreements.record",
            [
                "title": "Exchange", "kind": "exchange", "status": "active", "partners": partners,
                "coordinator": ["name": "BIT International Office"], "starts_on": "~2013",
            ])
        #expect(a["coordinator"] == ["name": "BIT International Office"])
        let ending = try #require(
            t.error(
                "agreements.record",
                [
                    "title": "Ends", "kind": "mou", "status": "active", "partners": partners,
                    "coordinator": ["name": "IO"], "starts_on": "2020-01-01", "ends_on": "2030-06-30",
                ]))
        #expect(ending.details?["field"] == "coordinator.email", "\(ending)")
        let ranged = try #require(
            t.error(
                "agreements.record",
                [
                    "title": "Range", "kind": "mou", "status": "active", "partners": partners,
                    "coordinator": ["name": "IO"], "starts_on": "2020/2025",
                ]))
        #expect(ranged.details?["field"] == "starts_on", "\(ranged)")
    }

    @Test func anImportIsCheckedRowByRowAndWrittenWholeOrNotAtAll() throws {
        let t = try TestAgreements()
        let good: JSONValue = [
            "key": "a1", "title": "Good", "kind": "mou", "status": "negotiating",
            "partners": [["name": "Hanyang University", "kind": "university", "country": "KR"]],
            "coordinator": ["name": "IO", "email": "io@bit.example.cn"],
        ]
        let bad: JSONValue = [
            "key": "a2", "title": "", "kind": "pact", "status": "negotiating", "partners": [],
            "coordinator": ["name": "IO", "email": "nope"],
        ]
        let r = try t.ok(
            "agreements.import", ["agreements": [good, bad], "sites": [["key": "s1", "name": "Site", "kind": "office", "country": "XX"]]])
        #expect(r["applied"] == false)
        let problems = r["problems"]!.arrayValue!
        #expect(problems.contains { $0["section"] == "agreements" && $0["index"] == 1 && $0["field"] == "kind" })
        #expect(problems.contains { $0["section"] == "sites" && $0["index"] == 0 && $0["field"] == "country" })
        #expect(try t.ok("agreements.list", [:])["items"] == [], "nothing half-imported")
        #expect(try t.emitted("partner.claimed").isEmpty)
        let dry = try t.ok("agreements.import", ["agreements": [good], "dry_run": true])
        #expect(dry["applied"] == false && dry["problems"] == [] && dry["rows"]?[0]?["created"] == true)
        #expect(try t.ok("agreements.list", [:])["items"] == [])
        let done = try t.ok("agreements.import", ["agreements": [good]])
        #expect(done["applied"] == true)
        let again = try t.ok("agreements.import", ["agreements": [good]])
        #expect(again["rows"]?[0]?["created"] == false, "the same row imported again is found")
        #expect(try t.ok("agreements.get", ["id": "AGR-2026-0001"])["external_key"] == "import:a1")
    }
}

/// `sweep` as of another date previews; the daily sweep follows the (injected) clock.
@Suite struct SweepPreviewTests {
    @Test func anotherTodayOnlyPreviewsAndTheClockDrivesTheRealSweep() throws {
        let clock = Atomic<Int64>(1_767_225_600_000)  // 2026-01-01
        let t = try TestAgreements(now: { clock.load(ordering: .relaxed) })
        let (id, _) = try t.signed(uganda(start: "2026-02-01", end: "2026-06-30"), signedOn: "2026-01-01")
        let preview = try t.ok("agreements.sweep", ["today": "2026-07-01"])
        #expect(preview["applied"] == false && preview["activated"] == ["AGR-2026-0001"] && preview["expired"] == ["AGR-2026-0001"])
        // Already past its end on that day: one notice, the expiry, to the coordinator.
        #expect(preview["mails"] == [["kind": "agreement.expired", "reference": "AGR-2026-0001", "to": "io@bit.example.cn"]], "\(preview)")
        #expect(try t.ok("agreements.get", ["id": id])["status"] == "signed", "nothing changed")
        #expect(try t.emitted("agreement.expired").isEmpty && t.emitted("agreement.activated").isEmpty, "nothing sent")
        clock.store(1_769_904_000_000, ordering: .relaxed)  // 2026-02-01: the real sweep applies
        let real = try t.ok("agreements.sweep", [:])
        #expect(real["applied"] == true && real["today"] == "2026-02-01" && real["activated"] == ["AGR-2026-0001"])
        #expect(try t.ok("agreements.get", ["id": id])["status"] == "active")
    }
}

/// Reports count what they say, and words match values.
@Suite struct ReportConsistencyTests {
    @Test func theFunnelsTotalsCountWhatItsRowsCountOnceEach() throws {
        let t = try TestAgreements()
        try t.project(id: "del-th", country: "TH", start: "2026-03-12")
        try t.project(id: "del-ma", country: "MA", start: "2026-04-12")
        let a = try t.ok("agreements.create", uganda(reference: "X-1"))
        for v in ["del-th", "del-ma", "del-unknown"] where v != "del-unknown" {
            _ = try t.ok("agreements.link_delegation", ["id": a["id"]!, "delegation_id": .string(v)])
        }
        // A second agreement cites a visit this service never heard of: counted nowhere.
        let b = try t.ok("agreements.create", uganda(reference: "X-2"))
        _ = try t.ok(
            "agreements.link_delegation",
            [
                "id": b["id"]!, "delegation_id": "del-ghost", "relation": "led_to",
                "seen": ["delegation_id": "del-ghost", "relation": "led_to", "ref": "DEL-X"],
            ])
        try t.service.store.write { db in try db.run("DELETE FROM delegation_projection WHERE id = 'del-ghost'") }
        let f = try t.ok("agreements.report.funnel", [:])
        let rows = f["rows"]!.arrayValue!
        #expect(rows.map { $0["agreements"]!.intValue! }.reduce(0, +) == 2, "one agreement under each continent it has a visit in")
        #expect(f["totals"]?["agreements_citing_visits"] == 1 && f["totals"]?["visits_leading_to_agreements"] == 2)
    }

    @Test func textMatchesValuesNeverFieldNames() throws {
        let t = try TestAgreements()
        _ = try t.ok("agreements.create", uganda())
        #expect(try t.ok("agreements.list", ["text": "title"])["items"] == [], "a field name is not a value")
        #expect(try t.ok("agreements.list", ["text": "focus_areas"])["items"] == [])
        // A NUL was bound as the end of the text: the filter "" matched every agreement (issue 26).
        #expect(try t.ok("agreements.list", ["text": "\u{0}"])["items"] == [], "a NUL is a character like another")
        #expect(try t.ok("agreements.list", ["text": "uganda workstation"])["items"]?.arrayValue?.count == 1, "each word, anywhere")
        #expect(try t.ok("agreements.list", ["text": "中国交通"])["items"]?.arrayValue?.count == 1)
    }
}

/// An update resolves the partners it is given in a transaction of its own, then makes the
/// change: a partner merged in between (its event applied) is shown as the entry it was merged
/// into. The merge is applied from the clock the update reads after resolving.
@Suite struct PartnerMergedDuringAnUpdateTests {
    final class Hook: @unchecked Sendable {
        var armed = false, calls = 0, merged = false
        var merge: () throws -> Void = {}
    }

    @Test func theAgreementNamesTheKeptEntry() throws {
        let hook = Hook()
        let t = try TestAgreements(now: {
            if hook.armed {
                hook.calls += 1
                if hook.calls == 2 {  // 1: resolving the partners (in their transaction); then the change
                    hook.armed = false
                    try? hook.merge()
                    hook.merged = true
                }
            }
            return wallClockMillis()
        })
        try t.partnerEvent("partner.created", registryEntry("par-kept", "Shenzhen Metro Group", "CN"), sequence: 1)
        try t.partnerEvent("partner.created", registryEntry("par-dup", "SZ Metro", "CN"), sequence: 1)
        let a = try t.ok(
            "agreements.create",
            [
                "title": "Cooperation", "kind": "mou", "partners": [["id": "par-kept"]],
                "coordinator": ["name": "IO", "email": "io@bit.example.cn"],
            ])
        hook.merge = { [unowned t] in  // unowned: t holds the clock that holds the hook
            try t.partnerEvent(
                "partner.merged", registryEntry("par-dup", "SZ Metro", "CN", version: 2, mergedInto: "par-kept"), sequence: 2)
        }
        hook.armed = true
        let updated = try t.ok("agreements.update", ["id": a["id"]!, "expected_version": 1, "partners": [["id": "par-dup"]]])
        #expect(hook.merged, "the merge was applied while the update was under way")
        #expect(updated["partners"]?[0]?["id"] == "par-kept" && updated["partners"]?[0]?["name"] == "Shenzhen Metro Group", "\(updated)")
        #expect(try t.ok("agreements.list", ["partner": "par-kept"])["items"]?.arrayValue?.count == 1)
    }
}
