import Foundation
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire
import Testing

@testable import Delegations

/// The partner registry: institutions as records, visits naming them by id, merges.
@Suite struct PartnerRegistryTests {
    func partner(_ t: TestDelegations, _ name: String, _ country: String, kind: String = "school") throws -> String {
        try t.ok("partners.create", ["name": .string(name), "kind": .string(kind), "country": .string(country)])["id"]!.stringValue!
    }

    func visit(partners: JSONValue, title: String = "Joint visit", extra: JSONObject = [:]) -> JSONValue {
        var o: JSONObject = [
            "direction": "inbound", "title": .string(title), "partners": partners, "starts_at": "2027-05-10T09:00",
            "ends_at": "2027-05-10T17:00",
        ]
        for m in extra.members { o[m.key] = m.value }
        return .object(o)
    }

    /// The registry counted by itself (issue 28.5): every entry, agreement or not; a joint visit
    /// once per row and once in the totals; `partners.list` by continent.
    @Test func theRegistryIsCountedByContinentCountryAndKind() throws {
        let t = try TestDelegations()
        let hy = try partner(t, "Hanyang University", "KR", kind: "university")
        let cu = try partner(t, "Chulalongkorn University", "TH", kind: "university")
        _ = try partner(t, "Lycée Lyautey", "MA")
        _ = try t.ok("delegations.create", visit(partners: [["id": .string(hy), "lead": true], ["id": .string(cu)]]))
        let byContinent = try t.ok("partners.report", [:])
        #expect(byContinent["by"] == "continent")
        #expect(
            byContinent["rows"] == [
                ["key": "Asia", "partners": 2, "with_visits": 2, "visits": 1],
                ["key": "Africa", "partners": 1, "with_visits": 0, "visits": 0],
            ], "\(byContinent)")
        #expect(byContinent["totals"] == ["key": "total", "partners": 3, "with_visits": 2, "visits": 1])
        let byCountry = try t.ok("partners.report", ["by": "country"])["rows"]!.arrayValue!
        #expect(byCountry.map { $0["key"]!.stringValue! } == ["KR", "MA", "TH"] && byCountry[0]["name"] == "South Korea")
        let byKind = try t.ok("partners.report", ["by": "kind"])["rows"]!.arrayValue!
        #expect(byKind.map { "\($0["key"]!.stringValue!) \($0["partners"]!.intValue!) \($0["visits"]!.intValue!)" } == ["university 2 1", "school 1 0"])
        let africa = try t.ok("partners.list", ["continent": "Africa"])["items"]!.arrayValue!
        #expect(africa.map { $0["name"]! } == ["Lycée Lyautey"])
        #expect(try t.ok("partners.list", ["continent": "Asia"])["items"]?.arrayValue?.count == 2)
        #expect(t.error("partners.list", ["continent": "Atlantis"])?.details?["field"] == "continent")
    }

    /// Joint visits across rows (issue 30's counting by index): each counts once in every row
    /// one of its partners is in, and once in the totals, whichever partner leads.
    @Test func jointVisitsCountOncePerRowAndOnceInAll() throws {
        let t = try TestDelegations()
        let hy = try partner(t, "Hanyang University", "KR", kind: "university")
        let cu = try partner(t, "Chulalongkorn University", "TH", kind: "university")
        let ly = try partner(t, "Lycée Lyautey", "MA")
        for partners: [JSONValue] in [
            [["id": .string(hy), "lead": true], ["id": .string(cu)]],
            [["id": .string(ly), "lead": true], ["id": .string(hy)]],
            [["id": .string(hy), "lead": true]],
            [["id": .string(cu), "lead": true], ["id": .string(hy)], ["id": .string(ly)]],
        ] {
            _ = try t.ok("delegations.create", visit(partners: .array(partners)))
        }
        let r = try t.ok("partners.report", [:])
        #expect(
            r["rows"] == [
                ["key": "Asia", "partners": 2, "with_visits": 2, "visits": 4],
                ["key": "Africa", "partners": 1, "with_visits": 1, "visits": 2],
            ],
            "\(r)"
        )
        #expect(r["totals"] == ["key": "total", "partners": 3, "with_visits": 3, "visits": 4])
        let byKind = try t.ok("partners.report", ["by": "kind"])["rows"]!.arrayValue!
        #expect(byKind.map { "\($0["key"]!.stringValue!) \($0["visits"]!.intValue!)" } == ["university 4", "school 2"])
    }

    /// Each entry's visits are counted as links come and go (delegations schema 14): a visit's
    /// partners changed, a duplicate merged away, a visit created — the report stays what the
    /// links say.
    @Test func theRegistrysCountsFollowTheLinksAsTheyChange() throws {
        let t = try TestDelegations()
        let hy = try partner(t, "Hanyang University", "KR", kind: "university")
        let cu = try partner(t, "Chulalongkorn University", "TH", kind: "university")
        let ly = try partner(t, "Lycée Lyautey", "MA")
        let copy = try partner(t, "Lycee Lyautey of Casablanca", "MA")
        let joint = try t.ok("delegations.create", visit(partners: [["id": .string(hy), "lead": true], ["id": .string(cu)]]))
        _ = try t.ok("delegations.create", visit(partners: [["id": .string(copy), "lead": true]], title: "School visit"))
        func rows() throws -> [String] {
            try t.ok("partners.report", [:])["rows"]!.arrayValue!.map {
                "\($0["key"]!.stringValue!) \($0["partners"]!.intValue!) \($0["with_visits"]!.intValue!) \($0["visits"]!.intValue!)"
            }
        }
        #expect(try rows() == ["Africa 2 1 1", "Asia 2 2 1"], "rows with as many entries by name")
        _ = try t.ok("delegations.update", ["id": joint["id"]!, "partners": [["id": .string(cu), "lead": true]]])
        #expect(try rows() == ["Africa 2 1 1", "Asia 2 1 1"], "Hanyang no longer on the visit")
        _ = try t.ok("partners.merge", ["from": .string(copy), "into": .string(ly)])
        #expect(try rows() == ["Asia 2 1 1", "Africa 1 1 1"], "the duplicate's visit counts for the entry kept")
        _ = try t.ok("delegations.create", visit(partners: [["id": .string(ly), "lead": true], ["id": .string(hy)]]))
        #expect(try rows() == ["Asia 2 2 2", "Africa 1 1 2"])
    }

    /// One of the registry's people joins a visit by id (issue 28.5): their details come from the
    /// registry and follow its changes while the visit is proposed; the person lists the visits.
    @Test func aRegistryPersonJoinsAVisitAndIsKeptInStepUntilConfirmed() throws {
        let t = try TestDelegations()
        let hy = try t.ok(
            "partners.create",
            [
                "name": "Hanyang University", "kind": "university", "country": "KR",
                "people": [["name": "Kim Min-jun", "name_local": "김민준", "email": "kim@hanyang.example", "role": "teacher"]],
            ])["id"]!.stringValue!
        let kim = try #require(try t.ok("partners.get", ["id": .string(hy)])["people"]?[0]?["id"]?.stringValue)
        let v = try t.ok("delegations.create", visit(partners: [["id": .string(hy)]], title: "Hanyang visit"))["id"]!
        let added = try t.ok("delegations.add_member", ["id": v, "part": ["name": "?", "person": .string(kim), "languages": ["ko"]]])
        let member = added["members"]?[0]
        #expect(member?["name"] == "Kim Min-jun" && member?["name_local"] == "김민준" && member?["email"] == "kim@hanyang.example")
        #expect(member?["person"] == .string(kim) && member?["languages"] == ["ko"], "\(String(describing: member))")
        // The registry changes: the proposed visit follows (a history row `refreshed`, same version).
        _ = try t.ok("partners.update_person", ["partner": .string(hy), "person": .string(kim), "title": "Dean"])
        var d = try t.ok("delegations.get", ["id": v])
        #expect(d["members"]?[0]?["title"] == "Dean" && d["version"] == added["version"], "\(String(describing: d["members"]))")
        let history = try t.ok("delegations.history", ["id": v])["items"]!.arrayValue!.map { $0["action"]!.stringValue! }
        #expect(history.last == "refreshed", "\(history)")
        // Confirmed, it keeps what it was confirmed with.
        _ = try t.ok("delegations.update", ["id": v, "hosts": [["name": "Li Wei", "email": "li.wei@bit.example.cn"]]])
        _ = try t.ok("delegations.confirm", ["id": v])
        _ = try t.ok("partners.update_person", ["partner": .string(hy), "person": .string(kim), "email": "kim@new.example"])
        d = try t.ok("delegations.get", ["id": v])
        #expect(d["members"]?[0]?["email"] == "kim@hanyang.example", "a confirmed visit is not changed behind its mail")
        let view = try t.ok("partners.person", ["id": .string(kim)])
        #expect(view["partner"] == .string(hy) && view["person"]?["email"] == "kim@new.example")
        #expect(view["visits"]?.arrayValue?.map { $0["title"]! } == ["Hanyang visit"])
        let nobody = try #require(t.error("delegations.add_member", ["id": v, "part": ["name": "?", "person": "per-nobody"]]))
        #expect(nobody.code == .notFound && nobody.details?["field"] == "part.person", "\(nobody)")
        #expect(t.error("partners.person", ["id": "per-nobody"])?.code == .notFound)
    }

    @Test func partnersAreRecordsFoundByNameAndCountryNeverCopies() throws {
        let t = try TestDelegations()
        let id = try t.ok(
            "partners.create",
            [
                "name": "Ministry of Education", "name_local": "กระทรวงศึกษาธิการ", "kind": "government", "country": "th",
                "city": "Bangkok", "website": "https://www.moe.go.th", "people": [["name": "Somchai Prasert", "role": "official"]],
            ])["id"]!.stringValue!
        let dup = try #require(t.error("partners.create", ["name": "The  ministry of EDUCATION", "kind": "government", "country": "TH"]))
        #expect(dup.code == .conflict && dup.message.contains(id), "the same name and country is the same partner")
        // A visit describing the partner in place finds the entry instead of copying it.
        let created = try t.ok("delegations.create", thaiVisit())
        #expect(created["partners"]?[0]?["id"] == .string(id))
        #expect(try t.ok("partners.list", [:])["items"]?.arrayValue?.count == 1)
        let shown = try t.ok("partners.get", ["id": .string(id)])
        #expect(shown["people"]?[0]?["id"]?.stringValue?.hasPrefix("per-") == true)
        #expect(shown["visits"]?[0]?["ref"] == created["ref"] && shown["continent"] == "Asia")
        #expect(shown["last_visit"] == nil, "a proposed visit is no contact yet")
        let unknown = try #require(t.error("delegations.create", visit(partners: [["id": "par-nosuch"]])))
        #expect(unknown.code == .invalidParams && unknown.details?["field"] == "partners[0].id")
        let bare = try #require(t.error("delegations.create", visit(partners: [["name": "Somewhere"]])))
        #expect(bare.message.contains("kind"), "\(bare.message)")
    }

    @Test func aJointDelegationNamesSeveralPartnersOneLeadingAndCountsItsGroups() throws {
        let t = try TestDelegations()
        let schools = try (1...4).map { try partner(t, "Moroccan high school \($0)", "MA") }
        let d = try t.ok(
            "delegations.create",
            visit(
                partners: .array(schools.enumerated().map { ["id": .string($1), "lead": .bool($0 == 1)] }),
                extra: [
                    "members": [["name": "Principal of school 2", "role": "principal", "partner": .string(schools[1])]],
                    "groups": [["description": "Officials of the four schools", "count": 6, "role": "official"]],
                ]))
        #expect(d["partners"]?.arrayValue?.count == 4 && d["continent"] == "Africa" && d["country_name"] == "Morocco")
        let listed = try t.ok("delegations.list", ["country": "MA"])["items"]![0]!
        #expect(listed["head_count"] == 7 && listed["partners"]?[1]?["lead"] == true)
        for s in schools { #expect(try t.ok("partners.get", ["id": .string(s)])["visits"]?.arrayValue?.count == 1) }
        let twoLeads = try #require(
            t.error("delegations.create", visit(partners: [["id": .string(schools[0]), "lead": true], ["id": .string(schools[1]), "lead": true]])))
        #expect(twoLeads.message.contains("only one partner may lead"))
        let stranger = try #require(
            t.error("delegations.create", visit(partners: [["id": .string(schools[0])]], extra: ["members": [["name": "X", "partner": "par-x"]]])))
        #expect(stranger.details?["field"] == "members[0].partner")
        let unknownSize = try t.ok(
            "delegations.create",
            visit(partners: [["id": .string(schools[0])]], title: "Students", extra: ["groups": [["description": "International students"]]]))
        #expect(unknownSize["groups"]?[0]?["count"] == nil)
        let row = try t.ok("delegations.list", ["text": "students"])["items"]![0]!
        #expect(row["head_count"] == nil, "a group of unknown size leaves the head count unknown")
    }

    @Test func mergingKeepsBothHistoriesAndMovesVisitsAndPeople() throws {
        let t = try TestDelegations()
        let kept = try partner(t, "Ministry of Education", "TH", kind: "government")
        let dup = try partner(t, "Thai Ministry of Education", "TH", kind: "government")
        _ = try t.ok("partners.add_person", ["partner": .string(dup), "person": ["name": "Anan", "email": "anan@moe.example.th"]])
        let v = try t.ok("delegations.create", visit(partners: [["id": .string(dup)]], title: "MoE visit"))
        let merged = try t.ok("partners.merge", ["from": .string(dup), "into": .string(kept), "reason": "same ministry"])
        #expect(merged["merged_from"] == [.string(dup)] && merged["people"]?[0]?["name"] == "Anan")
        let after = try t.ok("delegations.get", ["id": v["id"]!])
        #expect(after["partners"]?[0]?["id"] == .string(kept) && after["version"] == v["version"], "the visit names the entry kept")
        let shown = try t.ok("partners.get", ["id": .string(dup)])
        #expect(shown["id"] == .string(kept), "an old id resolves to the entry kept")
        #expect(shown["visits"]?[0]?["title"] == "MoE visit" && shown["merged"]?[0]?["status"] == "merged")
        #expect(try t.ok("partners.history", ["id": .string(dup)])["items"]?.arrayValue?.map { $0["action"]! } == ["register", "add_person", "merged_into"])
        #expect(try t.ok("partners.history", ["id": .string(kept)])["items"]?.arrayValue?.last?["action"] == "merged_from")
        #expect(try t.ok("partners.list", [:])["items"]?.arrayValue?.count == 1)
        #expect(try t.ok("partners.list", ["include_merged": true])["items"]?.arrayValue?.count == 2)
        #expect(try t.ok("partners.get", ["id": .string(kept)])["visits"]?.arrayValue?.count == 1)
        let described = try t.ok(
            "delegations.create", visit(partners: [["name": "Thai Ministry of Education", "kind": "government", "country": "TH"]]))
        #expect(described["partners"]?[0]?["id"] == .string(kept), "a name merged away finds the entry kept, not a new one")
        let again = try #require(t.error("partners.merge", ["from": .string(dup), "into": .string(kept)]))
        #expect(again.code == .failedPrecondition)
        let types: [String] = try t.service.store.read { db in
            try db.query("SELECT event FROM outbox ORDER BY seq").map { try JSONParser.parse(try $0["event"] as String)["type"]!.stringValue! }
        }
        #expect(types.suffix(2) == ["partner.merged", "partner.updated"])
    }

    /// Someone at a partner changes post or leaves: one person changed or removed, by id or
    /// email, in the partner's history; every problem named.
    @Test func onePersonChangesOrLeaves() throws {
        let t = try TestDelegations()
        let id = try t.ok(
            "partners.create",
            [
                "name": "Hanyang University", "kind": "university", "country": "KR",
                "people": [["name": "Kim Min-jun", "email": "kim@hanyang.example", "role": "teacher"], ["name": "Lee Ji-eun"]],
            ])["id"]!.stringValue!
        let lee = try #require(try t.ok("partners.get", ["id": .string(id)])["people"]?[1]?["id"]?.stringValue)
        var p = try t.ok(
            "partners.update_person",
            ["partner": .string(id), "person": "KIM@hanyang.example", "title": "Dean of Engineering", "role": "official", "email": nil])
        #expect(p["people"]?[0] == ["id": p["people"]?[0]?["id"] ?? nil, "name": "Kim Min-jun", "title": "Dean of Engineering", "role": "official"])
        #expect(p["version"] == 2)
        let stale = t.error("partners.remove_person", ["partner": .string(id), "person": .string(lee), "expected_version": 1])
        #expect(stale?.code == .conflict && stale?.details?["current_version"] == 2)
        p = try t.ok("partners.remove_person", ["partner": .string(id), "person": .string(lee), "expected_version": 2])
        #expect(p["people"]?.arrayValue?.map { $0["name"]! } == ["Kim Min-jun"])
        let unknown = try #require(t.error("partners.update_person", ["partner": .string(id), "person": "nobody@example.org", "title": "x"]))
        #expect(unknown.code == .invalidParams && unknown.details?["field"] == "person" && unknown.message.contains("Kim Min-jun (per-"))
        let unnamed = t.error("partners.update_person", ["partner": .string(id), "person": "Kim Min-jun", "name": nil])
        #expect(unnamed?.code == .invalidParams && unnamed?.details?["field"] == "name")
        let bad = t.error("partners.update_person", ["partner": .string(id), "person": .string(lee), "email": "not an email"])
        #expect(bad?.code == .invalidParams && bad?.details?["field"] == "email")
        let history = try t.ok("partners.history", ["id": .string(id)])["items"]?.arrayValue?.map { $0["action"]! }
        #expect(history == ["register", "update_person", "remove_person"])
    }

    @Test func aRenamedPartnerShowsInEveryVisitNamingIt() throws {
        let t = try TestDelegations()
        let id = try partner(t, "Hanyang Univ", "KR", kind: "university")
        _ = try t.ok("delegations.create", visit(partners: [["id": .string(id)]]))
        let p = try t.ok("partners.update", ["id": .string(id), "expected_version": 1, "name": "Hanyang University", "name_local": "한양대학교"])
        #expect(p["version"] == 2)
        let row = try t.ok("delegations.list", ["text": "한양대학교"])["items"]![0]!
        #expect(row["partners"]?[0]?["name"] == "Hanyang University")
        let stale = try #require(t.error("partners.update", ["id": .string(id), "expected_version": 1, "city": "Seoul"]))
        #expect(stale.code == .conflict)
    }

    @Test func pastVisitsKeepTheirDatesAsPreciseAsKnown() throws {
        let t = try TestDelegations()
        let id = try partner(t, "Beijing Automotive Group", "CN", kind: "enterprise")
        for (date, title) in [("2018", "Students at the R&D centres"), ("2024-10", "October visit"), ("~2024", "Last year's visit")] {
            _ = try t.ok(
                "delegations.record",
                ["direction": "outbound", "title": .string(title), "partners": [["id": .string(id)]], "date": .string(date)])
        }
        let items = try t.ok("delegations.list", [:])["items"]!.arrayValue!
        #expect(items.map { $0["when"]!.stringValue! } == ["2018", "c. 2024", "Oct 2024"])
        #expect(items.allSatisfy { $0["starts_at"] == nil && $0["status"] == "completed" }, "no invented day or time")
        #expect(try t.ok("delegations.list", ["from": "2024-10-15", "to": "2024-10-20"])["items"]?.arrayValue?.count == 2)
        let got = try t.ok("delegations.get", ["id": items[0]["id"]!])
        #expect(got["date"] == "2018" && got["starts_at"] == nil && got["ref"] == "DEL-2018-0001")
        #expect(try t.ok("partners.get", ["id": .string(id)])["last_visit"] == "2024-10")
        // Only a visit with a day and times can be confirmed (and so mailed).
        let dated = try t.ok("delegations.create", visit(partners: [["id": .string(id)]], extra: ["date": "2027-05", "starts_at": nil, "ends_at": nil]))
        let e = try #require(t.error("delegations.confirm", ["id": dated["id"]!, "expected_version": 1]))
        #expect(e.code == .failedPrecondition && e.message.contains("known only as May 2027"))
        #expect(e.message.contains("once it took place — complete it"), "\(e.message)")
        // Not over yet: not completed either. A past month is (issue 27, item 6: it never could be).
        let early = try #require(t.error("delegations.complete", ["id": dated["id"]!, "outcome": "Signed an MoU"]))
        #expect(early.code == .failedPrecondition && early.message.contains("is proposed"), "\(early.message)")
        let past = try t.ok("delegations.create", visit(partners: [["id": .string(id)]], extra: ["date": "2025-06", "starts_at": nil, "ends_at": nil]))
        let done = try t.ok("delegations.complete", ["id": past["id"]!, "outcome": "Signed an MoU"])
        #expect(done["status"] == "completed" && done["outcome"] == "Signed an MoU" && done["date"] == "2025-06")
        let both = try #require(t.error("delegations.create", visit(partners: [["id": .string(id)]], extra: ["date": "2027"])))
        #expect(both.message.contains("either date"))
        let bad = try #require(t.error("delegations.record", ["direction": "inbound", "title": "x", "partners": [["id": .string(id)]], "date": "2024-13"]))
        #expect(bad.details?["field"] == "date")
        // Recorded history is announced as such, so consumers send nothing.
        let types: [String] = try t.service.store.read { db in
            try db.query("SELECT event FROM outbox ORDER BY seq").map { try JSONParser.parse(try $0["event"] as String)["type"]!.stringValue! }
        }
        // (and the past month-dated visit completed above says so: consumers mail nothing for it)
        #expect(
            types.filter { $0.hasPrefix("delegation.") }
                == ["delegation.recorded", "delegation.recorded", "delegation.recorded", "delegation.completed"])
    }

    @Test func visitsStoredBeforeTheRegistryMigrateToEntriesDeduplicatedByNameAndCountry() throws {
        let old: [String] = ["Ministry of Education", "ministry of education.", "Hanyang University"]
        let t = try TestDelegations(prepare: { dir in
            let store = try Store(path: dir + "/delegations.db", migrations: [DelegationsTables.migrations[0]])
            try store.write { db in
                for (i, name) in old.enumerated() {
                    let country = name.hasPrefix("Hanyang") ? "KR" : "TH"
                    let doc: JSONValue = [
                        "id": .string("del-old\(i)"), "ref": .string("DEL-2025-000\(i + 1)"), "version": 1, "status": "proposed",
                        "schedule_version": 1, "direction": "inbound", "title": "Old visit",
                        "partner": ["name": .string(name), "kind": "government", "country": .string(country)],
                        "starts_at": "2025-03-12T09:00", "ends_at": "2025-03-12T17:00", "members": [["name": "A", "role": "member"]],
                        "continent": "Asia", "region": "", "country_name": "", "created_at": "2025-01-01T00:00:00Z",
                        "updated_at": "2025-01-01T00:00:00Z",
                    ]
                    try db.run(
                        """
                        INSERT INTO delegations(id, ref, version, status, direction, partner_kind, country, continent, region, starts_utc,
                            ends_utc, search, doc, created_ms, updated_ms) VALUES(?,?,1,'proposed','inbound','government',?,'Asia','',?,?,'',?,0,0)
                        """, ["del-old\(i)", "DEL-2025-000\(i + 1)", country, 1_741_741_200 + i, 1_741_770_000 + i, JSONWriter.string(doc)])
                }
            }
        })
        let partners = try t.ok("partners.list", [:])["items"]!.arrayValue!
        #expect(partners.map { $0["name"]! } == ["Hanyang University", "Ministry of Education"])
        let moe = partners[1]["id"]!
        #expect(moe == .string(Partner.derivedID(name: "Ministry of Education", country: "TH")), "the id every service derives")
        #expect(try t.ok("delegations.get", ["id": "del-old1"])["partners"]?[0]?["id"] == moe)
        #expect(try t.ok("delegations.get", ["id": "del-old1"])["members"]?[0]?["role"] == "other")
        #expect(try t.ok("partners.get", ["id": moe])["visits"]?.arrayValue?.count == 2)
        let listed = try t.ok("delegations.list", [:])["items"]!.arrayValue!
        #expect(listed.count == 3 && listed.allSatisfy { $0["partners"]?[0]?["id"]?.stringValue?.hasPrefix("par-") == true }, "summaries rebuilt")
        let announced: Int = try t.service.store.read { db in try db.queryOne("SELECT count(*) AS n FROM outbox")!["n"] }
        #expect(announced == 2, "each migrated entry is announced once, at start")
    }
}
