import LiaisonModels
import Testing

/// Dates as precise as what is known.
@Suite struct PartialDateTests {
    func d(_ s: String) -> PartialDate? {
        var why = ""
        return PartialDate.parse(s, why: &why)
    }

    @Test(arguments: [
        ("2018", "2018", "2018-01-01", "2018-12-31"), ("2024-10", "Oct 2024", "2024-10-01", "2024-10-31"),
        ("2024-10-22", "22 Oct 2024", "2024-10-22", "2024-10-22"), ("~2024", "c. 2024", "2024-01-01", "2024-12-31"),
        ("~2024-02", "c. Feb 2024", "2024-02-01", "2024-02-29"),
        // Ranges (issue 27.5): "in recent years", "recently" in an article of May 2025.
        ("2020/2025", "2020–2025", "2020-01-01", "2025-12-31"),
        ("2024-10/2025-03", "Oct 2024 – Mar 2025", "2024-10-01", "2025-03-31"),
        ("2020/2025-05", "2020 – May 2025", "2020-01-01", "2025-05-31"),
        ("../2025-05", "by May 2025", "2025-05-01", "2025-05-31"),
    ])
    func readsWritesAndSpansWhatItMeans(_ text: String, _ display: String, _ first: String, _ last: String) throws {
        let date = try #require(d(text))
        #expect(date.description == text && date.display == display)
        #expect(date.first.description == first && date.last.description == last)
        #expect((date.exactDay != nil) == (text.count == 10 && !text.contains("/")), "only a day, not approximate, is exact")
        #expect(date.isRange == text.contains("/"))
    }

    @Test func aRangeIsGivenToPlainReadersAsItsLatestYearApproximate() throws {
        #expect(try #require(d("2020/2025-05")).approximateYear.description == "~2025")
        #expect(try #require(d("../2019")).approximateYear.description == "~2019")
    }

    @Test(arguments: [
        "", "18", "2024-1", "2024-13", "2023-02-29", "1899", "~", "2024/10", "2024-10-22T09:00", "~~2024", " 2024",
        "2025/2020", "2024/2024", "~2020/2025", "2020/~2025", "../", "2020/..", "../../2020", "2020/2025/2026",
    ])
    func refusesWhatIsNotADate(_ text: String) {
        var why = ""
        #expect(PartialDate.parse(text, why: &why) == nil, "\(text)")
        #expect(!why.isEmpty)
    }

    @Test func sortsByTheFirstDayItMeansTheLessPreciseFirst() throws {
        let sorted = ["2024-10-22", "2024-10", "2018", "~2024", "2024"].compactMap(d).sorted().map(\.description)
        #expect(
            sorted == ["2018", "~2024", "2024", "2024-10", "2024-10-22"] || sorted == ["2018", "2024", "~2024", "2024-10", "2024-10-22"])
        #expect(PartialDate.shown("2024-07-09") == "2024-07-09" && PartialDate.shown("~2013") == "c. 2013" && PartialDate.shown("x") == "x")
    }

    @Test func partnersMatchByNameAndCountryWhateverTheCaseAndPunctuation() {
        #expect(
            Partner.matchKey(name: "The Ministry of Education.", country: "th")
                == Partner.matchKey(name: "ministry  of education", country: "TH"))
        #expect(
            Partner.matchKey(name: "Ministry of Education", country: "TH") != Partner.matchKey(name: "Ministry of Education", country: "UZ")
        )
        let id = Partner.derivedID(name: "Hanyang University", country: "KR")
        #expect(id.hasPrefix("par-") && id.count == 20 && id == Partner.derivedID(name: "HANYANG UNIVERSITY", country: "kr"))
        #expect(Partner.matchKey(name: "กระทรวงศึกษาธิการ", country: "TH").hasPrefix("กระทรวงศึกษาธิการ"), "any script")
    }
}

@Suite struct LocalDateTimeTextTests {
    @Test func writtenDigitByDigitAsTheFormatSays() {
        #expect(LocalDateTime(year: 2030, month: 3, day: 2, hour: 9, minute: 5).description == "2030-03-02T09:05")
        #expect(LocalDateTime(year: 2030, month: 12, day: 31, hour: 23, minute: 59, second: 7).description == "2030-12-31T23:59:07")
        #expect(LocalDateTime(year: 987, month: 1, day: 1).description == "0987-01-01T00:00")
        #expect(LocalDateTime(year: 12345, month: 1, day: 1).description == "12345-01-01T00:00", "outside 0…9999: as before")
        for text in ["2026-03-12T09:00", "2026-03-12T09:00:30", "1999-01-01T00:00"] {
            var why = ""
            #expect(LocalDateTime.parse(text, why: &why)?.description == text)
        }
    }
}
