import LiaisonCLI
import LiaisonModels
import LiaisonJSON
import LiaisonWire
import Testing

/// The demo says what the article (BIT, 14 May 2025) says, and nothing more.
@Suite struct DemoFactsTests {
    /// The article's statements: who visited (or was visited), from where, which way, when —
    /// as written, relative phrases read against 14 May 2025: "last year" approximate (~2024),
    /// "recently" and "in recent years" as ranges ending with the article's month.
    static let visits: [(phrase: String, countries: [String], direction: String, date: String)] = [
        ("in 2018, a group of international students visited Beijing Automotive Group's R&D centres", ["CN"], "outbound", "2018"),
        ("principals and officials from four Moroccan high schools recently visited BIT", ["MA", "MA", "MA", "MA"], "inbound", "../2025-05"),
        ("in 2023, a delegation from Thailand's Ministry of Education visited BIT", ["TH"], "inbound", "2023"),
        ("in recent years, a delegation from the government of Myanmar", ["MM"], "inbound", "2020/2025-05"),
        ("in recent years, a delegation from the government of the UAE", ["AE"], "inbound", "2020/2025-05"),
        ("in recent years, a delegation from the government of Singapore", ["SG"], "inbound", "2020/2025-05"),
        ("in recent years, a delegation from the government of Malaysia", ["MY"], "inbound", "2020/2025-05"),
        ("in October 2024, a delegation from Hanyang University visited BIT", ["KR"], "inbound", "2024-10"),
        ("last year, Rustam Karimjonov and his four-person delegation visited BIT", ["UZ"], "inbound", "~2024"),
    ]

    var doc: JSONValue { DemoData.document }

    func partnerCountry(_ key: String) -> String? {
        doc["partners"]?.arrayValue?.first { $0["key"]?.stringValue == key }?["country"]?.stringValue
    }

    @Test func everyVisitIsOneTheArticleStatesAtItsPrecision() {
        let visits = doc["visits"]?.arrayValue ?? []
        #expect(visits.count == Self.visits.count)
        var unmatched = Self.visits
        for v in visits {
            let countries = (v["partners"]?.arrayValue ?? []).compactMap { $0["partner"]?.stringValue.flatMap(partnerCountry) }
            let i = unmatched.firstIndex {
                $0.countries == countries && $0.direction == v["direction"]?.stringValue && $0.date == v["date"]?.stringValue
            }
            #expect(i != nil, "\(v["title"]!) is not in the article as stated")
            if let i { unmatched.remove(at: i) }
            #expect(v["starts_at"] == nil && v["itinerary"] == nil && v["hosts"] == nil, "no invented day, time, programme or host")
            #expect(v["status"] == "completed", "history")
        }
        #expect(unmatched.isEmpty, "\(unmatched.map(\.phrase))")
    }

    @Test func onlyPeopleAndCountsTheArticleGives() {
        let members = (doc["visits"]?.arrayValue ?? []).flatMap { $0["members"]?.arrayValue ?? [] }
        #expect(members.compactMap { $0["name"]?.stringValue } == ["Rustam Karimjonov"], "the one person the article names")
        let counts = (doc["visits"]?.arrayValue ?? []).flatMap { $0["groups"]?.arrayValue ?? [] }.compactMap { $0["count"]?.intValue }
        #expect(counts == [4], "the four-person delegation is the only number the article gives")
    }

    @Test func partnersAsNamedWithTheUnnamedSchoolsApart() {
        let partners = doc["partners"]?.arrayValue ?? []
        #expect(partners.count == 13)
        #expect(Set(partners.compactMap { $0["name"]?.stringValue }).count == 13, "no duplicate")
        let cccc = partners.first { $0["key"] == "cccc" }
        #expect(cccc?["country"] == "CN" && cccc?["kind"] == "enterprise", "a Chinese company, not a Ugandan partner")
        let schools = partners.filter { $0["country"] == "MA" }
        #expect(schools.count == 4 && schools.allSatisfy { $0["notes"]?.stringValue?.contains("does not name") == true })
    }

    @Test func theTwoCooperationsAndTheSiteWithoutInventedTerms() {
        let agreements = doc["agreements"]?.arrayValue ?? []
        #expect(Set(agreements.compactMap { $0["title"]?.stringValue }) == [
            "Study in BIT Uganda Workstation", "Exchange and cooperation with Hanyang University",
        ])
        #expect(agreements.allSatisfy { $0["ends_on"] == nil }, "the article gives no end")
        var why = ""
        for a in agreements {
            for k in ["signed_on", "starts_on"] {
                guard let s = a[k]?.stringValue else { continue }
                #expect(PartialDate.parse(s, why: &why)?.precision == .year, "\(k) \(s): a year at most")
            }
        }
        #expect(agreements.first { $0["kind"] == "exchange" }?["starts_on"] == "~2013", "11 years as of October 2024, approximately")
        let sites = doc["sites"]?.arrayValue ?? []
        #expect(sites.count == 1 && sites[0]["country"] == "UG" && sites[0]["established"] == "2024")
        #expect(!(agreements.contains { ($0["title"]?.stringValue ?? "").contains("Uzbekistan") }), "the hub is a topic discussed")
        #expect((doc["visits"]?.arrayValue ?? []).contains { ($0["topics"]?.arrayValue ?? []).contains("scientific and educational hub") })
    }
}
