import Foundation
import Testing
@testable import LiaisonModels

@Suite struct CountryTests {
    @Test func coversEveryISO3166Entry() {
        #expect(Country.all.count == 249)
        #expect(Country.all.values.allSatisfy { $0.code.count == 2 && !$0.region.isEmpty })
    }

    @Test(arguments: [
        ("TH", Continent.asia, "Southeast Asia"), ("KR", .asia, "East Asia"), ("UZ", .asia, "Central Asia"), ("AE", .asia, "Middle East"),
        ("MM", .asia, "Southeast Asia"), ("SG", .asia, "Southeast Asia"), ("MY", .asia, "Southeast Asia"),
        ("MA", .africa, "Northern Africa"),
        ("UG", .africa, "Eastern Africa"), ("CN", .asia, "East Asia"), ("BR", .southAmerica, "South America"), ("GE", .asia, "Caucasus"),
    ])
    func mapsTheArticlesCountries(code: String, continent: Continent, region: String) throws {
        let c = try #require(Country.named(code.lowercased()))
        #expect(c.continent == continent)
        #expect(c.region == region)
    }
}

@Suite struct LocalDateTimeTests {
    @Test func parsesAndPrintsWallTimes() {
        var why = ""
        #expect(LocalDateTime.parse("2026-03-12T09:00", why: &why)?.description == "2026-03-12T09:00")
        #expect(LocalDateTime.parse("2026-03-12 09:00:30", why: &why)?.description == "2026-03-12T09:00:30")
        #expect(LocalDateTime.parse("2024-02-29T00:00", why: &why) != nil)
        #expect(LocalDateTime.parse("2025-02-29T00:00", why: &why) == nil)
        #expect(why.contains("not a real date"))
        #expect(LocalDateTime.parse("2026-03-12T09:00Z", why: &why) == nil)
        #expect(why.contains("without an offset"))
        #expect(LocalDateTime.parse("12/03/2026", why: &why) == nil)
    }

    @Test func convertsInTheVisitsZone() throws {
        var why = ""
        let t = try #require(LocalDateTime.parse("2026-03-12T09:00", why: &why))
        #expect(t.epochSeconds(in: TimeZones.zone("Asia/Shanghai")!) == 1_773_277_200)
        #expect(t.epochSeconds(in: TimeZones.zone("Asia/Bangkok")!) == 1_773_280_800)
        #expect(LocalDateTime.at(epoch: 1_773_277_200, in: TimeZones.zone("Asia/Tashkent")!).description == "2026-03-12T06:00")
    }

    @Test func acceptsOnlyIANANames() {
        #expect(TimeZones.zone("Asia/Shanghai") != nil)
        #expect(TimeZones.zone("Africa/Kampala") != nil)
        #expect(TimeZones.zone("UTC") != nil)
        #expect(TimeZones.zone("CST") == nil)
        #expect(TimeZones.zone("GMT+8") == nil)
        #expect(TimeZones.zone("Not/AZone") == nil)
    }
}

@Suite struct EmailAddressTests {
    @Test(arguments: ["a@example.org", "first.last+tag@sub.example.co.uk", "x@localhost"])
    func acceptsAddresses(_ a: String) { #expect(EmailAddress.problem(a) == nil) }

    @Test(arguments: [
        "-oQ/tmp/x@example.org", "a b@example.org", "a@example.org\r\nBcc: x@y.z", "a@b", "no-at-sign", "a@@b.c", "\"q\"@example.org",
        "a@-bad.org", ".a@example.org", "a<b>@example.org", "",
    ])
    func refusesWhatCouldHarmAnMTA(_ a: String) { #expect(EmailAddress.problem(a) != nil) }
}

@Suite struct DateArithmeticTests {
    @Test func addingSaturatesInsteadOfTrapping() {
        let d = LocalDate(year: 2026, month: 3, day: 1)
        #expect(d.adding(days: Int.max) == LocalDate(year: 9999, month: 12, day: 31))
        #expect(d.adding(days: Int.min) == LocalDate(year: 1600, month: 1, day: 1))
        #expect(d.adding(months: Int.max).year == 9999)
        #expect(d.adding(months: Int.min) == LocalDate(year: 1600, month: 1, day: 1))
        #expect(d.adding(days: 30) == LocalDate(year: 2026, month: 3, day: 31))
        #expect(d.adding(months: -1) == LocalDate(year: 2026, month: 2, day: 1))
    }
}

@Suite struct PartnerRefListTests {
    @Test func showingAMergeNamesTheKeptEntryOnceAndKeepsEveryOther() {
        let kept = PartnerRef(id: "ptn-kept", name: "Hanyang University", kind: .university, country: "KR")
        var list = [
            PartnerRef(id: "ptn-kept", name: "Hanyang", kind: .university, country: "KR", lead: true),
            PartnerRef(id: "ptn-gone", name: "Hanyang Univ.", kind: .university, country: "KR"),
            PartnerRef(id: "ptn-other", name: "KOTRA", kind: .enterprise, country: "KR"),
            PartnerRef(name: "Described A", kind: .enterprise, country: "KE"),
            PartnerRef(name: "Described B", kind: .enterprise, country: "KE"),
        ]
        list.show(kept, for: ["ptn-kept", "ptn-gone"])
        #expect(list.map { $0.id } == ["ptn-kept", "ptn-other", nil, nil], "entries without an id are not duplicates of each other")
        #expect(list[0].name == "Hanyang University" && list[0].lead == true, "the registry's name, the caller's lead")
        #expect(list.map { $0.name }.suffix(2) == ["Described A", "Described B"])
    }
}
