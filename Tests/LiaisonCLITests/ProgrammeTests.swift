import LiaisonCLI
import LiaisonJSON
import LiaisonModels
import LiaisonLocale
import Testing

/// `delegation programme` (issue 28.3): a document for A4 print with a page per day.
@Suite struct ProgrammeTests {
    static let visit = """
        {"id": "del-1", "ref": "DEL-2027-0001", "version": 2, "status": "confirmed", "schedule_version": 1,
         "direction": "inbound", "title": "Delegation from Khalifa University <script>",
         "partners": [{"id": "par-1", "name": "Khalifa University", "name_local": "جامعة خليفة", "kind": "university",
                       "country": "AE", "lead": true}, {"id": "par-2", "name": "Chulalongkorn University",
                       "kind": "university", "country": "TH"}],
         "time_zone": "Asia/Shanghai", "starts_at": "2027-05-10T09:00", "ends_at": "2027-05-11T17:00",
         "members": [{"name": "Yousef Al Hammadi", "name_local": "يوسف الحمادي", "title": "Dean", "email": "y@ku.example",
                      "partner": "par-1"},
                     {"name": "Somchai Prasert", "email": "s@cu.example", "partner": "par-2"}],
         "groups": [{"description": "Students of Chulalongkorn", "count": 20, "partner": "par-2"}],
         "hosts": [{"name": "Li Wei", "name_local": "李伟", "email": "li.wei@bit.example.cn", "unit": "International Office"}],
         "itinerary": [
           {"starts_at": "2027-05-10T09:00", "ends_at": "2027-05-10T10:00", "title": "Welcome", "kind": "meeting",
            "venue": "Main Building 101", "hosts": ["li.wei@bit.example.cn"]},
           {"starts_at": "2027-05-10T14:00", "ends_at": "2027-05-10T16:00", "title": "AI laboratory tour", "kind": "tour",
            "attendees": ["s@cu.example"], "notes": "Closed shoes"},
           {"starts_at": "2027-05-11T09:00", "ends_at": "2027-05-11T11:00", "title": "Signing", "kind": "signing",
            "venue": "Library hall"}],
         "created_at": "2027-01-01T00:00:00Z", "updated_at": "2027-01-02T00:00:00Z"}
        """

    @Test func inTheDelegationsLanguageWithEnglishBesideIt() throws {
        var d = try JSONDecoding.decode(Delegation.self, from: Array(Self.visit.utf8))
        #expect(Programme.language(of: d).code == "en", "nobody's languages known: English")
        d.draft.members[0].languages = ["ar", "en"]
        #expect(Programme.language(of: d).code == "ar")
        let ar = Programme.html(d, contact: nil, language: Programme.language(of: d))
        #expect(ar.contains("<html lang=\"ar\" dir=\"rtl\">"))
        // Each language isolated: an English date keeps its order inside the Arabic heading.
        #expect(ar.contains("<h2><bdi>الاثنين 10 مايو 2027</bdi> · <bdi>Monday 10 May 2027</bdi></h2>"), "\(ar)")
        #expect(ar.contains("<th><bdi>الوقت</bdi> · <bdi>Time</bdi></th>") && ar.contains("<bdi>الشركاء</bdi> · <bdi>Partners</bdi>"))
        #expect(ar.contains("<td class=\"time\"><bdi dir=\"ltr\">09:00–10:00</bdi></td>"), "times read left to right")
        #expect(ar.contains("20 شخصاً"), "a group counted as Arabic counts")
        let th = Programme.html(d, contact: nil, language: Catalogue.named("th")!)
        #expect(th.contains("วันจันทร์ที่ 10 พฤษภาคม พ.ศ. 2570</bdi> · <bdi>Monday 10 May 2027"))
        #expect(th.contains("ผู้เข้าร่วม: Somchai Prasert"))
    }

    @Test func aPagePerDayWithPeopleInTheirOwnScriptAndTheOfficesContact() throws {
        let d = try JSONDecoding.decode(Delegation.self, from: Array(Self.visit.utf8))
        let html = Programme.html(d, contact: "BIT International Office <io@bit.example.cn>")
        #expect(html.contains("@page { size: A4;") && html.contains("break-before: page"))
        #expect(html.components(separatedBy: "<section class=\"day\">").count == 3, "two days, a page each")
        #expect(html.contains("Monday 10 May 2027") && html.contains("Tuesday 11 May 2027"))
        #expect(
            html.contains(
                "Yousef Al Hammadi <span class=\"own\" dir=\"auto\"><bdi>يوسف الحمادي</bdi></span>, Dean — from Khalifa University"
            )
        )
        #expect(html.contains("Students of Chulalongkorn — 20 people — from Chulalongkorn University"))
        #expect(
            html.contains("Main Building 101")
                && html.contains("Li Wei <span class=\"own\" dir=\"auto\"><bdi>李伟</bdi></span>")
        )
        #expect(html.contains("With: Somchai Prasert") && html.contains("Closed shoes"), "who goes where, and notes")
        #expect(html.contains("BIT International Office &lt;io@bit.example.cn&gt;"), "the office's contact, escaped")
        #expect(html.contains("Khalifa University &lt;script&gt;") && !html.contains("<script>"), "text is escaped")
        #expect(
            html.contains(
                "Khalifa University <span class=\"own\" dir=\"auto\"><bdi>جامعة خليفة</bdi></span>, United Arab Emirates — lead"
            )
        )
    }
}
